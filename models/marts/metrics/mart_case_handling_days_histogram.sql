{#- How many completed cases took each number of working days, per completion day, item,
    channel, department and region: the additive form of the handling-time distribution, from
    which any roll-up reads exact percentiles.
    Incremental: a run rebuilds whole completion days that received a touched case; every row
    it writes carries the run's watermark. -#}

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
    where is_completed and elapsed_working_days is not null
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
    elapsed_working_days,
    cast(count(*) as bigint) as cases,
    max(run_watermark._watermark) as _watermark
from completed_cases
cross join run_watermark
group by completion_date, item_code, channel, department_code, region_code, elapsed_working_days
