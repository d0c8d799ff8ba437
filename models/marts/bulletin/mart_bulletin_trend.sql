{#- 每周通报 trend chart: the city's weekly value of each metric the registry shows in the
    bulletin's trend (the bulletin reads the 12 weeks up to its week). -#}

with trend_metrics as (

    select * from {{ ref('dim_metric') }}
    where shown_in_bulletin_trend

)

select
    city_weeks.period_start as week_start,
    trend_metrics.metric_code,
    trend_metrics.metric_name_zh,
    trend_metrics.metric_name_en,
    city_weeks.metric_value,
    trend_metrics.display_order
from {{ ref('mart_metric_values') }} as city_weeks
inner join trend_metrics
    on city_weeks.metric_code = trend_metrics.metric_code
where city_weeks.period_grain = 'week'
    and city_weeks.scope_type = 'city'
