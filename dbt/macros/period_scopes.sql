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
        'admin_level': 'admin_level',
        'kind': 'kind',
        'line': 'line'
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

{#- The consultation marts' combinations: the city, its counties, departments, channels and
    kinds of order at every grain (few rows: orders are a tenth of the cases). The vars
    narrow them (a unit test looks at one grain and scope). -#}
{% macro consultation_period_scopes() -%}
    {%- set combinations = [] -%}
    {%- for grain in var('consultation_period_grains', ['day', 'week', 'month', 'year']) -%}
        {%- for scope in var('consultation_scopes', ['city', 'county', 'department', 'channel', 'kind']) -%}
            {%- do combinations.append((grain, scope)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(combinations) }}
{%- endmacro %}

{#- The period end of a period start, per grain, from dim_date's row of the start day. -#}
{% macro period_end_of(grain_column, calendar_alias) -%}
    case {{ grain_column }}
        {%- for grain, column in period_ends().items() %}
        when '{{ grain }}' then {{ calendar_alias }}.{{ column }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Union of one aggregation per (grain, scope): `relation` must carry the date columns of
    dim_date (calendar_date, week_start, month_start, year_start) and the scope columns. In an
    incremental run each grain aggregates only its affected periods (affected_period_ctes):
    the days of a touched year feed the year rows, not every day, week and month of it. -#}
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
    {%- if is_incremental() %}
        and {{ grains[grain] }} in (
            select period_start from affected_periods where period_grain = '{{ grain }}'
        )
    {%- endif %}
    group by {{ grains[grain] }}, {{ scopes[scope] }}{% for key in extra_keys %}, {{ key }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Incremental period marts: the (grain, period) pairs that contain a touched day, and every
    day of those periods (a touched day in a year's data reopens that year, its month, its
    week and itself). `touched_days_sql` selects one column, calendar_date. -#}
{% macro affected_period_ctes(touched_days_sql) -%}
touched_days as (

    {{ touched_days_sql }}

),

affected_periods as (

    select distinct 'day' as period_grain, calendar_days.calendar_date as period_start
    from {{ ref('dim_date') }} as calendar_days
    inner join touched_days on calendar_days.calendar_date = touched_days.calendar_date
    union all
    select distinct 'week', calendar_days.week_start
    from {{ ref('dim_date') }} as calendar_days
    inner join touched_days on calendar_days.calendar_date = touched_days.calendar_date
    union all
    select distinct 'month', calendar_days.month_start
    from {{ ref('dim_date') }} as calendar_days
    inner join touched_days on calendar_days.calendar_date = touched_days.calendar_date
    union all
    select distinct 'year', calendar_days.year_start
    from {{ ref('dim_date') }} as calendar_days
    inner join touched_days on calendar_days.calendar_date = touched_days.calendar_date

),

affected_days as (

    select calendar_days.calendar_date
    from {{ ref('dim_date') }} as calendar_days
    where calendar_days.year_start in (
            select period_start from affected_periods where period_grain = 'year'
        )
        or calendar_days.week_start in (
            select period_start from affected_periods where period_grain = 'week'
        )

),
{%- endmacro %}

{#- Keep only rows of the affected days (nothing when building in full). -#}
{% macro in_affected_days(date_column) -%}
    {%- if is_incremental() -%}
    and {{ date_column }} in (select calendar_date from affected_days)
    {%- endif -%}
{%- endmacro %}

{#- Join condition of two period-scope relations on (period_grain, period_start, scope_type,
    scope_code). -#}
{% macro same_period_scope(left, right) -%}
    {{ left }}.period_grain = {{ right }}.period_grain
    and {{ left }}.period_start = {{ right }}.period_start
    and {{ left }}.scope_type = {{ right }}.scope_type
    and {{ left }}.scope_code = {{ right }}.scope_code
{%- endmacro %}

{#- The rows of `relation` (`columns` of it) with the period starts of their day
    (`date_column`) and the region ancestors the period scopes roll up to: the input of
    rollup_by_period_scope. `regions`: 'ancestors' looks up the rows' region_code in
    dim_region (city, county, township); 'city' adds the code of the city alone (hall rows).
    `where` filters the rows; in an incremental run only the affected days are kept. -#}
{% macro dated_parts(relation, date_column, columns=['*'], regions='ancestors', where='true') -%}
    select
        {%- for column in columns %}
        parts.{{ column }},
        {%- endfor %}
        calendar_days.calendar_date,
        calendar_days.week_start,
        calendar_days.month_start,
        calendar_days.year_start,
        {%- if regions == 'ancestors' %}
        regions.city_code,
        regions.county_code,
        regions.township_code
        {%- else %}
        city.city_code
        {%- endif %}
    from {{ relation }} as parts
    inner join {{ ref('dim_date') }} as calendar_days
        on parts.{{ date_column }} = calendar_days.calendar_date
    {%- if regions == 'ancestors' %}
    left join {{ ref('dim_region') }} as regions
        on parts.region_code = regions.region_code
    {%- else %}
    cross join (
        select region_code as city_code from {{ ref('dim_region') }} where admin_level = 'city'
    ) as city
    {%- endif %}
    where {{ where }} {{ in_affected_days('calendar_days.calendar_date') }}
{%- endmacro %}
