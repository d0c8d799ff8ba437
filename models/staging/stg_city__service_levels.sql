with source_service_levels as (

    select * from {{ source('city', 'service_levels') }}

)

select
    cast(hall_code as {{ dbt.type_string() }}) as hall_code,
    cast(business_type as {{ dbt.type_string() }}) as business_type,
    cast(target_wait_minutes as integer) as target_wait_minutes,
    cast(basis as {{ dbt.type_string() }}) as basis
from source_service_levels
