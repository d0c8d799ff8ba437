{#- 在办件 backlog: open cases per department and region at 24:00 of every day, with the
    yellow (>= threshold of the limit used) and red (past the deadline) alerts among them.
    Counted from events rather than by expanding every case over every day it is open: each
    state (open, yellow, red) adds one on the day it starts and removes one on the day it ends,
    and a running sum gives the count at the end of each day.
    Incremental: every event of a case falls on or after its acceptance date, so a run
    recomputes the days from the earliest acceptance among the cases it touched (or the day
    after the last as-of date), carrying the counts of the day before forward from the table:
    only the events of those days are summed. -#}

{{
    config(
        materialized='incremental',
        unique_key='backlog_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- In an incremental run the first recomputed day is read first, as a literal, so that only
    the cases with an event on or after it are read below (every day when the table is
    empty). -#}
{%- set first_recomputed_day = none -%}
{%- if is_incremental() and execute -%}
    {%- set first_recomputed_day = run_query(
        'select cast(least(coalesce((select min(acceptance_date) from ' ~ ref('fct_cases')
        ~ ' where acceptance_date is not null and _watermark > '
        ~ stored_watermark(this, '_watermark') ~ "), date '9999-12-31'), cast("
        ~ dbt.dateadd('day', 1, '(select max(backlog_date) from ' ~ this ~ ')')
        ~ ' as date)) as ' ~ dbt.type_string() ~ ')'
    ).columns[0].values()[0] or '1900-01-01' -%}
{%- endif %}

with cases as (

    -- the columns used below only: this is read many times, so DuckDB materializes it
    select
        department_code,
        region_code,
        acceptance_date,
        closing_date,
        yellow_alert_date,
        red_alert_date
    from {{ ref('fct_cases') }}
    where acceptance_date is not null
    {% if is_incremental() %}
        -- every event of a case falls on or before its closing day: a case closed before
        -- the first recomputed day has none to recompute
        and (closing_date is null or closing_date >= cast('{{ first_recomputed_day }}' as date))
    {% endif %}

),

-- the as-of day: the last day an accepted case changed
as_of as (

    select last_accepted_case_update_date as as_of_date
    from {{ ref('int_cases__data_days') }}

),

-- watermark over every accepted case (from the model: a CTE read twice would be materialized)

run_watermark as (

    select max(_watermark) as _watermark
    from {{ ref('fct_cases') }}
    where acceptance_date is not null

),

recompute_from as (

    {% if is_incremental() %}
    select cast('{{ first_recomputed_day }}' as date) as first_date
    {% else %}
    select cast(null as date) as first_date
    {% endif %}

),

carried_counts as (

    -- the counts at the end of the day before the recomputed days, per series
    {% if is_incremental() %}
    select department_code, region_code, open_cases, yellow_alert_cases, red_alert_cases
    from {{ this }}
    where backlog_date = cast(
        {{ dbt.dateadd('day', -1, '(select first_date from recompute_from)') }} as date
    )
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as department_code,
        cast(null as {{ dbt.type_string() }}) as region_code,
        0 as open_cases,
        0 as yellow_alert_cases,
        0 as red_alert_cases
    where false
    {% endif %}

),

state_changes as (

    select department_code, region_code, acceptance_date as event_date,
        1 as open_change, 0 as yellow_change, 0 as red_change
    from cases
    union all
    select department_code, region_code, closing_date, -1, 0, 0
    from cases where closing_date is not null
    union all
    select department_code, region_code, yellow_alert_date, 0, 1, 0
    from cases where yellow_alert_date is not null
    union all
    -- yellow ends when the case turns red or closes
    select department_code, region_code,
        case
            when red_alert_date is not null and (closing_date is null or red_alert_date < closing_date)
                then red_alert_date
            else closing_date
        end,
        0, -1, 0
    from cases
    where yellow_alert_date is not null
        and (red_alert_date is not null or closing_date is not null)
    union all
    select department_code, region_code, red_alert_date, 0, 0, 1
    from cases where red_alert_date is not null
    union all
    select department_code, region_code, closing_date, 0, 0, -1
    from cases where red_alert_date is not null and closing_date is not null

),

daily_changes as (

    select
        event_date,
        department_code,
        region_code,
        sum(open_change) as open_change,
        sum(yellow_change) as yellow_change,
        sum(red_change) as red_change
    from state_changes
    {% if is_incremental() %}
    -- only the recomputed days: the counts before them are carried
    where event_date >= (select first_date from recompute_from)
    {% endif %}
    group by event_date, department_code, region_code

),

series as (

    -- each department × region series runs from its first event to the as-of date; when
    -- recomputing, the series already counted start (for this run) on the first recomputed
    -- day, and a series first seen now starts at its first event
    select
        department_code,
        region_code,
        min(first_date) as first_date
    from (
        select department_code, region_code, event_date as first_date from daily_changes
        {% if is_incremental() %}
        union all
        select department_code, region_code, (select first_date from recompute_from)
        from carried_counts
        {% endif %}
    ) as series_starts
    group by department_code, region_code

),

series_days as (

    select
        calendar_days.calendar_date as backlog_date,
        series.department_code,
        series.region_code
    from series
    cross join as_of
    cross join recompute_from
    inner join {{ ref('dim_date') }} as calendar_days
        on calendar_days.calendar_date >= series.first_date
        and calendar_days.calendar_date <= as_of.as_of_date
        and (
            recompute_from.first_date is null
            or calendar_days.calendar_date >= recompute_from.first_date
        )

),

running_counts as (

    select
        series_days.backlog_date,
        series_days.department_code,
        series_days.region_code,
        sum(coalesce(daily_changes.open_change, 0)) over (
            partition by series_days.department_code, series_days.region_code
            order by series_days.backlog_date
            rows between unbounded preceding and current row
        ) as open_cases,
        sum(coalesce(daily_changes.yellow_change, 0)) over (
            partition by series_days.department_code, series_days.region_code
            order by series_days.backlog_date
            rows between unbounded preceding and current row
        ) as yellow_alert_cases,
        sum(coalesce(daily_changes.red_change, 0)) over (
            partition by series_days.department_code, series_days.region_code
            order by series_days.backlog_date
            rows between unbounded preceding and current row
        ) as red_alert_cases
    from series_days
    left join daily_changes
        on series_days.backlog_date = daily_changes.event_date
        and series_days.department_code = daily_changes.department_code
        and series_days.region_code = daily_changes.region_code

)

select
    running_counts.backlog_date,
    running_counts.department_code,
    running_counts.region_code,
    cast(running_counts.open_cases + coalesce(carried.open_cases, 0) as bigint) as open_cases,
    cast(
        running_counts.yellow_alert_cases + coalesce(carried.yellow_alert_cases, 0) as bigint
    ) as yellow_alert_cases,
    cast(running_counts.red_alert_cases + coalesce(carried.red_alert_cases, 0) as bigint)
        as red_alert_cases,
    (select _watermark from run_watermark) as _watermark
from running_counts
left join carried_counts as carried
    on running_counts.department_code = carried.department_code
    and running_counts.region_code = carried.region_code
