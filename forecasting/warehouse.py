"""Reading the marts (read-only) and writing the ``forecast`` schema (one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from forecasting.calendar import normalise_calendar
from govwh.warehouse.connection import connect

FORECAST_SCHEMA = "forecast"
# The tables the forecast run writes, with what each holds (the Dagster assets' descriptions).
FORECAST_TABLES = {
    "case_arrivals": "Daily case arrivals per department (and CITY) and channel group, next 8 "
    "weeks, with 80 %/95 % intervals.",
    "hall_traffic": "Tickets per hall and opening hour, next 2 weeks, with intervals.",
    "staffing_plan": "Windows and staff needed per hall, day and hour (Erlang C/A, verified "
    "by simulation) against the windows normally open.",
    "backlog_projection": "Open and expected overdue cases per department, next 20 working "
    "days, with the red-alert risk flag.",
    "backtest_metrics": "Rolling-origin MASE / WAPE / interval coverage of the arrival model "
    "and its baselines, per series, day type and horizon week.",
    "model_registry": "Every fitted model: version, training window, card with metrics.",
}
APPEND_TABLES = frozenset({"model_registry"})  # history kept; every other table is replaced


@dataclass(frozen=True)
class MartInputs:
    calendar: pl.DataFrame
    arrivals: pl.DataFrame  # series_id, date, y, group, department_code, channel_group
    hall_hourly: pl.DataFrame  # hall_code, date, hour, tickets
    hall_tickets: pl.DataFrame  # hall_code, service_minutes, wait_minutes, is_abandoned
    halls: pl.DataFrame  # dim_hall: hall_code, admin_level, windows (normal, lunch), hours
    cases: pl.DataFrame  # department_code, acceptance_date, end_date, due_date, submission_date
    as_of: date


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or []).pl()


def read_marts(
    warehouse_path: Path, as_of: date | None = None, ticket_weeks: int = 8
) -> MartInputs:
    """Everything the forecasts need, up to ``as_of`` (default: the last submission day)."""
    with connect(warehouse_path, read_only=True) as con:
        last = con.execute(
            "select max(submission_date) from marts.mart_case_arrivals_daily"
        ).fetchall()[0][0]
        if last is None:
            raise ValueError("marts.mart_case_arrivals_daily is empty: build the warehouse first")
        as_of = as_of or last
        calendar = normalise_calendar(
            _frame(con, "select * from marts.dim_date order by calendar_date")
        )
        arrivals = _frame(
            con,
            """
            select department_code || ':' || channel_group as series_id, submission_date as date,
                   arrivals::double as y, channel_group as "group", department_code, channel_group
            from marts.mart_case_arrivals_daily where submission_date <= ?
            union all
            select 'CITY:' || channel_group, submission_date, sum(arrivals)::double, channel_group,
                   'CITY', channel_group
            from marts.mart_case_arrivals_daily where submission_date <= ?
            group by all
            """,
            [as_of, as_of],
        )
        hall_hourly = _frame(
            con,
            """select hall_code, ticket_date as date, ticket_hour as hour,
                      tickets_issued::double as tickets
               from marts.mart_hall_metrics_hourly where ticket_date <= ?""",
            [as_of],
        )
        since = as_of - timedelta(weeks=ticket_weeks)
        hall_tickets = _frame(
            con,
            """select hall_code, service_minutes, wait_minutes, is_abandoned, is_served
               from marts.fct_hall_tickets where ticket_date > ? and ticket_date <= ?""",
            [since, as_of],
        )
        halls = _frame(
            con,
            "select hall_code, admin_level, windows_normal, windows_lunch,"
            " open_time, close_time, lunch_start, lunch_end from marts.dim_hall",
        )
        cases = _frame(
            con,
            """select department_code, submission_date, acceptance_date,
                      case when completion_date <= ? then completion_date
                           when closing_date <= ? then closing_date end as end_date,
                      due_date
               from marts.fct_cases
               where submission_date > ? and submission_date <= ?""",
            [as_of, as_of, as_of - timedelta(days=730), as_of],
        )
    return MartInputs(calendar, arrivals, hall_hourly, hall_tickets, halls, cases, as_of)


def read_backtest_metrics(warehouse_path: Path) -> pl.DataFrame | None:
    """The stored rolling-origin backtest (``forecast.backtest_metrics``), if any."""
    if not warehouse_path.exists():
        return None
    with connect(warehouse_path, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'backtest_metrics'",
            [FORECAST_SCHEMA],
        ).fetchall()
        if not found[0][0]:
            return None
        return _frame(con, f"select * from {FORECAST_SCHEMA}.backtest_metrics")


def write_forecast_tables(warehouse_path: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Replace (or, for the registry, append to) the tables in one transaction."""
    with connect(warehouse_path) as con:
        con.execute("begin transaction")
        try:
            con.execute(f"create schema if not exists {FORECAST_SCHEMA}")
            for name, frame in tables.items():
                view = f"_forecast_{name}"
                con.register(view, frame)
                target = f"{FORECAST_SCHEMA}.{name}"
                if name in APPEND_TABLES:
                    con.execute(
                        f"create table if not exists {target} as select * from {view} limit 0"
                    )
                    con.execute(f"insert into {target} by name select * from {view}")
                else:
                    con.execute(f"create or replace table {target} as select * from {view}")
                con.unregister(view)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
