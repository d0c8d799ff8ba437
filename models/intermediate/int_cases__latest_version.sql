{#- A case is re-exported every time its status changes; the latest version wins (latest
    updated_at, then the latest load). Older versions stay in raw as history.
    Incremental: a load ranks only the versions loaded since the last run (found by load time
    against the stored watermark as a literal, so the scan of raw skips earlier loads); a
    case's best new version replaces the stored one unless the stored one ranks before it
    (the stored version is the best of the older ones, so the winner is the one a full
    ranking would pick). -#}

{{
    config(
        materialized='incremental',
        unique_key='case_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- the applicant key is kept; the name and phone hashes stay in raw and staging -#}
{%- set version_columns = [
    'case_id', 'item_code', 'department_code', 'region_code', 'applicant_type', 'applicant_id',
    'channel', 'is_assisted_online', 'hall_code', 'submitted_at', 'accepted_at', 'completed_at',
    'withdrawn_at', 'case_status', 'decision', 'suspended_working_days', 'trips',
    'result_delivery', 'rating', 'rated_at', 'is_default_rating', 'rectified_at', 'updated_at',
    '_source_file', '_loaded_at'
] -%}

{%- set version_order -%}
    updated_at desc, _loaded_at desc, _source_file desc
{%- endset %}

with

{% if is_incremental() %}
new_versions as (

    select {{ version_columns | join(', ') }}
    from {{ ref('stg_case_platform__case_logs') }}
    where _loaded_at > {{ stored_watermark(this, '_loaded_at') }}

),

ranked_new_versions as (

    select
        new_versions.*,
        row_number() over (partition by case_id order by {{ version_order }}) as version_rank
    from new_versions

),

-- the version time of the versions stored so far (only that: whole rows of the table would
-- cost more to read than everything else here)
stored_versions as (

    select case_id, updated_at
    from {{ this }}
    where case_id in (select case_id from new_versions)

),

latest_versions as (

    -- the best new version, unless the stored one ranks before it in the same order: every
    -- stored version was loaded before every new one, so only a later version time (or a
    -- missing one on the new version: nulls rank last) keeps the stored version
    select ranked_new_versions.*
    from ranked_new_versions
    left join stored_versions
        on ranked_new_versions.case_id = stored_versions.case_id
    where ranked_new_versions.version_rank = 1
        and not coalesce(
            stored_versions.updated_at > ranked_new_versions.updated_at
            or (
                ranked_new_versions.updated_at is null
                and stored_versions.updated_at is not null
            ),
            false
        )

)
{% else %}
ranked_versions as (

    select
        {{ version_columns | join(', ') }},
        row_number() over (partition by case_id order by {{ version_order }}) as version_rank
    from {{ ref('stg_case_platform__case_logs') }}

),

latest_versions as (

    select * from ranked_versions where version_rank = 1

)
{% endif %}

select {{ version_columns | join(', ') }}, version_rank
from latest_versions
