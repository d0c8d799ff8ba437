{#- 咨询投诉 by department — per ISO week, each department's consultation orders (12345 work
    orders, messages) from mart_consultation_metrics_by_period (week grain, department scope):
    received, replied within 5 working days, unanswered after 5 working days, solved and
    satisfied, with the registry's ratios. Departments with at least
    var consultation_ranking_min_orders orders due for a first reply that week are ranked by
    the 5-working-day reply rate (best first; ties by the solved rate, then name); the others
    have no rank (is_ranked false) and are listed apart with their counts.
    `where week_start = ? order by listing_order`. -#}

with weekly_department_metrics as (

    select *
    from {{ ref('mart_consultation_metrics_by_period') }}
    where period_grain = 'week'
        and scope_type = 'department'

),

departments as (

    select department_code, department_name from {{ ref('dim_department') }}

),

department_weeks as (

    select
        metrics.period_start as week_start,
        metrics.period_end as week_end,
        metrics.department_code,
        coalesce(departments.department_name, metrics.department_code) as department_name,
        metrics.orders_received,
        metrics.reply_5wd_due_orders,
        metrics.replied_within_5wd_orders,
        metrics.reply_5wd_rate,
        metrics.reply_5wd_decided_orders,
        metrics.late_reply_orders,
        metrics.late_reply_share,
        metrics.solved_known_orders,
        metrics.solved_orders,
        metrics.solved_rate,
        metrics.rated_orders,
        metrics.satisfied_ratings,
        metrics.consultation_satisfaction_rate,
        metrics.reply_5wd_due_orders >= {{ var('consultation_ranking_min_orders') }}
            as is_ranked
    from weekly_department_metrics as metrics
    left join departments
        on metrics.department_code = departments.department_code

),

ranked as (

    select
        department_weeks.*,
        case
            when is_ranked then rank() over (
                partition by week_start, is_ranked
                order by reply_5wd_rate desc, solved_rate desc
            )
        end as department_rank,
        sum(case when is_ranked then 1 else 0 end) over (partition by week_start)
            as departments_ranked
    from department_weeks

)

select
    week_start,
    week_end,
    row_number() over (
        partition by week_start
        order by
            case when is_ranked then 0 else 1 end,
            department_rank,
            reply_5wd_due_orders desc,
            department_name
    ) as listing_order,
    department_rank,
    cast(departments_ranked as bigint) as departments_ranked,
    is_ranked,
    {{ var('consultation_ranking_min_orders') }} as min_orders_to_rank,
    department_code,
    department_name,
    orders_received,
    reply_5wd_due_orders,
    replied_within_5wd_orders,
    reply_5wd_rate,
    reply_5wd_decided_orders,
    late_reply_orders,
    late_reply_share,
    solved_known_orders,
    solved_orders,
    solved_rate,
    rated_orders,
    satisfied_ratings,
    consultation_satisfaction_rate
from ranked
