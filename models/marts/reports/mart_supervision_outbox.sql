{#- 电子监察 outbox — today's alert list (mart_supervision_alerts, at the case logs' last day)
    with is_new: the case has not yet been sent at this level (no row in the sent-log
    ops.supervision_alert_log), so a case that stays yellow is not re-sent every morning and a
    case that turns red is sent again as red. The outbox writes one file per department of the
    new alerts (`where is_new order by outbox_order`) with the file columns below, and logs
    them. A view: it must see the sent-log as it is when read, not as of the last dbt run.
    DuckDB only, like the sent-log the outbox keeps. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

with alerts as (

    select * from {{ ref('mart_supervision_alerts') }}

),

sent_alerts as (

    select case_id, alert_level from {{ source('ops', 'supervision_alert_log') }}

)

select
    alerts.as_of_date,
    row_number() over (
        order by alerts.department_name, alerts.alert_level,
            alerts.working_days_overdue desc, alerts.case_id
    ) as outbox_order,
    sent_alerts.case_id is null as is_new,
    alerts.department_code,
    alerts.alert_level,
    -- the columns of the department files, in their order
    alerts.alert_level_zh,
    alerts.case_id,
    alerts.item_name,
    alerts.department_name,
    alerts.region_name,
    alerts.accepted_at,
    alerts.due_date,
    alerts.working_days_overdue,
    alerts.working_days_left,
    alerts.alert_raised_on
from alerts
left join sent_alerts
    on alerts.case_id = sent_alerts.case_id
    and alerts.alert_level = sent_alerts.alert_level
