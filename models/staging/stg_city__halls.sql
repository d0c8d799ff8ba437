with source_halls as (

    select * from {{ source('city', 'halls') }}

)

select
    cast(hall_code as {{ dbt.type_string() }}) as hall_code,
    cast(hall_name as {{ dbt.type_string() }}) as hall_name,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(hall_level as {{ dbt.type_string() }}) as hall_level,
    cast(windows_normal as integer) as windows_normal,
    cast(windows_lunch as integer) as windows_lunch,
    cast(open_time as {{ dbt.type_string() }}) as open_time,
    cast(close_time as {{ dbt.type_string() }}) as close_time,
    cast(lunch_start as {{ dbt.type_string() }}) as lunch_start,
    cast(lunch_end as {{ dbt.type_string() }}) as lunch_end
from source_halls
