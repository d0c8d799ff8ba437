{#- Nothing vanishes from a roll-up: for every period, the city row of each additive column
    equals the sum of the rows of each scope that partitions the city (every case has one
    department and one channel: the unknown department holds those without). A case dropped
    from a department or channel, or from the city, fails it. -#}
{% test parts_sum_to_city(model, columns, scopes) %}

with city_rows as (

    select period_grain, period_start
        {%- for column in columns %}, {{ column }}{% endfor %}
    from {{ model }}
    where scope_type = 'city'

),

scope_sums as (

    {%- for scope in scopes %}
    select
        '{{ scope }}' as scope_type,
        period_grain,
        period_start
        {%- for column in columns %},
        sum({{ column }}) as {{ column }}
        {%- endfor %}
    from {{ model }}
    where scope_type = '{{ scope }}'
    group by period_grain, period_start
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    scope_sums.scope_type,
    scope_sums.period_grain,
    scope_sums.period_start
from scope_sums
left join city_rows
    on scope_sums.period_grain = city_rows.period_grain
    and scope_sums.period_start = city_rows.period_start
where
    {%- for column in columns %}
    coalesce(city_rows.{{ column }}, 0) <> coalesce(scope_sums.{{ column }}, 0)
    {%- if not loop.last %} or{% endif %}
    {%- endfor %}

{% endtest %}
