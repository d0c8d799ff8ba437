{#- Every metric of the registry for the city in the latest month it has data for: what the
    CLI prints after a build (the metrics flagged shown_in_cli_headline) and the public
    release reads. Values come from mart_metric_values (a ratio of sums). -#}

with registry as (

    select * from {{ ref('dim_metric') }}

),

city_months as (

    select * from {{ ref('mart_metric_values') }}
    where period_grain = 'month'
        and scope_type = 'city'
        and denominator > 0

),

latest_months as (

    select
        metric_code,
        max(period_start) as period_start
    from city_months
    group by metric_code

)

select
    registry.metric_code,
    registry.metric_name_zh,
    registry.metric_name_en,
    latest_months.period_start,
    city_months.numerator,
    city_months.denominator,
    city_months.metric_value,
    registry.display_format,
    registry.shown_in_cli_headline,
    registry.display_order
from registry
inner join latest_months
    on registry.metric_code = latest_months.metric_code
inner join city_months
    on latest_months.metric_code = city_months.metric_code
    and latest_months.period_start = city_months.period_start
