{#- Working days are only known for the years of the calendar seed. A case dated outside it
    must fail the build loudly, never count as if every day were a weekday. Extend
    seeds/calendar.csv (govwh calendar, or the city's official calendar) to fix. -#}

with cases as (

    select case_id, submitted_at, accepted_at, completed_at
    from {{ ref('stg_case_platform__case_logs') }}

),

calendar_span as (

    select min(calendar_date) as first_day, max(calendar_date) as last_day
    from {{ ref('dim_date') }}

)

select
    cases.case_id,
    cases.submitted_at,
    cases.accepted_at,
    cases.completed_at,
    calendar_span.first_day as calendar_first_day,
    calendar_span.last_day as calendar_last_day
from cases
cross join calendar_span
where cast(cases.submitted_at as date) not between calendar_span.first_day and calendar_span.last_day
    or cast(cases.accepted_at as date) not between calendar_span.first_day and calendar_span.last_day
    or cast(cases.completed_at as date) not between calendar_span.first_day and calendar_span.last_day
