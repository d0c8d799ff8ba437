{#- The working-day calendar. workday_seq numbers the working days so that elapsed working
    days are a subtraction, not a count over a range: a clock that starts on a day counts from
    that day if it is a working day, otherwise from the next one (workday_seq_from). -#}

with calendar_days as (

    select * from {{ ref('calendar') }}

),

numbered_days as (

    select
        calendar_date,
        is_workday,
        is_statutory_holiday,
        is_makeup_workday,
        holiday_name,
        holiday_name_zh,
        sum(case when is_workday then 1 else 0 end) over (
            order by calendar_date
            rows between unbounded preceding and current row
        ) as workday_seq_raw
    from calendar_days

)

select
    calendar_date,
    cast(extract(year from calendar_date) as integer) as calendar_year,
    cast(extract(month from calendar_date) as integer) as calendar_month,
    {{ week_start('calendar_date') }} as week_start,
    cast({{ dbt.dateadd('day', 6, week_start('calendar_date')) }} as date) as week_end,
    {{ month_start('calendar_date') }} as month_start,
    max(calendar_date) over (partition by {{ month_start('calendar_date') }}) as month_end,
    {{ year_start('calendar_date') }} as year_start,
    max(calendar_date) over (partition by {{ year_start('calendar_date') }}) as year_end,
    {{ iso_day_of_week('calendar_date') }} as iso_day_of_week,
    {{ iso_day_of_week('calendar_date') }} >= 6 as is_weekend,
    is_workday,
    is_statutory_holiday,
    is_makeup_workday,
    holiday_name,
    holiday_name_zh,
    cast(workday_seq_raw as integer) as workday_seq,
    cast(
        case when is_workday then workday_seq_raw else workday_seq_raw + 1 end as integer
    ) as workday_seq_from
from numbered_days
