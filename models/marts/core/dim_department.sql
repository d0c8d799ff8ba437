{#- Departments: the configured ones (city folder departments.csv), then every other department code
    the exports use (named by the catalogue where it names them, else by the code), then the
    unknown department (var unknown_member_code) where a case names none. A new city's
    departments so appear before anyone configures them, and every case has a department. -#}

with configured_departments as (

    select department_code, department_name, department_name_en from {{ ref('stg_city__departments') }}

),

catalogue_departments as (

    select department_code, max(department_name) as department_name
    from {{ ref('stg_catalogue__service_items') }}
    where department_code is not null
    group by department_code

),

case_departments as (

    select distinct department_code
    from {{ ref('stg_case_platform__case_logs') }}
    where department_code is not null

),

consultation_departments as (

    select distinct department_code
    from {{ ref('stg_hotline__consultations') }}
    where department_code is not null

),

observed_departments as (

    select department_code from catalogue_departments
    union
    select department_code from case_departments
    union
    select department_code from consultation_departments

),

unconfigured_departments as (

    select
        observed_departments.department_code,
        coalesce(catalogue_departments.department_name, observed_departments.department_code)
            as department_name,
        cast(null as {{ dbt.type_string() }}) as department_name_en
    from observed_departments
    left join catalogue_departments
        on observed_departments.department_code = catalogue_departments.department_code
    where observed_departments.department_code not in (
        select department_code from configured_departments
    )

)

select department_code, department_name, department_name_en, true as is_configured
from configured_departments
union all
select department_code, department_name, department_name_en, false as is_configured
from unconfigured_departments
union all
select
    '{{ var("unknown_member_code") }}' as department_code,
    '未知部门' as department_name,
    'Unknown department' as department_name_en,
    false as is_configured
