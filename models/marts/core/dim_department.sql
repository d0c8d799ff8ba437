with departments as (

    select * from {{ ref('departments') }}

)

select
    department_code,
    department_name,
    department_name_en
from departments
