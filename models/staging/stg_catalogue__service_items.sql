with source_snapshots as (

    select * from {{ source('catalogue', 'service_items') }}

),

renamed as (

    select
        cast(snapshot_date as date) as snapshot_date,
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        cast(catalogue_code as {{ dbt.type_string() }}) as catalogue_code,
        item_name,
        item_type,
        audience,
        cast(department_code as {{ dbt.type_string() }}) as department_code,
        department_name,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        admin_level,
        cast(depth_level as integer) as depth_level,
        coalesce(cast(unsuitable_online as boolean), false) as is_unsuitable_online,
        cast(required_trips as integer) as required_trips,
        cast(legal_limit_days as integer) as legal_limit_days,
        cast(promised_limit_days as integer) as promised_limit_days,
        coalesce(cast(is_cross_department as boolean), false) as is_cross_department,
        status as item_status,
        _source_file,
        _loaded_at
    from source_snapshots

)

select * from renamed
