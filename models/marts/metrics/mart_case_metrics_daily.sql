{#- The additive parts of every demand metric, per completion day, item and channel. Any
    roll-up (week, month, year, county, department) sums these columns and divides: never
    average the rates. Rates by completion date; refusals to accept and withdrawals are not
    completed cases.
    Incremental: a run rebuilds whole completion days that received a case touched by the
    run (delete + insert by day). -#}

{{
    config(
        materialized='incremental',
        unique_key='completion_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with

{% if is_incremental() %}
changed_days as (

    {{ days_changed_since_last_run(ref('fct_cases'), 'completion_date', '_watermark') }}

),
{% endif %}

completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed
    {% if is_incremental() %}
        and completion_date in (select completion_date from changed_days)
    {% endif %}

),

run_watermark as (

    select max(_watermark) as _watermark from {{ ref('fct_cases') }}

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
    -- the on-time denominator: cases with a deadline (fct_cases.deadline_source <> 'none')
    cast(sum(case when is_on_time is not null then 1 else 0 end) as bigint) as cases_with_deadline,
    -- the trip rates' denominator: a log without trips gets no trip rates, not zero ones
    cast(sum(case when trips is not null then 1 else 0 end) as bigint) as trips_reported_cases,
    -- the instant completion rate's denominator: cases with an acceptance time
    cast(sum(case when is_completed_same_workday is not null then 1 else 0 end) as bigint)
        as acceptance_known_cases,
    cast(sum(case when is_completed_same_workday then 1 else 0 end) as bigint) as same_workday_cases,
    cast(sum(case when is_one_trip then 1 else 0 end) as bigint) as one_trip_cases,
    cast(sum(case when is_zero_trip then 1 else 0 end) as bigint) as zero_trip_cases,
    cast(sum(case when is_zero_trip_item and trips is not null then 1 else 0 end) as bigint)
        as zero_trip_item_cases,
    cast(sum(case when is_zero_trip_item and is_zero_trip then 1 else 0 end) as bigint)
        as zero_trip_item_zero_trip_cases,
    cast(sum(case when is_rated then 1 else 0 end) as bigint) as rated_cases,
    cast(sum(case when is_satisfied_rating then 1 else 0 end) as bigint) as satisfied_ratings,
    cast(sum(case when is_bad_rating then 1 else 0 end) as bigint) as bad_ratings,
    cast(sum(elapsed_working_days) as bigint) as elapsed_working_days_total,
    max(run_watermark._watermark) as _watermark
from completed_cases
cross join run_watermark
group by completion_date, item_code, channel, department_code, region_code
