"""Reading the marts (read-only) and writing the ``forecast`` schema (one transaction)."""

from __future__ import annotations

from collections.abc import Iterable
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
    "rosters": "Shifts per hall and working day that staff the plan at least paid hours "
    "(OR-Tools CP-SAT): headcount per shift template.",
    "roster_coverage": "Per hall, working day and hour: the plan's staff and the staff the "
    "roster has on duty (the fewest in the hour's half hours).",
    "backlog_projection": "Open and expected overdue cases per department, next 20 working "
    "days, with the red-alert risk flag.",
    "backtest_metrics": "Rolling-origin MASE / WAPE / interval coverage of the arrival model "
    "and its baselines, per series, day type and horizon week.",
    "model_registry": "Every fitted model: version, training window, card with metrics.",
    "staffing_plan_by_business": "Windows and staff needed per hall, business queue (a zone, "
    "or the shared pool), day and hour; forecast.staffing_plan holds their sums.",
    "queue_calibration": "Per hall-hour of the last 8 complete weeks: the service level the "
    "queue model predicts with the windows actually open against the level measured from the "
    "tickets.",
    "queue_calibration_summary": "Bias and mean absolute error (points) of the queue model's "
    "service level per hall and overall ('*'), and the digest of the tickets it was computed "
    "from (log_fingerprint: a run on the same complete weeks keeps it).",
}
APPEND_TABLES = frozenset({"model_registry"})  # history kept; every other table is replaced
# The staffing plan's simulation results, kept for the next run (forecasting.staffing's
# SimulationCache): a cache, not a forecast, so it is no asset and survives skipped runs.
SIMULATION_CACHE_TABLE = "staffing_simulations"


@dataclass(frozen=True)
class MartInputs:
    calendar: pl.DataFrame
    arrivals: pl.DataFrame  # series_id, date, y, group, department_code, channel_group
    hall_hourly: pl.DataFrame  # hall_code, date, hour, tickets
    hall_tickets: pl.DataFrame  # hall_code, service_minutes, wait_minutes, is_abandoned
    halls: pl.DataFrame  # dim_hall: hall_code, admin_level, windows (normal, lunch), hours
    cases: pl.DataFrame  # department_code, acceptance_date, end_date, due_date, submission_date
    as_of: date | None  # None: neither case arrivals nor hall tickets in the marts
    case_days: int = 0  # days with arrivals in mart_case_arrivals_daily (whole mart)
    hall_days: int = 0  # days with tickets in mart_hall_metrics_hourly (whole mart)

    @property
    def has_cases(self) -> bool:
        return not self.arrivals.is_empty()

    @property
    def has_hall_traffic(self) -> bool:
        return not self.hall_hourly.is_empty()


def forecast_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the warehouse's forecast schema (a table a run skipped is absent)."""
    return {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ?", [FORECAST_SCHEMA]
        ).fetchall()
    }


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or []).pl()


def read_marts(
    warehouse_path: Path, as_of: date | None = None, ticket_weeks: int = 8
) -> MartInputs:
    """Everything the forecasts need, up to ``as_of``.

    ``as_of`` defaults to the last submission day when the city has case data, else to the
    last day with hall tickets; a mart of a source the city does not load is empty, and so is
    its frame here (``as_of`` is None when both are). The run skips what has no input.
    """
    with connect(warehouse_path, read_only=True) as con:
        case_last, case_days = con.execute(
            "select max(submission_date), count(distinct submission_date)"
            " from marts.mart_case_arrivals_daily"
        ).fetchall()[0]
        hall_last, hall_days = con.execute(
            "select max(ticket_date), count(distinct ticket_date)"
            " from marts.mart_hall_metrics_hourly"
        ).fetchall()[0]
        as_of = as_of or case_last or hall_last
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
        # with no as_of (no data at all) every query below compares with NULL: empty frames
        until = _profile_until(con, as_of)
        since = None if until is None else until - timedelta(weeks=ticket_weeks)
        two_years_back = None if as_of is None else as_of - timedelta(days=730)
        # ordered, so that the service-time sample drawn from them is the same on every run
        hall_tickets = _frame(
            con,
            """select hall_code, service_minutes, wait_minutes, is_abandoned, is_served
               from marts.fct_hall_tickets where ticket_date > ? and ticket_date <= ?
               order by hall_code, ticket_taken_at, ticket_id""",
            [since, until],
        )
        halls = _frame(
            con,
            "select hall_code, admin_level, windows_normal, windows_lunch,"
            " open_time, close_time, lunch_start, lunch_end from marts.dim_hall"
            # halls seen in the exports but not configured have no windows to plan
            " where windows_normal is not null",
        )
        cases = _frame(
            con,
            """select department_code, submission_date, acceptance_date,
                      case when completion_date <= ? then completion_date
                           when closing_date <= ? then closing_date end as end_date,
                      due_date
               from marts.fct_cases
               where submission_date > ? and submission_date <= ?""",
            [as_of, as_of, two_years_back, as_of],
        )
    return MartInputs(
        calendar, arrivals, hall_hourly, hall_tickets, halls, cases, as_of, case_days, hall_days
    )


