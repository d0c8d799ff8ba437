{#- Service halls: the configured ones (city folder halls.csv) with their windows and hours,
    then every other hall code the queue tickets or the cases use, named by its code and
    without windows or hours (planning leaves them out; their tickets still count). -#}

with configured_halls as (

    select * from {{ ref('stg_city__halls') }}

),

observed_halls as (

    select hall_code from {{ ref('stg_queue_system__hall_tickets') }} where hall_code is not null
    union
    select hall_code from {{ ref('stg_case_platform__case_logs') }} where hall_code is not null

),

halls as (

    select
        hall_code,
        hall_name,
        region_code,
        hall_level,
        windows_normal,
        windows_lunch,
        open_time,
        close_time,
        lunch_start,
        lunch_end,
        true as is_configured
    from configured_halls
    union all
    select
        hall_code,
        hall_code as hall_name,
        cast(null as {{ dbt.type_string() }}) as region_code,
        cast(null as {{ dbt.type_string() }}) as hall_level,
        cast(null as integer) as windows_normal,
        cast(null as integer) as windows_lunch,
        cast(null as {{ dbt.type_string() }}) as open_time,
        cast(null as {{ dbt.type_string() }}) as close_time,
        cast(null as {{ dbt.type_string() }}) as lunch_start,
        cast(null as {{ dbt.type_string() }}) as lunch_end,
        false as is_configured
    from observed_halls
    where hall_code not in (select hall_code from configured_halls)

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
    halls.open_time,
    halls.close_time,
    halls.lunch_start,
    halls.lunch_end,
    halls.is_configured
from halls
left join {{ ref('dim_region') }} as regions
    on halls.region_code = regions.region_code
