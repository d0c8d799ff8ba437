{#- Which catalogue snapshot is valid on each calendar date: the latest one published on or
    before that date. Dates before the first snapshot use the first one, so that cases filed
    before the catalogue was first exported still find their item. Turns "as of" lookups into
    equality joins. -#}

with snapshot_dates as (

    select distinct snapshot_date from {{ ref('stg_catalogue__service_items') }}

),

catalogue_span as (

    select min(snapshot_date) as first_snapshot_date from snapshot_dates

),

calendar_days as (

    select calendar_date from {{ ref('dim_date') }}

),

latest_snapshot_on_or_before as (

    select
        calendar_days.calendar_date,
        max(snapshot_dates.snapshot_date) as snapshot_date
    from calendar_days
    left join snapshot_dates
        on snapshot_dates.snapshot_date <= calendar_days.calendar_date
    group by calendar_days.calendar_date

)

select
    latest_snapshot_on_or_before.calendar_date,
    coalesce(
        latest_snapshot_on_or_before.snapshot_date, catalogue_span.first_snapshot_date
    ) as catalogue_snapshot_date,
    latest_snapshot_on_or_before.snapshot_date is null as is_before_first_snapshot
from latest_snapshot_on_or_before
cross join catalogue_span
