{#- 在办件 backlog: open cases per department and region at 24:00 of every day, with the
    yellow (>= threshold of the limit used) and red (past the deadline) alerts among them.
    Counted from events rather than by expanding every case over every day it is open: each
    state (open, yellow, red) adds one on the day it starts and removes one on the day it ends,
    and a running sum gives the count at the end of each day. -#}

with cases as (

    select * from {{ ref('fct_cases') }}
    where acceptance_date is not null

),

as_of as (

    select max(cast(updated_at as date)) as as_of_date from cases

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
    group by event_date, department_code, region_code

),

series as (

    select
        department_code,
        region_code,
        min(event_date) as first_date
    from daily_changes
    group by department_code, region_code

),

series_days as (

    select
        calendar_days.calendar_date as backlog_date,
        series.department_code,
        series.region_code
    from series
    cross join as_of
    inner join {{ ref('dim_date') }} as calendar_days
        on calendar_days.calendar_date >= series.first_date
        and calendar_days.calendar_date <= as_of.as_of_date

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
    backlog_date,
    department_code,
    region_code,
    cast(open_cases as bigint) as open_cases,
    cast(yellow_alert_cases as bigint) as yellow_alert_cases,
    cast(red_alert_cases as bigint) as red_alert_cases
from running_counts
