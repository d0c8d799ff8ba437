{#- 差评整改 by department — per ISO week, the bad ratings (≤ 2) given that week per department
    and how many of them are not rectified at the data's as-of date (pending or overdue, as in
    mart_weekly_bad_reviews). Departments without a bad rating that week have no row. Counted
    by department name, as the bulletin shows it; ranked most bad ratings first (ties by
    name): `where week_start = ? order by department_rank`. -#}

with as_of as (

    select max(as_of_date) as as_of_date from {{ ref('mart_data_freshness') }}

),

bad_ratings as (

    select
        {{ week_start('cast(cases.rated_at as date)') }} as week_start,
        departments.department_name,
        cases.rectified_at
    from {{ ref('fct_cases') }} as cases
    inner join {{ ref('dim_department') }} as departments
        on cases.department_code = departments.department_code
    where cases.is_bad_rating

),

department_counts as (

    -- not rectified = pending or overdue: whatever the due date, no rectification yet
    select
        week_start,
        department_name,
        count(*) as bad_reviews,
        sum(case when rectified_at is null then 1 else 0 end) as not_rectified
    from bad_ratings
    group by week_start, department_name

)

select
    department_counts.week_start,
    cast({{ dbt.dateadd('day', 6, 'department_counts.week_start') }} as date) as week_end,
    as_of.as_of_date as status_as_of_date,
    row_number() over (
        partition by department_counts.week_start
        order by department_counts.bad_reviews desc, department_counts.department_name
    ) as department_rank,
    department_counts.department_name,
    cast(department_counts.bad_reviews as bigint) as bad_reviews,
    cast(department_counts.not_rectified as bigint) as not_rectified
from department_counts
cross join as_of
