{#- One row per call offered to the hotline: its day and hour, the wait in the queue (until
    answered, or until the caller hung up) and whether it was answered within the target
    (var hotline_answer_target_seconds).
    Incremental: a run adds (or replaces) the calls loaded since the last run; _watermark is
    the latest load among them. -#}

{{
    config(
        materialized='incremental',
        unique_key='call_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{%- set new_calls_only -%}
    {%- if is_incremental() %}
    where _loaded_at > {{ stored_watermark(this, '_loaded_at') }}
    {%- endif %}
{%- endset %}

with calls as (

    select * from {{ ref('stg_hotline__calls') }}
    {{ new_calls_only }}

),

run_watermark as (

    select max(_loaded_at) as _watermark from {{ ref('stg_hotline__calls') }}
    {{ new_calls_only }}

),

calls_timed as (

    select
        calls.*,
        cast(offered_at as date) as offered_date,
        {{ hour_of_day('offered_at') }} as offered_hour,
        case
            when answered_at is not null then {{ seconds_between('offered_at', 'answered_at') }}
            when ended_at is not null then {{ seconds_between('offered_at', 'ended_at') }}
        end as wait_seconds,
        case
            when answered_at is not null and ended_at is not null
                then {{ seconds_between('answered_at', 'ended_at') }}
        end as talk_seconds
    from calls

)

select
    call_id,
    line,
    agent_id,
    order_id,
    offered_at,
    offered_date,
    offered_hour,
    answered_at,
    ended_at,
    call_outcome as outcome,
    call_outcome = 'answered' as is_answered,
    call_outcome = 'abandoned' as is_abandoned,
    wait_seconds,
    talk_seconds,
    coalesce(
        call_outcome = 'answered'
        and wait_seconds <= {{ var('hotline_answer_target_seconds') }},
        false
    ) as is_answered_within_target,
    _loaded_at,
    (select _watermark from run_watermark) as _watermark
from calls_timed
