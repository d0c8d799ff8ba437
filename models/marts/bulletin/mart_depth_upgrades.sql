{#- 网办深度提升 — the in-scope items whose online-handling depth rose, dated by the ISO week
    the new catalogue version became valid (the weekly bulletin's "depth upgrades" section):
    the item, its department, the depth before (previous version) and after. The bulletin
    reads `where week_start = ? order by listing_order` (department, then item name). -#}

with item_versions as (

    select item_code, version_number, item_name, department_code, depth_level, valid_from,
        is_in_scope
    from {{ ref('dim_service_item') }}

),

upgrades as (

    select
        {{ week_start('current_version.valid_from') }} as week_start,
        current_version.item_code,
        current_version.version_number,
        current_version.item_name,
        current_version.department_code,
        departments.department_name,
        previous_version.depth_level as depth_before,
        current_version.depth_level as depth_after,
        current_version.valid_from
    from item_versions as current_version
    inner join item_versions as previous_version
        on current_version.item_code = previous_version.item_code
        and previous_version.version_number = current_version.version_number - 1
    inner join {{ ref('dim_department') }} as departments
        on current_version.department_code = departments.department_code
    where current_version.depth_level > previous_version.depth_level
        and current_version.is_in_scope

)

select
    week_start,
    cast({{ dbt.dateadd('day', 6, 'week_start') }} as date) as week_end,
    row_number() over (
        partition by week_start
        order by department_name, item_name, item_code
    ) as listing_order,
    item_code,
    version_number,
    item_name,
    department_code,
    department_name,
    depth_before,
    depth_after,
    valid_from
from upgrades
