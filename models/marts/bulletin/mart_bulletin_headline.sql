{#- 每周通报 headline table: for every week with city figures, each metric the registry shows
    in the bulletin — this week's value with its parts, the week before's value, the change in
    percentage points, and the city target due next (or the last one, once all are past
    due). The bulletin selects one week; it computes nothing. -#}

with bulletin_metrics as (

    select * from {{ ref('dim_metric') }}
    where shown_in_bulletin

),

city_weeks as (

    select * from {{ ref('mart_metric_values') }}
    where period_grain = 'week'
        and scope_type = 'city'

),

weeks as (

    select distinct period_start as week_start from city_weeks

),

city_targets as (

    select * from {{ ref('stg_city__targets') }}
    where admin_level = 'city'

),

-- per week and metric, the target due next from the week's start (else the latest past one)
ranked_targets as (

    select
        weeks.week_start,
        city_targets.metric_code,
        city_targets.target_value,
        city_targets.due_date,
        row_number() over (
            partition by weeks.week_start, city_targets.metric_code
            order by {{ target_in_force_order('city_targets.due_date', 'weeks.week_start') }}
        ) as preference
    from weeks
    cross join city_targets

)

select
    weeks.week_start,
    bulletin_metrics.metric_code,
    bulletin_metrics.metric_name_zh,
    bulletin_metrics.metric_name_en,
    bulletin_metrics.higher_is_better,
    this_week.numerator,
    this_week.denominator,
    this_week.metric_value as value,
    previous_week.metric_value as previous_value,
    (this_week.metric_value - previous_week.metric_value) * 100 as change_points,
    ranked_targets.target_value,
    ranked_targets.due_date as target_due_date,
    bulletin_metrics.display_format,
    bulletin_metrics.display_order
from weeks
cross join bulletin_metrics
left join city_weeks as this_week
    on this_week.metric_code = bulletin_metrics.metric_code
    and this_week.period_start = weeks.week_start
left join city_weeks as previous_week
    on previous_week.metric_code = bulletin_metrics.metric_code
    and previous_week.period_start = cast({{ dbt.dateadd('day', -7, 'weeks.week_start') }} as date)
left join ranked_targets
    on ranked_targets.week_start = weeks.week_start
    and ranked_targets.metric_code = bulletin_metrics.metric_code
    and ranked_targets.preference = 1
