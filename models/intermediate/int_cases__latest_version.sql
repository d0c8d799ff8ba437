{#- A case is re-exported every time its status changes; the latest version wins (latest
    updated_at, then the latest load). Older versions stay in raw as history.
    Incremental: a load re-ranks only the cases that received a version since the last run. -#}

{{
    config(
        materialized='incremental',
        unique_key='case_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with case_versions as (

    select * from {{ ref('stg_case_platform__case_logs') }}

),

{% if is_incremental() %}
changed_cases as (

    select distinct case_id
    from case_versions
    where _loaded_at > (select max(_loaded_at) from {{ this }})

),
{% endif %}

ranked_versions as (

    select
        case_versions.*,
        row_number() over (
            partition by case_versions.case_id
            order by
                case_versions.updated_at desc,
                case_versions._loaded_at desc,
                case_versions._source_file desc
        ) as version_rank
    from case_versions
    {% if is_incremental() %}
    where case_versions.case_id in (select case_id from changed_cases)
    {% endif %}

)

-- the applicant key is kept; the name and phone hashes stay in raw and staging
select
    case_id, item_code, department_code, region_code, applicant_type, applicant_id,
    channel, is_assisted_online, hall_code, submitted_at, accepted_at, completed_at,
    withdrawn_at, case_status, decision, suspended_working_days, trips, result_delivery,
    rating, rated_at, is_default_rating, rectified_at, updated_at, _source_file, _loaded_at,
    version_rank
from ranked_versions
where version_rank = 1
