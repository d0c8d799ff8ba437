{#- 临期办件 (黄牌) — the cases the weekly bulletin lists as close to their deadline: per ISO
    week, the 20 open cases on yellow alert at 24:00 of the week's Sunday (not yet red) with
    the fewest working days left, ties by case id. The bulletin reads
    `where week_start = ? order by yellow_rank`. -#}

with yellow_cases as (

    {{ alert_cases_at_week_end('yellow') }}

),

ranked_cases as (

    select
        yellow_cases.*,
        row_number() over (
            partition by week_start
            order by working_days_left, case_id
        ) as yellow_rank
    from yellow_cases

)

select
    week_start,
    week_end,
    yellow_rank,
    case_id,
    item_name,
    department_code,
    department_name,
    county_code,
    due_date,
    working_days_left
from ranked_cases
where yellow_rank <= 20
