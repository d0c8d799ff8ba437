{#- Every item of every catalogue snapshot, classified for the supply metrics of the metric
    dictionary: in scope (items handled on application), active, online-available (depth >= 2,
    and variant B counting items flagged unsuitable for online), full-online (depth 4 and zero
    required trips; depth 4 with trips > 0 is a data-quality error counted as not full-online).
    Incremental: a run adds the snapshots loaded since the last run (delete + insert by
    snapshot date); without a new catalogue load it reads nothing. -#}

{{
    config(
        materialized='incremental',
        unique_key='snapshot_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with item_snapshots as (

    select * from {{ ref('stg_catalogue__service_items') }}
    {% if is_incremental() %}
    where _loaded_at > {{ stored_watermark(this, '_loaded_at') }}
    {% endif %}

)

select
    snapshot_date,
    item_code,
    catalogue_code,
    item_name,
    item_type,
    audience,
    department_code,
    region_code,
    admin_level,
    depth_level,
    is_unsuitable_online,
    required_trips,
    legal_limit_days,
    promised_limit_days,
    is_cross_department,
    item_status,
    item_type in {{ sql_string_list(var('in_scope_item_types')) }} as is_in_scope,
    item_status = 'active' as is_active,
    depth_level >= 2 as is_online_available,
    depth_level >= 2 or is_unsuitable_online as is_online_available_incl_unsuitable,
    depth_level = 4 and required_trips = 0 as is_full_online,
    depth_level = 4 and required_trips > 0 as has_depth_trips_conflict,
    required_trips <= 1 as is_one_trip_item,
    required_trips = 0 as is_zero_trip_item,
    promised_limit_days = 0 as is_instant_item,
    _loaded_at
from item_snapshots
