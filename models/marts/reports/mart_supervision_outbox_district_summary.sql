{#- 电子监察 outbox summary by district — per district (county; 市本级 for the city itself),
    today's open alerts by level, how many are new (not reported at that level on an earlier
    day) and already sent, and the worst overdue, ranked red first, then yellow; last the 合计
    row with the totals (`order by summary_rank`): the district summary file of the outbox. A
    view over the sent-log, DuckDB only. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

{{ supervision_outbox_summary('district') }}
