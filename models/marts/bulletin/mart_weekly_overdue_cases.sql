{#- 超期办件 — the overdue (red-alert) cases the weekly bulletin lists: per ISO week, the 20
    open cases furthest past their deadline at 24:00 of the week's Sunday, most working days
    overdue first (ties by case id). The bulletin reads
    `where week_start = ? order by overdue_rank`. -#}

with overdue_cases as (

    {{ overdue_cases_at_week_end() }}

),

ranked_cases as (

    select
        overdue_cases.*,
        row_number() over (
            partition by week_start
            order by working_days_overdue desc, case_id
        ) as overdue_rank
    from overdue_cases

)

select
    week_start,
    week_end,
    overdue_rank,
    case_id,
    item_name,
    department_code,
    department_name,
    due_date,
    working_days_overdue
from ranked_cases
where overdue_rank <= 20
