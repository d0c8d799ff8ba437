{#- 电子监察 outbox — today's alert list (mart_supervision_alerts, at the case logs' last day)
    with is_new: the case was not reported at this level on an earlier day (no row for case
    and level in the sent-log ops.supervision_alert_log dated before the as-of date). A case
    that stays yellow is not re-sent every morning, a case that turns red is sent again as red,
    and an alert first reported today is still new when today's outbox is written again (a
    rerun of the day gives the same files). Each alert carries its department and its district
    (county; 市本级 for a case handled at the city itself): the outbox writes the new alerts one
    file per department (`where is_new order by outbox_order`) and one per district
    (`order by district_outbox_order`), with the file columns below, and logs them. A view: it
    must see the sent-log as it is when read, not as of the last dbt run. DuckDB only, like the
    sent-log the outbox keeps. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

with alerts as (

    select * from {{ ref('mart_supervision_alerts') }}

),

sent_alerts as (

    select case_id, alert_level, reported_on
    from {{ source('ops', 'supervision_alert_log') }}

),

counties as (

    select region_code, region_name from {{ ref('dim_region') }}

),

alerts_with_district as (

    select
        alerts.*,
        -- a case handled at the city itself has no county: the city's own level
        coalesce(alerts.county_code, alerts.region_code) as district_code,
        case
            when alerts.county_code is null then '市本级'
            else counties.region_name
        end as district_name,
        sent_alerts.reported_on as reported_earlier_on
    from alerts
    left join counties
        on alerts.county_code = counties.region_code
    left join sent_alerts
        on alerts.case_id = sent_alerts.case_id
        and alerts.alert_level = sent_alerts.alert_level
        -- reported today (a rerun of the day) is no earlier report: still new
        and sent_alerts.reported_on < alerts.as_of_date

)

select
    as_of_date,
    row_number() over (
        order by department_name, alert_level, working_days_overdue desc, case_id
    ) as outbox_order,
    row_number() over (
        order by district_code, alert_level, working_days_overdue desc, case_id
    ) as district_outbox_order,
    reported_earlier_on is null as is_new,
    reported_earlier_on,
    department_code,
    district_code,
    alert_level,
    -- the columns of the outbox files, in their order
    alert_level_zh,
    case_id,
    item_name,
    department_name,
    district_name,
    region_name,
    accepted_at,
    due_date,
    working_days_overdue,
    working_days_left,
    alert_raised_on
from alerts_with_district
