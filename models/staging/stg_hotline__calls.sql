with source_calls as (

    select * from {{ source('hotline', 'hotline_calls') }}

),

renamed as (

    select
        cast(call_id as {{ dbt.type_string() }}) as call_id,
        cast(line as {{ dbt.type_string() }}) as line,
        cast(offered_at as timestamp) as offered_at,
        cast(answered_at as timestamp) as answered_at,
        cast(ended_at as timestamp) as ended_at,
        outcome as call_outcome,
        cast(agent_id as {{ dbt.type_string() }}) as agent_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        _source_file,
        _loaded_at
    from source_calls

)

select * from renamed
