{#- Every supply metric of the dictionary (what can be done online), by week / month / year
    for the city, each county/district, township, department and administrative level of the
    implementing region (the targets are set per level: e.g. 50% of city/county items by
    2018): the catalogue as valid on the period's last day (the latest snapshot for the
    current period). Scope: active items handled on application (var in_scope_item_types).
    Roll up by summing the parts.
    Incremental: rebuilt whole (delete + insert of every period) when the catalogue received a
    load since the last run, untouched otherwise. -#}

{#- append_new_columns: a warehouse built before the metric registry gains _definition_hash
    (its definitions unknown, every period is recomputed) -#}
{{
    config(
        materialized='incremental',
        unique_key=['period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{%- set combinations = [
    ('week', 'city'), ('week', 'county'), ('week', 'department'), ('week', 'admin_level'),
    ('month', 'city'), ('month', 'county'), ('month', 'township'), ('month', 'department'),
    ('month', 'admin_level'),
    ('year', 'city'), ('year', 'county'), ('year', 'township'), ('year', 'department'),
    ('year', 'admin_level')
] -%}
{%- set redefined = metric_definitions_changed(this.identifier) -%}

with catalogue_span as (

    select
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        max(_loaded_at) as _watermark
    from {{ ref('int_service_items__classified') }}

),

calendar_days as (

    select * from {{ ref('dim_date') }}

),

periods as (

    {%- for grain, end_column in period_ends().items() if grain != 'day' %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_grains()[grain] }} as period_start,
        {{ end_column }} as period_end
    from calendar_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

reporting_periods as (

    select
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        snapshot_for_date.catalogue_snapshot_date
    from periods
    cross join catalogue_span
    inner join {{ ref('int_catalogue__snapshot_for_date') }} as snapshot_for_date
        on periods.period_end = snapshot_for_date.calendar_date
    where periods.period_end >= catalogue_span.first_snapshot_date
        and periods.period_start <= catalogue_span.last_snapshot_date

),

-- an item whose region is missing or not configured counts in the unknown region (a county
-- of the city): the city total keeps every item
classified_items as (

    select
        items.*,
        case
            when items.region_code in (select region_code from {{ ref('dim_region') }})
                then items.region_code
            else '{{ var("unknown_member_code") }}'
        end as known_region_code
    from {{ ref('int_service_items__classified') }} as items

),

items_in_periods as (

    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        reporting_periods.catalogue_snapshot_date,
        items.*,
        regions.city_code,
        regions.county_code,
        regions.township_code
    from reporting_periods
    inner join classified_items as items
        on reporting_periods.catalogue_snapshot_date = items.snapshot_date
    left join {{ ref('dim_region') }} as regions
        on items.known_region_code = regions.region_code
    where items.is_in_scope and items.is_active

),

{%- set measures %}
        max(catalogue_snapshot_date) as catalogue_snapshot_date,
        count(*) as active_items,
        -- optional catalogue fields: a rate counts only the items that have the field
        sum(case when depth_level is not null then 1 else 0 end) as depth_assessed_items,
        sum(case when required_trips is not null then 1 else 0 end) as trips_assessed_items,
        sum(case when promised_limit_days is not null then 1 else 0 end) as limit_known_items,
        sum(case when is_online_available then 1 else 0 end) as online_available_items,
        sum(case when is_online_available_incl_unsuitable then 1 else 0 end)
            as online_available_items_incl_unsuitable,
        sum(case when is_full_online then 1 else 0 end) as full_online_items,
        sum(case when has_depth_trips_conflict then 1 else 0 end) as depth_trips_conflict_items,
        sum(case when is_one_trip_item then 1 else 0 end) as one_trip_items,
        sum(case when is_zero_trip_item then 1 else 0 end) as zero_trip_items,
        sum(case when is_instant_item then 1 else 0 end) as instant_items,
        sum(case when depth_level = 1 then 1 else 0 end) as depth_1_items,
        sum(case when depth_level = 2 then 1 else 0 end) as depth_2_items,
        sum(case when depth_level = 3 then 1 else 0 end) as depth_3_items,
        sum(case when depth_level = 4 then 1 else 0 end) as depth_4_items,
        sum(
            case
                when legal_limit_days > 0 and promised_limit_days is not null
                    then legal_limit_days - promised_limit_days
                else 0
            end
        ) as limit_days_saved,
        sum(
            case
                when legal_limit_days > 0 and promised_limit_days is not null
                    then legal_limit_days
                else 0
            end
        ) as legal_limit_days_total
{%- endset %}

item_counts as (
    {%- for grain, scope in combinations %}
    select
        period_grain,
        period_start,
        '{{ scope }}' as scope_type,
        {{ scope_columns()[scope] }} as scope_code,
        {{ measures }}
    from items_in_periods
    where period_grain = '{{ grain }}' and {{ scope_columns()[scope] }} is not null
    group by period_grain, period_start, {{ scope_columns()[scope] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    period_grain,
    period_start,
    scope_type,
    scope_code,
    catalogue_snapshot_date,
    cast(active_items as bigint) as active_items,
    cast(depth_assessed_items as bigint) as depth_assessed_items,
    {{ metric_ratio('depth_assessment_coverage') }}
        as depth_assessment_coverage,
    cast(trips_assessed_items as bigint) as trips_assessed_items,
    cast(limit_known_items as bigint) as limit_known_items,
    cast(online_available_items as bigint) as online_available_items,
    {{ metric_ratio('online_available_rate') }}
        as online_available_rate,
    cast(online_available_items_incl_unsuitable as bigint) as online_available_items_incl_unsuitable,
    {{ metric_ratio('online_available_rate_incl_unsuitable') }}
        as online_available_rate_incl_unsuitable,
    cast(full_online_items as bigint) as full_online_items,
    {{ metric_ratio('full_online_item_share') }}
        as full_online_item_share,
    cast(depth_trips_conflict_items as bigint) as depth_trips_conflict_items,
    cast(one_trip_items as bigint) as one_trip_items,
    {{ metric_ratio('one_trip_item_share') }}
        as one_trip_item_share,
    cast(zero_trip_items as bigint) as zero_trip_items,
    {{ metric_ratio('zero_trip_item_share') }}
        as zero_trip_item_share,
    cast(instant_items as bigint) as instant_items,
    {{ metric_ratio('instant_item_share') }}
        as instant_item_share,
    cast(depth_1_items as bigint) as depth_1_items,
    cast(depth_2_items as bigint) as depth_2_items,
    cast(depth_3_items as bigint) as depth_3_items,
    cast(depth_4_items as bigint) as depth_4_items,
    cast(limit_days_saved as bigint) as limit_days_saved,
    cast(legal_limit_days_total as bigint) as legal_limit_days_total,
    {{ metric_ratio('time_limit_compression') }}
        as time_limit_compression,
    (select _watermark from catalogue_span) as _watermark,
    '{{ metric_definitions_hash(this.identifier) }}' as _definition_hash
from item_counts
{% if not redefined and not has_rows_since_last_run(ref('int_service_items__classified'), '_loaded_at') %}
-- no catalogue load since the last run: the stored periods stand
where false
{% endif %}
