with source_orders as (

    select * from {{ source('hotline', 'consultations') }}

),

renamed as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        channel,
        kind,
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        cast(department_code as {{ dbt.type_string() }}) as department_code,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        subject,
        citizen_name as citizen_name_hash,
        citizen_phone as citizen_phone_hash,
        cast(received_at as timestamp) as received_at,
        cast(assigned_at as timestamp) as assigned_at,
        cast(first_reply_at as timestamp) as first_reply_at,
        cast(closed_at as timestamp) as closed_at,
        cast(callback_at as timestamp) as callback_at,
        cast(transfers as integer) as transfers,
        status as order_status,
        cast(reply_due_at as timestamp) as order_reply_due_at,
        cast(reply_limit_days as integer) as order_reply_limit_days,
        cast(close_due_at as timestamp) as order_close_due_at,
        cast(close_limit_days as integer) as order_close_limit_days,
        cast(rating as integer) as rating,
        callback_reached as is_callback_reached,
        solved as is_solved,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from source_orders

)

select * from renamed
