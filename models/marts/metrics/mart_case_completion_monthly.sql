{#- 按时办结率 and 最多跑一次实现率 by department and completion month — kept for the queries
    written against it; a thin view over mart_case_metrics_by_period (the department rows of
    month grain), so its rates are the registry's. New queries: mart_metric_values. -#}

{{ config(materialized='view') }}

with department_months as (

    select * from {{ ref('mart_case_metrics_by_period') }}
    where period_grain = 'month'
        and scope_type = 'department'
        and completed_cases > 0

)

select
    department_months.period_start as month_start,
    department_months.scope_code as department_code,
    departments.department_name,
    department_months.completed_cases,
    department_months.on_time_cases,
    department_months.on_time_rate,
    department_months.one_trip_cases,
    department_months.one_trip_rate
from department_months
left join {{ ref('dim_department') }} as departments
    on department_months.scope_code = departments.department_code
