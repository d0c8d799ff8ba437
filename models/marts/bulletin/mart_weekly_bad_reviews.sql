{#- 差评整改 — the bad ratings (≤ 2) given in each ISO week and where their rectification stands
    at the data's as-of date (mart_data_freshness.as_of_date, the day the bulletin states its
    data is as of): rectified on time, rectified late, still pending (not yet due), overdue.
    One row per week from the first week with a bad rating through the week of the case logs'
    last day, zeros included; the bulletin reads `where week_start = ?`. -#}

with as_of as (

    select max(as_of_date) as as_of_date from {{ ref('mart_data_freshness') }}

),

bad_ratings as (

    -- of a known department, as the bulletin counts them
    select
        {{ week_start('cast(cases.rated_at as date)') }} as week_start,
        cases.rectified_at,
        cases.is_rectified_on_time,
        cases.rectification_due_date
    from {{ ref('fct_cases') }} as cases
    inner join {{ ref('dim_department') }} as departments
        on cases.department_code = departments.department_code
    where cases.is_bad_rating

),

weeks as (

    {{ report_weeks('select min(week_start) from bad_ratings') }}

),

rated_in_week as (

    select
        weeks.week_start,
        weeks.week_end,
        case
            when bad_ratings.rectified_at is not null and bad_ratings.is_rectified_on_time
                then 'rectified_on_time'
            when bad_ratings.rectified_at is not null then 'rectified_late'
            when bad_ratings.rectification_due_date
                < coalesce(as_of.as_of_date, weeks.week_end) then 'overdue'
            when bad_ratings.week_start is not null then 'pending'
        end as rectification_status
    from weeks
    cross join as_of
    left join bad_ratings
        on weeks.week_start = bad_ratings.week_start

)

select
    week_start,
    week_end,
    (select as_of_date from as_of) as status_as_of_date,
    cast(count(rectification_status) as bigint) as bad_reviews,
    cast(sum(case when rectification_status = 'rectified_on_time' then 1 else 0 end) as bigint)
        as rectified_on_time,
    cast(sum(case when rectification_status = 'rectified_late' then 1 else 0 end) as bigint)
        as rectified_late,
    cast(sum(case when rectification_status = 'pending' then 1 else 0 end) as bigint) as pending,
    cast(sum(case when rectification_status = 'overdue' then 1 else 0 end) as bigint) as overdue
from rated_in_week
group by week_start, week_end
