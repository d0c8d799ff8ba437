{#- 超期与临期办件 by district — per ISO week, how many open cases of each district (county; the
    city's own cases as 市本级) were past their deadline (red) or close to it (yellow) at 24:00
    of the week's Sunday (the weekly bulletin's district table). Districts with neither that
    week have no row; ranked most red first, then most yellow, then name:
    `where week_start = ? order by district_rank`. -#}

with red_cases as (

    {{ alert_cases_at_week_end('red') }}

),

yellow_cases as (

    {{ alert_cases_at_week_end('yellow') }}

),

alert_cases as (

    select week_start, week_end, county_code, 1 as is_red, 0 as is_yellow from red_cases
    union all
    select week_start, week_end, county_code, 0 as is_red, 1 as is_yellow from yellow_cases

),

district_counts as (

    select
        week_start,
        week_end,
        county_code,
        sum(is_red) as overdue_cases,
        sum(is_yellow) as yellow_cases
    from alert_cases
    group by week_start, week_end, county_code

),

named_counts as (

    select
        district_counts.*,
        case
            when regions.admin_level = 'city' then regions.region_name || '（市本级）'
            else regions.region_name
        end as district_name
    from district_counts
    inner join {{ ref('dim_region') }} as regions
        on district_counts.county_code = regions.region_code

)

select
    week_start,
    week_end,
    row_number() over (
        partition by week_start
        order by overdue_cases desc, yellow_cases desc, district_name
    ) as district_rank,
    county_code,
    district_name,
    cast(overdue_cases as bigint) as overdue_cases,
    cast(yellow_cases as bigint) as yellow_cases
from named_counts
