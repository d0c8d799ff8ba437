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
    halls.windows_normal,
    halls.windows_lunch,
    halls.open_time,
    halls.close_time,
    halls.lunch_start,
    halls.lunch_end
from halls
left join {{ ref('dim_region') }} as regions
    on halls.region_code = regions.region_code
