with source_materials as (

    select * from {{ source('guide_system', 'service_guide_materials') }}

),

renamed as (

    select
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        cast(guide_version as {{ dbt.type_string() }}) as guide_version,
        cast(published_date as date) as published_date,
        cast(material_no as integer) as material_no,
        material_name,
        format_requirement,
        form_url,
        sample_url,
        filling_instructions,
        is_required,
        _source_file,
        _loaded_at
    from source_materials

)

select * from renamed
