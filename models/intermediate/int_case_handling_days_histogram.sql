{#- How many completed cases took each number of working days, per completion day, item,
    channel, department and region: the additive form of the handling-time distribution, from
    which any roll-up reads exact percentiles.
    Incremental: a run rebuilds whole completion days that received a touched case. -#}

{{
    config(
        materialized='incremental',
        unique_key='completion_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with cases as (

    select * from {{ ref('fct_cases') }}

),

{% if is_incremental() %}
changed_days as (

    select distinct completion_date
    from cases
    where _watermark > (select max(_watermark) from {{ this }})
        and completion_date is not null

),
{% endif %}

completed_cases as (

    select * from cases
    where is_completed and elapsed_working_days is not null
    {% if is_incremental() %}
        and completion_date in (select completion_date from changed_days)
    {% endif %}

)

select
    completion_date,
    item_code,
    channel,
    department_code,
    region_code,
    elapsed_working_days,
    cast(count(*) as bigint) as cases,
    max(_watermark) as _watermark
from completed_cases
group by completion_date, item_code, channel, department_code, region_code, elapsed_working_days
