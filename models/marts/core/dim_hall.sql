with halls as (

    select * from {{ ref('halls') }}

)

select
    halls.hall_code,
    halls.hall_name,
    halls.region_code,
    regions.region_name,
    regions.admin_level,
    regions.county_code,
    halls.windows_normal
from halls
left join {{ ref('dim_region') }} as regions
    on halls.region_code = regions.region_code
