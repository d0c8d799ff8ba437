{#- 电子监察 outbox summary — per department, today's open alerts by level, how many are new
    (not yet sent at that level: mart_supervision_outbox.is_new) and how many were already
    sent, and the worst overdue: the summary file of the outbox (red, yellow, new today, worst
    overdue), ranked red first, then yellow (`order by summary_rank`). A view over the sent-log,
    DuckDB only. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

with outbox as (

    select * from {{ ref('mart_supervision_outbox') }}

),

department_counts as (

    select
        as_of_date,
        department_name,
        count(*) as alerts,
        sum(case when alert_level = 'red' then 1 else 0 end) as red_alerts,
        sum(case when alert_level = 'yellow' then 1 else 0 end) as yellow_alerts,
        sum(case when is_new then 1 else 0 end) as new_alerts,
        sum(case when alert_level = 'red' and is_new then 1 else 0 end) as new_red_alerts,
        sum(case when alert_level = 'yellow' and is_new then 1 else 0 end) as new_yellow_alerts,
        sum(case when is_new then 0 else 1 end) as already_sent_alerts,
        max(working_days_overdue) as worst_working_days_overdue
    from outbox
    group by as_of_date, department_name

)

select
    as_of_date,
    row_number() over (
        order by red_alerts desc, yellow_alerts desc, department_name
    ) as summary_rank,
    department_name,
    cast(red_alerts as bigint) as red_alerts,
    cast(yellow_alerts as bigint) as yellow_alerts,
    cast(new_alerts as bigint) as new_alerts,
    cast(new_red_alerts as bigint) as new_red_alerts,
    cast(new_yellow_alerts as bigint) as new_yellow_alerts,
    cast(already_sent_alerts as bigint) as already_sent_alerts,
    cast(alerts as bigint) as alerts,
    worst_working_days_overdue
from department_counts
