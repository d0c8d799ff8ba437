with source_targets as (

    select * from {{ source('city', 'targets') }}

)

select
    cast(metric_code as {{ dbt.type_string() }}) as metric_code,
    cast(admin_level as {{ dbt.type_string() }}) as admin_level,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(target_value as double) as target_value,
    cast(due_date as date) as due_date,
    cast(basis as {{ dbt.type_string() }}) as basis
from source_targets
