{#- 网办深度提升 — which level-1/2 items of the current catalogue would lift the reform metrics
    most if upgraded, by volume: upgrading a level-1 item adds one item to the numerator of the
    online-available rate (city-wide and in its region); moving an item fully online would
    turn its offline cases of the last twelve months into online ones, lifting the online case
    share by that many cases over all completed cases of the window. -#}

with current_items as (

    select * from {{ ref('dim_service_item') }}
    where is_current and is_in_scope and item_status = 'active'

),

as_of as (

    -- the last completion day: the twelve months of volume end on it
    select last_completion_date as as_of_date
    from {{ ref('int_cases__data_days') }}

),

recent_volume as (

    select
        metrics.item_code,
        sum(metrics.completed_cases) as completed_cases,
        sum(metrics.completed_cases - metrics.online_cases) as offline_cases
    from {{ ref('mart_case_metrics_daily') }} as metrics
    cross join as_of
    where metrics.completion_date > cast({{ dbt.dateadd('day', -365, 'as_of.as_of_date') }} as date)
    group by metrics.item_code

),

window_totals as (

    select sum(completed_cases) as all_completed_cases from recent_volume

),

catalogue_totals as (

    select count(*) as active_items from current_items

),

region_totals as (

    select region_code, count(*) as region_active_items
    from current_items
    group by region_code

)

select
    current_items.item_code,
    current_items.item_name,
    current_items.item_type,
    current_items.department_code,
    departments.department_name,
    current_items.region_code,
    regions.region_name,
    current_items.admin_level,
    current_items.depth_level,
    current_items.required_trips,
    current_items.is_unsuitable_online,
    cast(coalesce(recent_volume.completed_cases, 0) as bigint) as completed_cases_last_year,
    cast(coalesce(recent_volume.offline_cases, 0) as bigint) as offline_cases_last_year,
    case
        when current_items.depth_level = 1 then 1.0 / catalogue_totals.active_items else 0.0
    end as online_available_rate_lift_city,
    case
        when current_items.depth_level = 1 then 1.0 / region_totals.region_active_items else 0.0
    end as online_available_rate_lift_region,
    {{ safe_ratio('coalesce(recent_volume.offline_cases, 0)', 'window_totals.all_completed_cases') }}
        as online_case_share_lift,
    rank() over (
        order by coalesce(recent_volume.offline_cases, 0) desc, current_items.item_code
    ) as volume_rank
from current_items
cross join catalogue_totals
cross join window_totals
left join region_totals
    on current_items.region_code = region_totals.region_code
left join recent_volume
    on current_items.item_code = recent_volume.item_code
left join {{ ref('dim_department') }} as departments
    on current_items.department_code = departments.department_code
left join {{ ref('dim_region') }} as regions
    on current_items.region_code = regions.region_code
where current_items.depth_level in (1, 2)
