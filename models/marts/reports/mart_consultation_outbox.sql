{#- 咨询投诉 outbox — today's consultation orders on red (past their reply limit) or yellow
    (close to it) alert (mart_consultation_alerts, at the consultations' last day), with
    is_new: the order was not reported at this level on an earlier day (no row for order and
    level in the sent-log ops.consultation_alert_log dated before the as-of date), as in
    mart_supervision_outbox. The outbox writes the new ones, one file per department
    (`where is_new order by outbox_order`), and logs them. A view over the sent-log; DuckDB
    only, like the sent-log. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

with alerts as (

    select * from {{ ref('mart_consultation_alerts') }}

),

sent_alerts as (

    select order_id, alert_level, reported_on
    from {{ source('ops', 'consultation_alert_log') }}

),

alerts_with_reports as (

    select
        alerts.*,
        sent_alerts.reported_on as reported_earlier_on
    from alerts
    left join sent_alerts
        on alerts.order_id = sent_alerts.order_id
        and alerts.alert_level = sent_alerts.alert_level
        -- reported today (a rerun of the day) is no earlier report: still new
        and sent_alerts.reported_on < alerts.as_of_date

)

select
    as_of_date,
    row_number() over (
        order by department_name, alert_level, working_days_used desc, order_id
    ) as outbox_order,
    reported_earlier_on is null as is_new,
    reported_earlier_on,
    department_code,
    alert_level,
    -- the columns of the outbox files, in their order
    case alert_level when 'red' then '红牌' else '黄牌' end as alert_level_zh,
    order_id,
    case kind
        when 'consultation' then '咨询'
        when 'complaint' then '投诉'
        when 'suggestion' then '建议'
        when 'praise' then '表扬'
        when 'report' then '举报'
        else kind
    end as kind_zh,
    case channel
        when 'hotline' then '热线电话'
        when 'web' then '网站'
        when 'app' then '移动端'
        when 'mini_program' then '小程序'
        when 'hall' then '大厅'
        else '其他'
    end as channel_zh,
    department_name,
    received_at,
    reply_due_at,
    working_days_used
from alerts_with_reports
