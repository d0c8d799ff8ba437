with source_guides as (

    select * from {{ source('guide_system', 'service_guides') }}

),

renamed as (

    select
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        cast(guide_version as {{ dbt.type_string() }}) as guide_version,
        cast(published_date as date) as published_date,
        item_name,
        cast(department_code as {{ dbt.type_string() }}) as department_code,
        department_name,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        process_steps,
        cast(legal_limit_days as integer) as legal_limit_days,
        cast(promised_limit_days as integer) as promised_limit_days,
        fee,
        contact_phone,
        complaint_phone,
        legal_basis,
        handling_place,
        handling_hours,
        _source_file,
        _loaded_at
    from source_guides

)

select * from renamed