# the ticket columns the queue model and its calibration read
QUEUE_LOG_COLUMNS = (
    "hall_code",
    "business_type",
    "window_no",
    "ticket_taken_at",
    "called_at",
    "left_at",
    "service_ended_at",
    "service_minutes",
    "ticket_date",
    "ticket_hour",
    "ticket_half_hour",
    "is_served",
    "is_called",
    "is_abandoned",
    "is_within_target_wait",
    "target_wait_minutes",
)
OPEN_SPANS = "intermediate.int_hall_windows__open_spans"


def read_queue_log(
    warehouse_path: Path, as_of: date, weeks: int = 8
) -> tuple[pl.DataFrame, pl.DataFrame] | str:
    """(tickets, window open spans) of the ``weeks`` complete ISO weeks up to ``as_of``, or
    why not (a warehouse without the columns or the spans model)."""
    with connect(warehouse_path, read_only=True) as con:
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_hall_tickets'"
            ).fetchall()
        }
        missing = [c for c in QUEUE_LOG_COLUMNS if c not in columns]
        if missing:
            return f"marts.fct_hall_tickets lacks {', '.join(missing)}"
        spans_found = con.execute(
            "select count(*) from information_schema.tables where table_schema = "
            "'intermediate' and table_name = 'int_hall_windows__open_spans'"
        ).fetchall()[0][0]
        if not spans_found:
            return f"no {OPEN_SPANS} (windows open unknown)"
        until = as_of - timedelta(days=as_of.isoweekday() % 7)
        since = until - timedelta(weeks=weeks)
        tickets = _frame(
            con,
            f"""select {", ".join(QUEUE_LOG_COLUMNS)} from marts.fct_hall_tickets
                where ticket_date > ? and ticket_date <= ?
                order by hall_code, ticket_taken_at""",
            [since, until],
        )
        spans = _frame(
            con,
            f"""select hall_code, ticket_date, window_no, opened_at, closed_at from {OPEN_SPANS}
                where ticket_date > ? and ticket_date <= ?""",
            [since, until],
        )
    if tickets.is_empty():
        return f"no hall tickets in the {weeks} complete weeks up to {as_of}"
    return tickets, spans


def _profile_until(con: duckdb.DuckDBPyConnection, as_of: date | None) -> date | None:
    """The last day of the service-time profile's weeks: the Sunday ending the last complete
    week up to ``as_of``, so that the profile, and the staffing plan's simulations of it, stay
    the same from Monday to Sunday; ``as_of`` itself while no complete week has tickets."""
    if as_of is None:
        return None
    sunday = as_of - timedelta(days=as_of.isoweekday() % 7)
    found = con.execute(
        "select count(*) from marts.fct_hall_tickets where ticket_date <= ?", [sunday]
    ).fetchall()[0][0]
    return sunday if found else as_of


def _read_forecast_table(warehouse_path: Path, name: str) -> pl.DataFrame | None:
    """``forecast.<name>`` as an earlier run left it, or None when there is none."""
    if not warehouse_path.exists():
        return None
    with connect(warehouse_path, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [FORECAST_SCHEMA, name],
        ).fetchall()
        if not found[0][0]:
            return None
        return _frame(con, f"select * from {FORECAST_SCHEMA}.{name}")


def read_calibration_fingerprint(warehouse_path: Path) -> str | None:
    """What the stored queue calibration was computed from (its summary's
    ``log_fingerprint``; forecasting.calibration.log_fingerprint), or None when there is none."""
    summary = _read_forecast_table(warehouse_path, "queue_calibration_summary")
    if summary is None or "log_fingerprint" not in summary.columns or summary.is_empty():
        return None
    return summary["log_fingerprint"][0]


def read_simulation_cache(warehouse_path: Path) -> pl.DataFrame | None:
    """The simulations kept by the last run (``forecast.staffing_simulations``), if any."""
    return _read_forecast_table(warehouse_path, SIMULATION_CACHE_TABLE)


def read_backtest_metrics(warehouse_path: Path) -> pl.DataFrame | None:
    """The stored rolling-origin backtest (``forecast.backtest_metrics``), if any."""
    return _read_forecast_table(warehouse_path, "backtest_metrics")


def write_forecast_tables(
    warehouse_path: Path, tables: dict[str, pl.DataFrame], drop: Iterable[str] = ()
) -> None:
    """Replace (or, for the registry, append to) the tables in one transaction.

    The tables in ``drop`` (those a run skipped for want of input) are dropped in the same
    transaction, so that no forecast of an earlier run outlives the data it came from: a
    ``forecast`` table that exists is this run's. The registry is history and never dropped.
    """
    with connect(warehouse_path) as con:
        con.execute("begin transaction")
        try:
            con.execute(f"create schema if not exists {FORECAST_SCHEMA}")
            for name in drop:
                if name not in APPEND_TABLES and name not in tables:
                    con.execute(f"drop table if exists {FORECAST_SCHEMA}.{name}")
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
