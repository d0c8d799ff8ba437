{#- 办事指南 outbox — every gap of the current service guides (mart_guide_gaps) with is_new:
    the item's guide was not reported with this gap on an earlier day (no row for item and gap
    in the sent-log ops.guide_gap_log dated before today's outbox day). Each department gets
    the gaps of its own guides once, the first day they are found, so that it fixes its own; a
    gap fixed and found again later is not re-sent. A view over the sent-log; DuckDB only. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

with gaps as (

    select * from {{ ref('mart_guide_gaps') }}

),

sent_gaps as (

    select item_code, gap_code, reported_on
    from {{ source('ops', 'guide_gap_log') }}

),

outbox_day as (

    -- the day the outbox reports on (govwh/reports/outbox.py): the case logs' last day,
    -- else the consultations' last day, else the guides' own as-of day
    select coalesce(
        max(case when source_name = 'case_logs' then last_data_date end),
        max(case when source_name = 'consultations' then last_data_date end),
        (select max(as_of) from gaps)
    ) as as_of_date
    from {{ ref('mart_data_freshness') }}

),

gaps_with_reports as (

    select
        gaps.*,
        outbox_day.as_of_date as outbox_date,
        sent_gaps.reported_on as reported_earlier_on
    from gaps
    cross join outbox_day
    left join sent_gaps
        on gaps.item_code = sent_gaps.item_code
        and gaps.gap_code = sent_gaps.gap_code
        and sent_gaps.reported_on < outbox_day.as_of_date

)

select
    outbox_date as as_of_date,
    row_number() over (
        order by department_name, item_code, gap_code
    ) as outbox_order,
    reported_earlier_on is null as is_new,
    reported_earlier_on,
    department_code,
    gap_code,
    -- the columns of the outbox files, in their order
    item_code,
    item_name,
    department_name,
    gap_label_zh,
    detail,
    guide_version
from gaps_with_reports
