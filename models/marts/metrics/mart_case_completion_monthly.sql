{#- 按时办结率 and 最多跑一次实现率 — on-time completion and one-trip rates by department and
    completion month. Demand metrics dated by completion: completed cases (approved or
    refused decisions; refusals to accept and withdrawals excluded) are the denominator. -#}

with completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed

),

cases_by_department_month as (

    select
        completion_month as month_start,
        department_code,
        cast(count(*) as bigint) as completed_cases,
        cast(sum(case when is_on_time then 1 else 0 end) as bigint) as on_time_cases,
        cast(sum(case when is_one_trip then 1 else 0 end) as bigint) as one_trip_cases
    from completed_cases
    group by completion_month, department_code

)

select
    cases_by_department_month.month_start,
    cases_by_department_month.department_code,
    departments.department_name,
    cases_by_department_month.completed_cases,
    cases_by_department_month.on_time_cases,
    {{ safe_ratio('cases_by_department_month.on_time_cases', 'cases_by_department_month.completed_cases') }}
        as on_time_rate,
    cases_by_department_month.one_trip_cases,
    {{ safe_ratio('cases_by_department_month.one_trip_cases', 'cases_by_department_month.completed_cases') }}
        as one_trip_rate
from cases_by_department_month
left join {{ ref('dim_department') }} as departments
    on cases_by_department_month.department_code = departments.department_code
