{#- The case list and the daily mart count the same cases the same way: per completion day,
    every metric part of mart_case_drill sums to mart_case_metrics_daily's. -#}

with drill_days as (

    select
        completion_date,
        sum(completed_cases) as completed_cases,
        {%- for part, _ in case_metric_parts() %}
        sum({{ part }}) as {{ part }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('mart_case_drill') }}
    group by completion_date

),

daily_days as (

    select
        completion_date,
        sum(completed_cases) as completed_cases,
        {%- for part, _ in case_metric_parts() %}
        sum({{ part }}) as {{ part }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('mart_case_metrics_daily') }}
    group by completion_date

)

select
    coalesce(drill_days.completion_date, daily_days.completion_date) as completion_date
from drill_days
full outer join daily_days
    on drill_days.completion_date = daily_days.completion_date
where drill_days.completion_date is null
    or daily_days.completion_date is null
    or drill_days.completed_cases <> daily_days.completed_cases
    {%- for part, _ in case_metric_parts() %}
    or drill_days.{{ part }} <> daily_days.{{ part }}
    {%- endfor %}
