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
    halls.hall_level,
    -- opening hours as HH:MM text, as forecasting parses them (the seed pins them to text; a
    -- warehouse seeded before that holds a time, printed HH:MM:SS: the first five characters)
    {%- for column in ['open_time', 'close_time', 'lunch_start', 'lunch_end'] %}
    substring(cast(halls.{{ column }} as {{ dbt.type_string() }}), 1, 5) as {{ column }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from halls
left join {{ ref('dim_region') }} as regions
    on halls.region_code = regions.region_code
