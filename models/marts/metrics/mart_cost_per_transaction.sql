{#- 单件成本 — staff cost per completed case by department, channel group and month, from the
    city's labour costs (city folder labour_costs.csv: hourly staff cost with an overhead
    uplift; a department row overrides the "*" default). Hall cases cost the window minutes measured in the queue tickets of the
    department plus back-office minutes per case; other channels cost back-office (and any
    front-office) minutes per case. -#}

with completed_by_channel as (

    select
        {{ month_start('metrics.completion_date') }} as month_start,
        metrics.department_code,
        channels.channel_group,
        sum(metrics.completed_cases) as completed_cases
    from {{ ref('mart_case_metrics_daily') }} as metrics
    inner join {{ ref('dim_channel') }} as channels
        on metrics.channel = channels.channel
    group by 1, 2, 3

),

window_minutes as (

    select
        {{ month_start('ticket_date') }} as month_start,
        department_code,
        sum(service_minutes) as window_service_minutes
    from {{ ref('fct_hall_tickets') }}
    where is_served
    group by 1, 2

),

costs as (

    select * from {{ ref('stg_city__labour_costs') }}

),

priced as (

    select
        completed_by_channel.*,
        coalesce(own_costs.staff_cost_per_hour_cny, default_costs.staff_cost_per_hour_cny)
            * (1 + coalesce(own_costs.overhead_uplift, default_costs.overhead_uplift))
            / 60.0 as cost_per_minute,
        coalesce(own_costs.back_office_minutes_per_case, default_costs.back_office_minutes_per_case)
        + coalesce(own_costs.front_office_minutes_per_case, default_costs.front_office_minutes_per_case)
            as minutes_per_case,
        case
            when completed_by_channel.channel_group = 'hall'
                then coalesce(window_minutes.window_service_minutes, 0)
            else 0
        end as measured_window_minutes
    from completed_by_channel
    left join costs as own_costs
        on completed_by_channel.department_code = own_costs.department_code
        and completed_by_channel.channel_group = own_costs.channel_group
    left join costs as default_costs
        on default_costs.department_code = '*'
        and completed_by_channel.channel_group = default_costs.channel_group
    left join window_minutes
        on completed_by_channel.month_start = window_minutes.month_start
        and completed_by_channel.department_code = window_minutes.department_code

)

select
    priced.month_start,
    priced.department_code,
    departments.department_name,
    priced.channel_group,
    cast(priced.completed_cases as bigint) as completed_cases,
    priced.measured_window_minutes + priced.minutes_per_case * priced.completed_cases
        as staff_minutes,
    (priced.measured_window_minutes + priced.minutes_per_case * priced.completed_cases)
        * priced.cost_per_minute as staff_cost_cny,
    {{ safe_ratio(
        '(priced.measured_window_minutes + priced.minutes_per_case * priced.completed_cases) * priced.cost_per_minute',
        'priced.completed_cases'
    ) }} as cost_per_transaction_cny
from priced
left join {{ ref('dim_department') }} as departments
    on priced.department_code = departments.department_code
