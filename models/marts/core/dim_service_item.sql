{#- Service items with their history (SCD type 2): one row per item and version, a version
    being a run of consecutive catalogue snapshots in which the tracked attributes did not
    change. valid_to is exclusive (the first snapshot that no longer shows this version) and
    null for versions still in the latest snapshot. An item missing from a snapshot ends its
    version; it gets a new one if it comes back. The item as valid on date D is the version
    with valid_from <= D < coalesce(valid_to, D + 1).
    Incremental: rebuilt whole (delete + insert of every item) when the catalogue received a
    load since the last run, untouched otherwise. -#}

{{
    config(
        materialized='incremental',
        unique_key='item_code',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with item_snapshots as (

    select * from {{ ref('int_service_items__classified') }}

),

snapshot_sequence as (

    select
        snapshot_date,
        row_number() over (order by snapshot_date) as snapshot_number,
        lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
    from (select distinct snapshot_date from item_snapshots) as snapshot_dates

),

fingerprinted as (

    select
        item_snapshots.*,
        snapshot_sequence.snapshot_number,
        snapshot_sequence.next_snapshot_date,
        {{ row_fingerprint([
            'item_name', 'item_type', 'audience', 'department_code', 'region_code',
            'admin_level', 'depth_level', 'is_unsuitable_online', 'required_trips',
            'legal_limit_days', 'promised_limit_days', 'is_cross_department', 'item_status'
        ]) }} as attribute_fingerprint
    from item_snapshots
    inner join snapshot_sequence
        on item_snapshots.snapshot_date = snapshot_sequence.snapshot_date

),

change_flagged as (

    select
        fingerprinted.*,
        case
            when lag(snapshot_number) over (
                partition by item_code order by snapshot_number
            ) = snapshot_number - 1
            and lag(attribute_fingerprint) over (
                partition by item_code order by snapshot_number
            ) = attribute_fingerprint
                then 0
            else 1
        end as starts_version
    from fingerprinted

),

versioned as (

    select
        change_flagged.*,
        sum(starts_version) over (
            partition by item_code
            order by snapshot_number
            rows between unbounded preceding and current row
        ) as version_number
    from change_flagged

),

versions as (

    select
        item_code,
        version_number,
        min(snapshot_date) as valid_from,
        max(snapshot_date) as last_seen_snapshot_date,
        max(snapshot_number) as last_snapshot_number
    from versioned
    group by item_code, version_number

),

latest_snapshot as (

    select max(snapshot_number) as snapshot_number from snapshot_sequence

),

catalogue_watermark as (

    select max(_loaded_at) as _watermark from {{ ref('int_service_items__classified') }}

)

select
    {{ dbt.hash(dbt.concat(["versioned.item_code", "'#'", "cast(versioned.version_number as " ~ dbt.type_string() ~ ")"])) }}
        as item_version_key,
    versioned.item_code,
    cast(versioned.version_number as integer) as version_number,
    versions.valid_from,
    versioned.next_snapshot_date as valid_to,
    versions.last_snapshot_number = latest_snapshot.snapshot_number as is_current,
    versioned.catalogue_code,
    versioned.item_name,
    versioned.item_type,
    versioned.audience,
    versioned.department_code,
    versioned.region_code,
    versioned.admin_level,
    versioned.depth_level,
    versioned.is_unsuitable_online,
    versioned.required_trips,
    versioned.legal_limit_days,
    versioned.promised_limit_days,
    versioned.is_cross_department,
    versioned.item_status,
    versioned.is_in_scope,
    versioned.is_online_available,
    versioned.is_full_online,
    versioned.has_depth_trips_conflict,
    versioned.is_instant_item,
    catalogue_watermark._watermark
from versioned
inner join versions
    on versioned.item_code = versions.item_code
    and versioned.version_number = versions.version_number
    and versioned.snapshot_number = versions.last_snapshot_number
cross join latest_snapshot
cross join catalogue_watermark
{% if not has_rows_since_last_run(ref('int_service_items__classified'), '_loaded_at') %}
-- no catalogue load since the last run: the stored versions stand
where false
{% endif %}
