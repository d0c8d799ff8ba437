{#- 电子监察 outbox summary by department — per department, today's open alerts by level, how
    many are new (not reported at that level on an earlier day: mart_supervision_outbox.is_new)
    and how many were already sent, and the worst overdue, ranked red first, then yellow; last
    the 合计 row with the totals (`order by summary_rank`): the department summary file of the
    outbox. A view over the sent-log, DuckDB only. -#}

{{ config(materialized='view', enabled=target.type == 'duckdb') }}

{{ supervision_outbox_summary('department') }}
