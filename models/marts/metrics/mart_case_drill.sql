{#- 下钻 The case list behind the cockpit's drill path (city → district → department → item →
    cases): one row per completed case with the names a reader drills by, the pseudonymised
    applicant and the additive parts of the demand metrics (macro case_metric_parts), so any
    roll-up of it is the rate mart_case_metrics_daily gives. No personal data: the applicant
    is the keyed hash made at ingestion, shortened; names, phone numbers and ID numbers never
    reach the warehouse. Cases handled at city level are their own district row, 市本级.
    Incremental: a run rebuilds whole completion days that received a case touched by the
    run (delete + insert by day), as mart_case_metrics_daily. -#}

{{
    config(
        materialized='incremental',
        unique_key='completion_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with

{% if is_incremental() %}
changed_days as (

    {{ days_changed_since_last_run(ref('fct_cases'), 'completion_date', '_watermark') }}

),
{% endif %}

completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed
    {% if is_incremental() %}
        and completion_date in (select completion_date from changed_days)
    {% endif %}

),

current_items as (

    select item_code, item_name from {{ ref('dim_service_item') }} where is_current

),

case_regions as (

    select
        regions.region_code,
        coalesce(regions.county_code, regions.city_code) as county_code,
        case
            when regions.county_code is not null then counties.region_name
            else {{ dbt.concat(['cities.region_name', "'（市本级）'"]) }}
        end as district_name
    from {{ ref('dim_region') }} as regions
    left join {{ ref('dim_region') }} as counties
        on regions.county_code = counties.region_code
    left join {{ ref('dim_region') }} as cities
        on regions.city_code = cities.region_code

),

-- the metric parts, from fct_cases alone (their conditions name its columns)
case_parts as (

    select
        case_id,
        cast(1 as bigint) as completed_cases,
        {%- for part, condition in case_metric_parts() %}
        cast(case when {{ condition }} then 1 else 0 end as bigint) as {{ part }}{{ ',' if not loop.last }}
        {%- endfor %}
    from completed_cases

),

run_watermark as (

    select max(_watermark) as _watermark from {{ ref('fct_cases') }}

)

select
    completed_cases.completion_date,
    completed_cases.case_id,
    case_regions.county_code,
    case_regions.district_name,
    departments.department_name,
    coalesce(current_items.item_name, completed_cases.item_code) as item_name,
    channels.channel_name_zh,
    -- the ingestion's keyed hash (HMAC), shortened: enough to tell applicants apart in a list
    case
        when completed_cases.applicant_id is null then '—'
        else {{ dbt.concat(["'申请人-'", 'substr(completed_cases.applicant_id, 1, 10)']) }}
    end as applicant_pseudonym,
    case
        when completed_cases.is_on_time then '按时'
        when completed_cases.is_on_time is not null then '超期'
        else '无时限'
    end as on_time_zh,
    completed_cases.elapsed_working_days,
    completed_cases.trips,
    completed_cases.rating,
    case_parts.completed_cases,
    {%- for part, _ in case_metric_parts() %}
    case_parts.{{ part }},
    {%- endfor %}
    run_watermark._watermark
from completed_cases
inner join case_parts
    on completed_cases.case_id = case_parts.case_id
cross join run_watermark
left join case_regions
    on completed_cases.region_code = case_regions.region_code
left join {{ ref('dim_department') }} as departments
    on completed_cases.department_code = departments.department_code
left join current_items
    on completed_cases.item_code = current_items.item_code
left join {{ ref('dim_channel') }} as channels
    on completed_cases.channel = channels.channel
