{#- The (period grain, scope) combinations the period marts publish. Day grain stays coarse
    (city, county, department, channel) to keep the table small; townships join at week grain,
    single items at month and year grain. Each scope names the column that identifies it. -#}
{% macro period_grains() -%}
    {{ return({'day': 'calendar_date', 'week': 'week_start', 'month': 'month_start', 'year': 'year_start'}) }}
{%- endmacro %}

{% macro period_ends() -%}
    {{ return({'day': 'calendar_date', 'week': 'week_end', 'month': 'month_end', 'year': 'year_end'}) }}
{%- endmacro %}

{% macro scope_columns() -%}
    {{ return({
        'city': 'city_code',
        'county': 'county_code',
        'township': 'township_code',
        'department': 'department_code',
        'channel': 'channel',
        'item': 'item_code',
        'hall': 'hall_code',
        'admin_level': 'admin_level'
    }) }}
{%- endmacro %}

{% macro case_period_scopes() -%}
    {{ return([
        ('day', 'city'), ('day', 'county'), ('day', 'department'), ('day', 'channel'),
        ('week', 'city'), ('week', 'county'), ('week', 'township'), ('week', 'department'),
        ('week', 'channel'),
        ('month', 'city'), ('month', 'county'), ('month', 'township'), ('month', 'department'),
        ('month', 'channel'), ('month', 'item'),
        ('year', 'city'), ('year', 'county'), ('year', 'township'), ('year', 'department'),
        ('year', 'channel'), ('year', 'item')
    ]) }}
{%- endmacro %}

{#- Union of one aggregation per (grain, scope): `relation` must carry the date columns of
    dim_date (calendar_date, week_start, month_start, year_start) and the scope columns. -#}
{% macro rollup_by_period_scope(relation, combinations, measures, extra_keys=[]) -%}
    {%- set grains = period_grains() -%}
    {%- set scopes = scope_columns() -%}
    {%- for grain, scope in combinations %}
    select
        '{{ grain }}' as period_grain,
        {{ grains[grain] }} as period_start,
        '{{ scope }}' as scope_type,
        {{ scopes[scope] }} as scope_code,
        {%- for key in extra_keys %}
        {{ key }},
        {%- endfor %}
        {{ measures }}
    from {{ relation }}
    where {{ scopes[scope] }} is not null
    group by {{ grains[grain] }}, {{ scopes[scope] }}{% for key in extra_keys %}, {{ key }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
