with source_labour_costs as (

    select * from {{ source('city', 'labour_costs') }}

)

select
    cast(department_code as {{ dbt.type_string() }}) as department_code,
    cast(channel_group as {{ dbt.type_string() }}) as channel_group,
    cast(staff_cost_per_hour_cny as double) as staff_cost_per_hour_cny,
    cast(overhead_uplift as double) as overhead_uplift,
    cast(back_office_minutes_per_case as double) as back_office_minutes_per_case,
    cast(front_office_minutes_per_case as double) as front_office_minutes_per_case,
    cast(basis as {{ dbt.type_string() }}) as basis
from source_labour_costs
