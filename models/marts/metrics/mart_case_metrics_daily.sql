{#- The additive parts of every demand metric, per completion day, item and channel. Any
    roll-up (week, month, year, county, department) sums these columns and divides: never
    average the rates. The parts are defined once, in macro case_metric_parts (the case drill
    lists them per case). Rates by completion date; refusals to accept and withdrawals are not
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
    {%- for part, condition in case_metric_parts() %}
    cast(sum(case when {{ condition }} then 1 else 0 end) as bigint) as {{ part }},
    {%- endfor %}
    cast(sum(elapsed_working_days) as bigint) as elapsed_working_days_total,
    max(run_watermark._watermark) as _watermark
from completed_cases
cross join run_watermark
group by completion_date, item_code, channel, department_code, region_code
