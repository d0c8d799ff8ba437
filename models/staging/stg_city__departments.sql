with source_departments as (

    select * from {{ source('city', 'departments') }}

)

select
    cast(department_code as {{ dbt.type_string() }}) as department_code,
    cast(department_name as {{ dbt.type_string() }}) as department_name,
    cast(department_name_en as {{ dbt.type_string() }}) as department_name_en
from source_departments
