{#- When each window of a hall was open, per day: the queue system exports no rosters, so a
    window's open time is read from its own calls. A span opens at a call and runs to the end
    of that service (or to the call, for a no-show); the window's next call opens a new span
    when it comes more than `window_idle_close_minutes` after the last end (the window was
    closed: lunch, a meeting, the clerk off duty), else it extends the span. Summed per day,
    these are the staffed minutes of window occupancy (mart_hall_metrics_by_period).
    Incremental: a run rebuilds whole days that received tickets since the last run. -#}

{{
    config(
        materialized='incremental',
        unique_key='ticket_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with

{% if is_incremental() %}
changed_days as (

    {{ days_changed_since_last_run(ref('fct_hall_tickets'), 'ticket_date', '_loaded_at') }}

),
{% endif %}

window_calls as (

    select
        hall_code,
        ticket_date,
        window_no,
        called_at,
        coalesce(service_ended_at, called_at) as busy_until,
        _loaded_at
    from {{ ref('fct_hall_tickets') }}
    where is_called
        and window_no is not null
    {% if is_incremental() %}
        and ticket_date in (select ticket_date from changed_days)
    {% endif %}

),

calls_with_previous_end as (

    select
        window_calls.*,
        max(busy_until) over (
            partition by hall_code, ticket_date, window_no
            order by called_at, busy_until
            rows between unbounded preceding and 1 preceding
        ) as previous_busy_until
    from window_calls

),

calls_numbered_by_span as (

    select
        calls_with_previous_end.*,
        sum(
            case
                when previous_busy_until is null then 1
                when {{ minutes_between('previous_busy_until', 'called_at') }}
                    > {{ var('window_idle_close_minutes') }} then 1
                else 0
            end
        ) over (
            partition by hall_code, ticket_date, window_no
            order by called_at, busy_until
            rows between unbounded preceding and current row
        ) as span_number
    from calls_with_previous_end

)

select
    hall_code,
    ticket_date,
    window_no,
    span_number,
    min(called_at) as opened_at,
    max(busy_until) as closed_at,
    {{ minutes_between('min(called_at)', 'max(busy_until)') }} as open_minutes,
    cast(count(*) as bigint) as calls,
    max(_loaded_at) as _loaded_at
from calls_numbered_by_span
group by hall_code, ticket_date, window_no, span_number
