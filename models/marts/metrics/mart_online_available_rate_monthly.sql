{#- 网上可办率 — online-available rate, by the region implementing the items and month.
    Supply metric: the catalogue as valid on the last day of the month; active in-scope items
    (handled on application) are the denominator, those with depth >= 2 the numerator.
    Variant B also counts items flagged unsuitable for online handling as available.
    Numerator and denominator are stored so any roll-up is a ratio of sums. -#}

with month_ends as (

    select
        month_start,
        max(calendar_date) as month_end
    from {{ ref('dim_date') }}
    group by month_start

),

catalogue_span as (

    select
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date
    from {{ ref('stg_catalogue__service_items') }}

),

reporting_months as (

    select
        month_ends.month_start,
        month_ends.month_end,
        snapshot_for_date.catalogue_snapshot_date
    from month_ends
    cross join catalogue_span
    inner join {{ ref('int_catalogue__snapshot_for_date') }} as snapshot_for_date
        on month_ends.month_end = snapshot_for_date.calendar_date
    where month_ends.month_end >= catalogue_span.first_snapshot_date
        and month_ends.month_start <= catalogue_span.last_snapshot_date

),

active_items as (

    select * from {{ ref('int_service_items__classified') }}
    where is_in_scope and is_active

),

items_by_region_month as (

    select
        reporting_months.month_start,
        reporting_months.month_end,
        reporting_months.catalogue_snapshot_date,
        active_items.region_code,
        cast(count(*) as bigint) as active_items,
        cast(sum(case when active_items.is_online_available then 1 else 0 end) as bigint)
            as online_available_items,
        cast(sum(case when active_items.is_online_available_incl_unsuitable then 1 else 0 end) as bigint)
            as online_available_items_incl_unsuitable
    from reporting_months
    inner join active_items
        on reporting_months.catalogue_snapshot_date = active_items.snapshot_date
    group by
        reporting_months.month_start,
        reporting_months.month_end,
        reporting_months.catalogue_snapshot_date,
        active_items.region_code

)

select
    items_by_region_month.month_start,
    items_by_region_month.month_end,
    items_by_region_month.catalogue_snapshot_date,
    items_by_region_month.region_code,
    regions.region_name,
    regions.admin_level,
    regions.county_code,
    items_by_region_month.active_items,
    items_by_region_month.online_available_items,
    {{ safe_ratio('items_by_region_month.online_available_items', 'items_by_region_month.active_items') }}
        as online_available_rate,
    items_by_region_month.online_available_items_incl_unsuitable,
    {{ safe_ratio('items_by_region_month.online_available_items_incl_unsuitable', 'items_by_region_month.active_items') }}
        as online_available_rate_incl_unsuitable
from items_by_region_month
left join {{ ref('dim_region') }} as regions
    on items_by_region_month.region_code = regions.region_code
