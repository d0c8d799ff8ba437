{#- Hall traffic per hall, day and opening hour (by the hour the ticket was taken): the
    additive parts of the hall metrics. Windows staffed are not exported by the queue system,
    so the windows that called at least one ticket in the hour stand in for them (each counted
    as 60 staffed minutes); occupancy is serving minutes over those staffed minutes.
    Incremental: a run rebuilds whole days that received tickets since the last run. -#}

{{
    config(
        materialized='incremental',
        unique_key='ticket_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with all_tickets as (

    select * from {{ ref('fct_hall_tickets') }}

),

{% if is_incremental() %}
changed_days as (

    {{ days_changed_since_last_run(ref('fct_hall_tickets'), 'ticket_date', '_loaded_at') }}

),
{% endif %}

tickets as (

    select * from all_tickets
    {% if is_incremental() %}
    where ticket_date in (select ticket_date from changed_days)
    {% endif %}

)

select
    hall_code,
    ticket_date,
    ticket_hour,
    cast(count(*) as bigint) as tickets_issued,
    cast(sum(case when is_called then 1 else 0 end) as bigint) as tickets_called,
    cast(sum(case when is_served then 1 else 0 end) as bigint) as tickets_served,
    cast(sum(case when is_no_show then 1 else 0 end) as bigint) as tickets_no_show,
    cast(sum(case when is_abandoned then 1 else 0 end) as bigint) as tickets_abandoned,
    cast(sum(case when is_unserved then 1 else 0 end) as bigint) as tickets_unserved,
    cast(sum(case when is_within_target_wait then 1 else 0 end) as bigint)
        as tickets_within_target_wait,
    cast(sum(case when is_long_wait then 1 else 0 end) as bigint) as tickets_long_wait,
    sum(wait_minutes) as wait_minutes_total,
    sum(service_minutes) as service_minutes_total,
    cast(count(distinct case when is_called then window_no end) as bigint) as windows_active,
    cast(count(distinct case when is_called then window_no end) * 60 as bigint) as window_minutes_staffed,
    max(_loaded_at) as _loaded_at
from tickets
group by hall_code, ticket_date, ticket_hour
