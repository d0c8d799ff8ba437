with source_case_versions as (

    select * from {{ source('case_platform', 'case_logs') }}

),

renamed as (

    select
        cast(case_id as {{ dbt.type_string() }}) as case_id,
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        cast(department_code as {{ dbt.type_string() }}) as department_code,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        applicant_type,
        applicant_id,
        applicant_name,
        applicant_phone,
        channel,
        coalesce(cast(assisted_online as boolean), false) as is_assisted_online,
        cast(hall_code as {{ dbt.type_string() }}) as hall_code,
        cast(submitted_at as timestamp) as submitted_at,
        cast(accepted_at as timestamp) as accepted_at,
        cast(completed_at as timestamp) as completed_at,
        cast(withdrawn_at as timestamp) as withdrawn_at,
        status as case_status,
        decision,
        coalesce(cast(suspended_days as integer), 0) as suspended_working_days,
        cast(due_at as timestamp) as case_due_at,
        cast(limit_days as integer) as case_limit_days,
        coalesce(limit_day_kind, 'working') as case_limit_day_kind,
        cast(trips as integer) as trips,
        result_delivery,
        cast(rating as integer) as rating,
        cast(rating_at as timestamp) as rated_at,
        coalesce(cast(rating_is_default as boolean), false) as is_default_rating,
        cast(rectified_at as timestamp) as rectified_at,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from source_case_versions

)

select * from renamed
