{#- The administrative hierarchy city → county → township → village, flattened so that any
    region can be rolled up to each of its ancestors with one join. One more member, the
    unknown region (var unknown_member_code), a county of the city: cases and items whose
    region is missing or not in the city's regions.csv are counted there, so that the counties and
    the city still add up (nothing vanishes from a roll-up). -#}

with configured_regions as (

    select * from {{ ref('stg_city__regions') }}

),

unknown_region as (

    select
        '{{ var("unknown_member_code") }}' as region_code,
        '未知区划' as region_name,
        'county' as admin_level,
        min(region_code) as parent_region_code
    from configured_regions
    where admin_level = 'city'

),

regions as (

    select region_code, region_name, admin_level, parent_region_code from configured_regions
    union all
    select region_code, region_name, admin_level, parent_region_code from unknown_region

),

parents as (

    select region_code, region_name, admin_level, parent_region_code from regions

),

with_ancestors as (

    select
        region.region_code,
        region.region_name,
        region.admin_level,
        region.parent_region_code,
        parent.admin_level as parent_admin_level,
        grandparent.region_code as grandparent_region_code,
        grandparent.admin_level as grandparent_admin_level,
        great_grandparent.region_code as great_grandparent_region_code
    from regions as region
    left join parents as parent
        on region.parent_region_code = parent.region_code
    left join parents as grandparent
        on parent.parent_region_code = grandparent.region_code
    left join parents as great_grandparent
        on grandparent.parent_region_code = great_grandparent.region_code

)

select
    region_code,
    region_name,
    admin_level,
    parent_region_code,
    case admin_level
        when 'city' then region_code
        when 'county' then parent_region_code
        when 'township' then grandparent_region_code
        when 'village' then great_grandparent_region_code
    end as city_code,
    case admin_level
        when 'county' then region_code
        when 'township' then parent_region_code
        when 'village' then grandparent_region_code
    end as county_code,
    case admin_level
        when 'township' then region_code
        when 'village' then parent_region_code
    end as township_code,
    region_code <> '{{ var("unknown_member_code") }}' as is_configured
from with_ancestors
