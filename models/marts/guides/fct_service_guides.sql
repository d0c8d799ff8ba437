{#- One row per item and guide version (办事指南), with the six completeness checks
    (int_service_guides__checked), whether the version is the item's current one, how long it
    was in force, and whether its time limit disagrees with the catalogue's promised limit (the
    catalogue snapshot valid on the guide's publication date) or with the cases' own limits
    (the most common case_limit_days of the item's cases, ties to the lower). A department or
    region missing or not in its dimension is the unknown member (var unknown_member_code),
    as in fct_cases. -#}

with checked_guides as (

    select * from {{ ref('int_service_guides__checked') }}

),

departments as (

    select department_code, department_name from {{ ref('dim_department') }}

),

regions as (

    select region_code from {{ ref('dim_region') }}

),

versions_in_order as (

    select
        checked_guides.*,
        row_number() over (
            partition by item_code order by published_date desc, guide_version desc
        ) as recency_rank,
        lead(published_date) over (
            partition by item_code order by published_date, guide_version
        ) as next_published_date
    from checked_guides

),

-- the catalogue as valid on each guide's publication date
catalogue_limits as (

    select
        guide_dates.published_date,
        items.item_code,
        items.promised_limit_days
    from (select distinct published_date from checked_guides) as guide_dates
    inner join {{ ref('int_catalogue__snapshot_for_date') }} as snapshot_for_date
        on guide_dates.published_date = snapshot_for_date.calendar_date
    inner join {{ ref('stg_catalogue__service_items') }} as items
        on snapshot_for_date.catalogue_snapshot_date = items.snapshot_date

),

case_limit_counts as (

    select item_code, case_limit_days, count(*) as cases
    from {{ ref('fct_cases') }}
    where case_limit_days is not null
    group by item_code, case_limit_days

),

case_limits as (

    select item_code, case_limit_days
    from (
        select
            item_code,
            case_limit_days,
            row_number() over (
                partition by item_code order by cases desc, case_limit_days
            ) as frequency_rank
        from case_limit_counts
    ) as ranked
    where frequency_rank = 1

)

select
    versions_in_order.item_code,
    versions_in_order.guide_version,
    versions_in_order.published_date,
    cast({{ dbt.dateadd('day', -1, 'versions_in_order.next_published_date') }} as date)
        as valid_to,
    versions_in_order.recency_rank = 1 as is_current,
    versions_in_order.item_name,
    case
        when versions_in_order.department_code in (select department_code from departments)
            then versions_in_order.department_code
        else '{{ var("unknown_member_code") }}'
    end as department_code,
    coalesce(departments.department_name, versions_in_order.department_name) as department_name,
    versions_in_order.department_code as reported_department_code,
    case
        when versions_in_order.region_code in (select region_code from regions)
            then versions_in_order.region_code
        else '{{ var("unknown_member_code") }}'
    end as region_code,
    versions_in_order.region_code as reported_region_code,
    versions_in_order.material_count,
    versions_in_order.gap_steps_name_only,
    versions_in_order.gap_no_limit_fee_contact,
    versions_in_order.gap_vague_materials,
    versions_in_order.vague_phrase,
    versions_in_order.gap_no_form_download,
    versions_in_order.gap_no_instructions_or_sample,
    versions_in_order.gap_no_format_requirements,
    versions_in_order.materials_without_format,
    versions_in_order.gap_count,
    versions_in_order.gap_count = 0 as is_complete,
    versions_in_order.guide_limit_days,
    catalogue_limits.promised_limit_days as catalogue_promised_limit_days,
    case
        when versions_in_order.guide_limit_days is null
            or catalogue_limits.promised_limit_days is null then null
        else versions_in_order.guide_limit_days <> catalogue_limits.promised_limit_days
    end as limit_disagrees_catalogue,
    case_limits.case_limit_days as cases_limit_days,
    case
        when versions_in_order.guide_limit_days is null
            or case_limits.case_limit_days is null then null
        else versions_in_order.guide_limit_days <> case_limits.case_limit_days
    end as limit_disagrees_cases,
    versions_in_order._loaded_at
from versions_in_order
left join departments
    on versions_in_order.department_code = departments.department_code
left join catalogue_limits
    on versions_in_order.published_date = catalogue_limits.published_date
    and versions_in_order.item_code = catalogue_limits.item_code
left join case_limits
    on versions_in_order.item_code = case_limits.item_code
