"""The queries behind the dashboards' charts (headline cards, trends, rankings, heatmaps),
run by `govwh bench` and bench/bench_warehouse.py on the serving copy."""

from __future__ import annotations

DASHBOARD_QUERIES = {
    "headline vs target (cockpit)": """
        select metric_code, period_start, sum(numerator) / sum(denominator)
        from marts.mart_metric_values
        where period_grain = 'month' and scope_type = 'city'
          and period_start >= (select max(period_start) - interval 12 month
                               from marts.mart_metric_values where period_grain = 'month')
        group by 1, 2""",
    "district ranking (latest week)": """
        select * from marts.mart_district_ranking
        where week_start = (select max(week_start) from marts.mart_district_ranking)
        order by score_rank""",
    "department ranking (latest week)": """
        select * from marts.mart_department_ranking
        where week_start = (select max(week_start) from marts.mart_department_ranking)
        order by score_rank desc""",
    "online share by channel (monthly)": """
        select period_start, scope_code, completed_cases
        from marts.mart_case_metrics_by_period
        where period_grain = 'month' and scope_type = 'channel'""",
    "target progress": "select * from marts.mart_target_progress order by status, gap desc",
    "depth distribution over time": """
        select period_start, depth_1_items, depth_2_items, depth_3_items, depth_4_items
        from marts.mart_item_supply_by_period
        where period_grain = 'month' and scope_type = 'city'""",
    "upgrade candidates": """
        select * from marts.mart_depth_upgrade_candidates order by volume_rank limit 50""",
    "hall heatmap hour × weekday": """
        select hall.ticket_hour, isodow(hall.ticket_date) as weekday, sum(tickets_issued)
        from marts.mart_hall_metrics_hourly as hall
        where ticket_date >= (select max(ticket_date) - interval 90 day
                              from marts.mart_hall_metrics_hourly)
        group by 1, 2""",
    "hall waits by hall (monthly)": """
        select * from marts.mart_hall_metrics_by_period
        where period_grain = 'month' and scope_type = 'hall'""",
    "supervision alerts today": """
        select department_name, alert_level, count(*)
        from marts.mart_supervision_alerts group by 1, 2""",
    "backlog by department (last 90 days)": """
        select backlog_date, department_code, sum(open_cases), sum(red_alert_cases)
        from marts.fct_daily_backlog
        where backlog_date >= (select max(backlog_date) - interval 90 day
                               from marts.fct_daily_backlog)
        group by 1, 2""",
}
