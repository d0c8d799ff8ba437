with source_tickets as (

    select * from {{ source('queue_system', 'hall_tickets') }}

),

renamed as (

    select
        cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
        cast(hall_code as {{ dbt.type_string() }}) as hall_code,
        business_type,
        cast(department_code as {{ dbt.type_string() }}) as department_code,
        cast(ticket_taken_at as timestamp) as ticket_taken_at,
        cast(called_at as timestamp) as called_at,
        cast(left_at as timestamp) as left_at,
        cast(service_start_at as timestamp) as service_started_at,
        cast(service_end_at as timestamp) as service_ended_at,
        cast(window_no as {{ dbt.type_string() }}) as window_no,
        outcome as ticket_outcome,
        cast(case_id as {{ dbt.type_string() }}) as case_id,
        _source_file,
        _loaded_at
    from source_tickets

)

select * from renamed
