{#- One row per hall queue ticket with waiting and service time in minutes and the flags the
    hall metrics count. Service level counts tickets called within the target wait against
    tickets called plus tickets abandoned; no-shows were called.
    Incremental: a run adds (or replaces) the tickets loaded since the last run; every row it
    writes carries the run's _watermark (the latest load among them), so the data tests can
    check just the rows of the last run (all rows after a full refresh). -#}

{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{%- set new_tickets_only -%}
    {%- if is_incremental() %}
    where _loaded_at > {{ stored_watermark(this, '_loaded_at') }}
    {%- endif %}
{%- endset %}

with tickets as (

    select * from {{ ref('stg_queue_system__hall_tickets') }}
    {{ new_tickets_only }}

),

run_watermark as (

    -- from the source, not from `tickets`: a second reader would make DuckDB materialize it
    select max(_loaded_at) as _watermark from {{ ref('stg_queue_system__hall_tickets') }}
    {{ new_tickets_only }}

),

timed as (

    select
        tickets.*,
        cast(ticket_taken_at as date) as ticket_date,
        {{ hour_of_day('ticket_taken_at') }} as ticket_hour,
        case
            when called_at is not null then {{ minutes_between('ticket_taken_at', 'called_at') }}
        end as wait_minutes,
        case
            when service_started_at is not null and service_ended_at is not null
                then {{ minutes_between('service_started_at', 'service_ended_at') }}
        end as service_minutes
    from tickets

)

select
    ticket_id,
    hall_code,
    business_type,
    department_code,
    window_no,
    case_id,
    ticket_taken_at,
    called_at,
    service_started_at,
    service_ended_at,
    ticket_date,
    ticket_hour,
    -- half-hour slot index of the day: 0 = 00:00–00:30 … 47
    ticket_hour * 2 + case when extract(minute from ticket_taken_at) >= 30 then 1 else 0 end
        as ticket_half_hour,
    ticket_outcome,
    wait_minutes,
    service_minutes,
    called_at is not null as is_called,
    ticket_outcome = 'served' as is_served,
    ticket_outcome = 'no_show' as is_no_show,
    ticket_outcome = 'abandoned' as is_abandoned,
    ticket_outcome <> 'served' as is_unserved,
    coalesce(wait_minutes <= {{ var('hall_target_wait_minutes') }}, false) as is_within_target_wait,
    coalesce(wait_minutes > {{ var('hall_long_wait_minutes') }}, false) as is_long_wait,
    _loaded_at,
    (select _watermark from run_watermark) as _watermark
from timed
