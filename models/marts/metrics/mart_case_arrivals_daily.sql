{#- Case arrivals (申报量) per submission day, department and channel group — the series the
    planners forecast. Every submitted case counts, whatever became of it. Days without any
    arrival are absent (a zero).
    Incremental: a run recounts whole submission days that received a case touched by the
    run (a new version keeps its submission day); delete + insert by day. -#}

{{
    config(
        materialized='incremental',
        unique_key='submission_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with

{% if is_incremental() %}
changed_days as (

    {{ days_changed_since_last_run(ref('fct_cases'), 'submission_date', '_watermark') }}

),
{% endif %}

cases as (

    select * from {{ ref('fct_cases') }}
    {% if is_incremental() %}
    where submission_date in (select submission_date from changed_days)
    {% endif %}

),

run_watermark as (

    select max(_watermark) as _watermark from {{ ref('fct_cases') }}

)

select
    cases.submission_date,
    cases.department_code,
    case when cases.is_online_submission then 'online' else 'hall' end as channel_group,
    cast(count(*) as bigint) as arrivals,
    max(run_watermark._watermark) as _watermark
from cases
cross join run_watermark
group by 1, 2, 3
