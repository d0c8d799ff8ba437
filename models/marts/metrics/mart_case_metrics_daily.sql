{#- The additive parts of every demand metric, per completion day, item and channel. Any
    roll-up (week, month, year, county, department) sums these columns and divides: never
    average the rates. Rates by completion date; refusals to accept and withdrawals are not
    completed cases. -#}

with completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed

)

select
    completion_date,
    item_code,
    channel,
    department_code,
    region_code,
    cast(count(*) as bigint) as completed_cases,
    cast(sum(case when is_online_submission then 1 else 0 end) as bigint) as online_cases,
    cast(sum(case when is_on_time then 1 else 0 end) as bigint) as on_time_cases,
    cast(sum(case when is_completed_same_workday then 1 else 0 end) as bigint) as same_workday_cases,
    cast(sum(case when is_one_trip then 1 else 0 end) as bigint) as one_trip_cases,
    cast(sum(case when is_zero_trip then 1 else 0 end) as bigint) as zero_trip_cases,
    cast(sum(case when is_zero_trip_item then 1 else 0 end) as bigint) as zero_trip_item_cases,
    cast(sum(case when is_zero_trip_item and is_zero_trip then 1 else 0 end) as bigint)
        as zero_trip_item_zero_trip_cases,
    cast(sum(case when is_rated then 1 else 0 end) as bigint) as rated_cases,
    cast(sum(case when is_satisfied_rating then 1 else 0 end) as bigint) as satisfied_ratings,
    cast(sum(case when is_bad_rating then 1 else 0 end) as bigint) as bad_ratings,
    cast(sum(elapsed_working_days) as bigint) as elapsed_working_days_total
from completed_cases
group by completion_date, item_code, channel, department_code, region_code
