with source_regions as (

    select * from {{ source('city', 'regions') }}

)

select
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(region_name as {{ dbt.type_string() }}) as region_name,
    cast(admin_level as {{ dbt.type_string() }}) as admin_level,
    cast(parent_region_code as {{ dbt.type_string() }}) as parent_region_code
from source_regions
