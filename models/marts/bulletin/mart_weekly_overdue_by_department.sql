{#- 超期办件 by department — per ISO week, how many open cases each department had past their
    deadline at 24:00 of the week's Sunday (the weekly bulletin's overdue table). Departments
    with none that week have no row. Counted by department name, as the bulletin shows it;
    ranked most overdue first (ties by name): `where week_start = ? order by department_rank`. -#}

with overdue_cases as (

    {{ overdue_cases_at_week_end() }}

),

department_counts as (

    select week_start, week_end, department_name, count(*) as overdue_cases
    from overdue_cases
    group by week_start, week_end, department_name

)

select
    week_start,
    week_end,
    row_number() over (
        partition by week_start
        order by overdue_cases desc, department_name
    ) as department_rank,
    department_name,
    cast(overdue_cases as bigint) as overdue_cases
from department_counts
