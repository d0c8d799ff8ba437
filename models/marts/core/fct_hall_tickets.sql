{#- One row per hall queue ticket with waiting and service time in minutes and the flags the
    hall metrics count. Service level counts tickets called within the target wait against
    tickets called plus tickets abandoned; no-shows were called. The target wait is the city's
    (service_levels.csv) for the ticket's hall and business type, the most specific row
    first, else var hall_target_wait_minutes.
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
            when left_at is not null then {{ minutes_between('ticket_taken_at', 'left_at') }}
        end as left_after_minutes,
        case
            when service_started_at is not null and service_ended_at is not null
                then {{ minutes_between('service_started_at', 'service_ended_at') }}
        end as service_minutes
    from tickets

),

service_levels as (

    select hall_code, business_type, target_wait_minutes
    from {{ ref('stg_city__service_levels') }}

),

with_target_wait as (

    select
        timed.*,
        coalesce(
            for_hall_and_type.target_wait_minutes,
            for_hall.target_wait_minutes,
            for_type.target_wait_minutes,
            for_city.target_wait_minutes,
            {{ var('hall_target_wait_minutes') }}
        ) as target_wait_minutes
    from timed
    left join service_levels as for_hall_and_type
        on timed.hall_code = for_hall_and_type.hall_code
        and timed.business_type = for_hall_and_type.business_type
    left join service_levels as for_hall
        on timed.hall_code = for_hall.hall_code
        and for_hall.business_type = '*'
    left join service_levels as for_type
        on for_type.hall_code = '*'
        and timed.business_type = for_type.business_type
    left join service_levels as for_city
        on for_city.hall_code = '*'
        and for_city.business_type = '*'

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
    left_at,
    service_started_at,
    service_ended_at,
    ticket_date,
    ticket_hour,
    -- half-hour slot index of the day: 0 = 00:00–00:30 … 47
    ticket_hour * 2 + case when extract(minute from ticket_taken_at) >= 30 then 1 else 0 end
        as ticket_half_hour,
    ticket_outcome,
    wait_minutes,
    left_after_minutes,
    service_minutes,
    called_at is not null as is_called,
    ticket_outcome = 'served' as is_served,
    ticket_outcome = 'no_show' as is_no_show,
    ticket_outcome = 'abandoned' as is_abandoned,
    ticket_outcome <> 'served' as is_unserved,
    target_wait_minutes,
    coalesce(wait_minutes <= target_wait_minutes, false) as is_within_target_wait,
    coalesce(wait_minutes > {{ var('hall_long_wait_minutes') }}, false) as is_long_wait,
    _loaded_at,
    (select _watermark from run_watermark) as _watermark
from with_target_wait
