-- Plain-DuckDB reference: the headline marts computed straight from the raw tables and the
-- seed CSVs, in one script, without dbt, Dagster, staging views, intermediate tables or
-- tests. `govwh bench` times it on a copy of the loaded raw data and divides the pipeline's
-- dbt time by its time, to show the overhead of the pipeline (docs/benchmarks.md, "Scale").
--
-- It writes into the schema `bench_reference` the same rows, at the same grain, as these marts:
--   mart_case_metrics_daily             demand metrics' parts: online-handling (网上办件率),
--                                       on-time (按时办结率), instant, one-trip (最多跑一次),
--                                       zero-trip (不见面), ratings, handling days
--   mart_case_completion_monthly        on-time and one-trip rates, department × month
--   mart_online_available_rate_monthly  online-available rate (网上可办率), region × month
--   mart_item_supply_by_period          supply metrics incl. items by depth level, 14 grains
--   mart_hall_metrics_hourly            hall waits, service level, abandonment, hall × hour
-- tests/test_bench.py checks that every row equals the mart's on a built warehouse, so the
-- two cannot drift apart silently.
--
-- Run from the repository root (the calendar seed is read by relative path; the city's regions
-- and departments from the warehouse's city schema, which the pipeline loads):
--     duckdb <warehouse copy> < bench/reference_headline_marts.sql
--
-- The dbt variables of dbt_project.yml are written out here: in-scope item types, online
-- channels (online_web, mobile_app, self_service), hall target wait 15 min, long wait 30 min.

set timezone = 'Asia/Shanghai';
create schema if not exists bench_reference;

-- Working-day calendar: workday_seq numbers the working days (a clock starting on a day off
-- counts from the next working day: workday_seq_from).
create or replace temp table calendar_days as
with seed as (
    select * from read_csv(
        'seeds/calendar.csv', header = true,
        columns = {
            'calendar_date': 'date', 'is_workday': 'boolean',
            'is_statutory_holiday': 'boolean', 'is_makeup_workday': 'boolean',
            'holiday_name': 'varchar', 'holiday_name_zh': 'varchar'
        }
    )
),
numbered as (
    select
        calendar_date,
        is_workday,
        sum(case when is_workday then 1 else 0 end) over (order by calendar_date) as seq
    from seed
)
select
    calendar_date,
    is_workday,
    cast(date_trunc('week', calendar_date) as date) as week_start,
    cast(date_trunc('week', calendar_date) as date) + 6 as week_end,
    cast(date_trunc('month', calendar_date) as date) as month_start,
    max(calendar_date) over (partition by date_trunc('month', calendar_date)) as month_end,
    cast(date_trunc('year', calendar_date) as date) as year_start,
    max(calendar_date) over (partition by date_trunc('year', calendar_date)) as year_end,
    cast(seq as integer) as workday_seq,
    cast(case when is_workday then seq else seq + 1 end as integer) as workday_seq_from
from numbered;

-- Regions with their city, county and township ancestors.
create or replace temp table regions as
with seed as (
    select region_code, region_name, admin_level, parent_region_code from city.regions
)
select
    region.region_code,
    region.region_name,
    region.admin_level,
    case region.admin_level
        when 'city' then region.region_code
        when 'county' then region.parent_region_code
        when 'township' then grandparent.region_code
        when 'village' then great_grandparent.region_code
    end as city_code,
    case region.admin_level
        when 'county' then region.region_code
        when 'township' then region.parent_region_code
        when 'village' then grandparent.region_code
    end as county_code,
    case region.admin_level
        when 'township' then region.region_code
        when 'village' then region.parent_region_code
    end as township_code
from seed as region
left join seed as parent on region.parent_region_code = parent.region_code
left join seed as grandparent on parent.parent_region_code = grandparent.region_code
left join seed as great_grandparent on grandparent.parent_region_code = great_grandparent.region_code;

-- The catalogue, classified; and which snapshot is valid on each calendar date (the latest
-- published on or before it, the first one before the catalogue began).
create or replace temp table items as
select
    snapshot_date,
    item_code,
    department_code,
    region_code,
    admin_level,
    cast(depth_level as integer) as depth_level,
    cast(required_trips as integer) as required_trips,
    cast(legal_limit_days as integer) as legal_limit_days,
    cast(promised_limit_days as integer) as promised_limit_days,
    item_type in ('licence', 'confirmation', 'benefit', 'adjudication', 'award', 'other')
        and status = 'active' as is_in_scope_active,
    coalesce(unsuitable_online, false) as is_unsuitable_online
from raw.service_items;

create or replace temp table snapshot_for_date as
with snapshot_dates as (
    select distinct snapshot_date from items
)
select
    calendar_days.calendar_date,
    coalesce(
        max(snapshot_dates.snapshot_date),
        (select min(snapshot_date) from snapshot_dates)
    ) as catalogue_snapshot_date
from calendar_days
left join snapshot_dates on snapshot_dates.snapshot_date <= calendar_days.calendar_date
group by calendar_days.calendar_date;

-- Demand: the latest version of each completed case, measured in working days.
create or replace table bench_reference.mart_case_metrics_daily as
with latest_versions as (
    select *
    from raw.case_logs
    qualify row_number() over (
        partition by case_id order by updated_at desc, _loaded_at desc, _source_file desc
    ) = 1
),
completed as (
    select
        case_id, item_code, channel, department_code, region_code, trips, rating,
        coalesce(rating_is_default, false) as is_default_rating,
        coalesce(suspended_days, 0) as suspended_days,
        channel in ('online_web', 'mobile_app', 'self_service')
            or coalesce(assisted_online, false) as is_online,
        cast(accepted_at as date) as acceptance_date,
        cast(completed_at as date) as completion_date,
        cast(coalesce(accepted_at, submitted_at) as date) as clock_start_date
    from latest_versions
    where status = 'completed'
),
measured as (
    select
        completed.*,
        item.required_trips = 0 as is_zero_trip_item,
        -- no catalogue limit or no acceptance day: no deadline, no verdict (the demo has
        -- no case-level due dates)
        case when item.promised_limit_days is not null and acceptance_day.workday_seq is not null
            then coalesce(completion_day.workday_seq <= greatest(
                acceptance_day.workday_seq + item.promised_limit_days,
                acceptance_day.workday_seq_from
            ) + completed.suspended_days, false)
        end as is_on_time,
        completion_day.workday_seq <= acceptance_day.workday_seq_from as is_same_workday,
        case when completion_day.workday_seq is not null and acceptance_day.workday_seq is not null
            then greatest(
                completion_day.workday_seq - acceptance_day.workday_seq - completed.suspended_days,
                0
            )
        end as elapsed_working_days
    from completed
    left join snapshot_for_date on completed.clock_start_date = snapshot_for_date.calendar_date
    left join items as item
        on snapshot_for_date.catalogue_snapshot_date = item.snapshot_date
        and completed.item_code = item.item_code
    left join calendar_days as acceptance_day
        on completed.acceptance_date = acceptance_day.calendar_date
    left join calendar_days as completion_day
        on completed.completion_date = completion_day.calendar_date
)
select
    completion_date,
    item_code,
    channel,
    department_code,
    region_code,
    count(*) as completed_cases,
    count(*) filter (is_online) as online_cases,
    count(*) filter (is_on_time) as on_time_cases,
    count(*) filter (is_on_time is not null) as cases_with_deadline,
    count(*) filter (trips is not null) as trips_reported_cases,
    count(*) filter (is_same_workday is not null) as acceptance_known_cases,
    count(*) filter (is_same_workday) as same_workday_cases,
    count(*) filter (trips <= 1) as one_trip_cases,
    count(*) filter (trips = 0) as zero_trip_cases,
    count(*) filter (is_zero_trip_item and trips is not null) as zero_trip_item_cases,
    count(*) filter (is_zero_trip_item and trips = 0) as zero_trip_item_zero_trip_cases,
    count(*) filter (rating is not null and not is_default_rating) as rated_cases,
    count(*) filter (not is_default_rating and rating >= 4) as satisfied_ratings,
    count(*) filter (not is_default_rating and rating <= 2) as bad_ratings,
    cast(sum(elapsed_working_days) as bigint) as elapsed_working_days_total
from measured
group by all;

-- Headline on-time and one-trip rates by department and completion month.
create or replace table bench_reference.mart_case_completion_monthly as
with departments as (
    select department_code, department_name, department_name_en from city.departments
),
by_month as (
    select
        cast(date_trunc('month', completion_date) as date) as month_start,
        department_code,
        sum(completed_cases) as completed_cases,
        sum(on_time_cases) as on_time_cases,
        sum(cases_with_deadline) as cases_with_deadline,
        sum(one_trip_cases) as one_trip_cases,
        sum(trips_reported_cases) as trips_reported_cases
    from bench_reference.mart_case_metrics_daily
    group by all
)
select
    by_month.month_start,
    by_month.department_code,
    departments.department_name,
    cast(by_month.completed_cases as bigint) as completed_cases,
    cast(by_month.on_time_cases as bigint) as on_time_cases,
    by_month.on_time_cases / nullif(by_month.cases_with_deadline, 0) as on_time_rate,
    cast(by_month.one_trip_cases as bigint) as one_trip_cases,
    by_month.one_trip_cases / nullif(by_month.trips_reported_cases, 0) as one_trip_rate
from by_month
left join departments on by_month.department_code = departments.department_code;

-- Supply: the catalogue valid on each period's last day, active in-scope items.
create or replace temp table items_in_periods as
with catalogue_span as (
    select min(snapshot_date) as first_snapshot, max(snapshot_date) as last_snapshot from items
),
periods as (
    select distinct 'week' as period_grain, week_start as period_start, week_end as period_end
    from calendar_days
    union all
    select distinct 'month', month_start, month_end from calendar_days
    union all
    select distinct 'year', year_start, year_end from calendar_days
)
select
    periods.period_grain,
    periods.period_start,
    periods.period_end,
    snapshot_for_date.catalogue_snapshot_date,
    item.*,
    regions.region_name,
    regions.admin_level as region_admin_level,
    regions.city_code,
    regions.county_code,
    regions.township_code
from periods
cross join catalogue_span
inner join snapshot_for_date on periods.period_end = snapshot_for_date.calendar_date
inner join items as item
    on snapshot_for_date.catalogue_snapshot_date = item.snapshot_date and item.is_in_scope_active
left join regions on item.region_code = regions.region_code
where periods.period_end >= catalogue_span.first_snapshot
    and periods.period_start <= catalogue_span.last_snapshot;

create or replace table bench_reference.mart_online_available_rate_monthly as
with by_region as (
    select
        period_start as month_start,
        period_end as month_end,
        catalogue_snapshot_date,
        region_code,
        any_value(region_name) as region_name,
        any_value(region_admin_level) as admin_level,
        any_value(county_code) as county_code,
        count(*) as active_items,
        count(*) filter (depth_level >= 2) as online_available_items,
        count(*) filter (depth_level >= 2 or is_unsuitable_online)
            as online_available_items_incl_unsuitable
    from items_in_periods
    where period_grain = 'month'
    group by all
)
select
    month_start, month_end, catalogue_snapshot_date, region_code, region_name, admin_level,
    county_code, active_items, online_available_items,
    online_available_items / active_items as online_available_rate,
    online_available_items_incl_unsuitable,
    online_available_items_incl_unsuitable / active_items as online_available_rate_incl_unsuitable
from by_region;

create or replace table bench_reference.mart_item_supply_by_period as
with scoped as (
    select *, 'city' as scope_type, city_code as scope_code from items_in_periods
    union all
    select *, 'county', county_code from items_in_periods
    union all
    select *, 'township', township_code from items_in_periods where period_grain <> 'week'
    union all
    select *, 'department', department_code from items_in_periods
    union all
    select *, 'admin_level', admin_level from items_in_periods
),
counted as (
    select
        period_grain,
        period_start,
        scope_type,
        scope_code,
        max(catalogue_snapshot_date) as catalogue_snapshot_date,
        count(*) as active_items,
        count(*) filter (depth_level is not null) as depth_assessed_items,
        count(*) filter (required_trips is not null) as trips_assessed_items,
        count(*) filter (promised_limit_days is not null) as limit_known_items,
        count(*) filter (depth_level >= 2) as online_available_items,
        count(*) filter (depth_level >= 2 or is_unsuitable_online)
            as online_available_items_incl_unsuitable,
        count(*) filter (depth_level = 4 and required_trips = 0) as full_online_items,
        count(*) filter (depth_level = 4 and required_trips > 0) as depth_trips_conflict_items,
        count(*) filter (required_trips <= 1) as one_trip_items,
        count(*) filter (required_trips = 0) as zero_trip_items,
        count(*) filter (promised_limit_days = 0) as instant_items,
        count(*) filter (depth_level = 1) as depth_1_items,
        count(*) filter (depth_level = 2) as depth_2_items,
        count(*) filter (depth_level = 3) as depth_3_items,
        count(*) filter (depth_level = 4) as depth_4_items,
        coalesce(sum(legal_limit_days - promised_limit_days) filter (
            legal_limit_days > 0 and promised_limit_days is not null), 0) as limit_days_saved,
        coalesce(sum(legal_limit_days) filter (
            legal_limit_days > 0 and promised_limit_days is not null), 0) as legal_limit_days_total
    from scoped
    where scope_code is not null
    group by all
)
select
    period_grain, period_start, scope_type, scope_code, catalogue_snapshot_date,
    active_items, depth_assessed_items,
    depth_assessed_items / active_items as depth_assessment_coverage,
    trips_assessed_items, limit_known_items, online_available_items,
    online_available_items / nullif(depth_assessed_items, 0) as online_available_rate,
    online_available_items_incl_unsuitable,
    online_available_items_incl_unsuitable / nullif(depth_assessed_items, 0)
        as online_available_rate_incl_unsuitable,
    full_online_items, full_online_items / nullif(depth_assessed_items, 0)
        as full_online_item_share,
    depth_trips_conflict_items,
    one_trip_items, one_trip_items / nullif(trips_assessed_items, 0) as one_trip_item_share,
    zero_trip_items, zero_trip_items / nullif(trips_assessed_items, 0) as zero_trip_item_share,
    instant_items, instant_items / nullif(limit_known_items, 0) as instant_item_share,
    depth_1_items, depth_2_items, depth_3_items, depth_4_items,
    cast(limit_days_saved as bigint) as limit_days_saved,
    cast(legal_limit_days_total as bigint) as legal_limit_days_total,
    case when legal_limit_days_total <> 0 then limit_days_saved / legal_limit_days_total end
        as time_limit_compression
from counted;

-- Hall traffic by hall, day and hour of the ticket (windows that called a ticket in the hour
-- stand in for the staffed windows, 60 minutes each).
create or replace table bench_reference.mart_hall_metrics_hourly as
with timed as (
    select
        hall_code,
        window_no,
        outcome,
        cast(ticket_taken_at as date) as ticket_date,
        cast(extract(hour from ticket_taken_at) as integer) as ticket_hour,
        called_at is not null as is_called,
        date_diff('second', ticket_taken_at, called_at) / 60.0 as wait_minutes,
        date_diff('second', service_start_at, service_end_at) / 60.0 as service_minutes
    from raw.hall_tickets
)
select
    hall_code,
    ticket_date,
    ticket_hour,
    count(*) as tickets_issued,
    count(*) filter (is_called) as tickets_called,
    count(*) filter (outcome = 'served') as tickets_served,
    count(*) filter (outcome = 'no_show') as tickets_no_show,
    count(*) filter (outcome = 'abandoned') as tickets_abandoned,
    count(*) filter (outcome <> 'served') as tickets_unserved,
    count(*) filter (wait_minutes <= 15) as tickets_within_target_wait,
    count(*) filter (wait_minutes > 30) as tickets_long_wait,
    sum(wait_minutes) as wait_minutes_total,
    sum(service_minutes) as service_minutes_total,
    count(distinct window_no) filter (is_called) as windows_active,
    count(distinct window_no) filter (is_called) * 60 as window_minutes_staffed
from timed
group by all;
