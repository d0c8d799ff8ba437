"""What is in the warehouse, read without changing anything: tables, periods, the last run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from govwh.ingestion.loader import PERIOD_COLUMNS
from govwh.jobs import BUILD_WAREHOUSE_JOB, last_run
from govwh.settings import Settings
from govwh.warehouse.connection import connect

# What each source's period is called in the status report.
PERIOD_LABELS = {
    "case_logs": "cases (submitted)",
    "hall_tickets": "hall tickets (taken)",
    "service_items": "catalogue snapshots",
    "consultations": "consultations (received)",
    "hotline_calls": "hotline calls (offered)",
    "service_guides": "guides (published)",
    "service_guide_materials": "guide materials",
}


@dataclass(frozen=True)
class TableRows:
    schema: str
    name: str
    kind: str  # "table" or "view"
    rows: int | None  # views are not counted: that would run their query


@dataclass(frozen=True)
class Period:
    label: str
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    job_name: str
    status: str
    started: dt.datetime | None
    ended: dt.datetime | None


@dataclass(frozen=True)
class WarehouseStatus:
    warehouse_path: Path
    read_from: Path | None  # the file actually read (the serving copy while a build writes)
    tables: list[TableRows] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    last_run: RunSummary | None = None
    note: str | None = None

    @property
    def readable(self) -> bool:
        return self.read_from is not None


def table_rows(connection: duckdb.DuckDBPyConnection, schema: str | None = None) -> list[TableRows]:
    """Every table and view outside DuckDB's own schemas, tables with exact row counts."""
    listed = connection.execute(
        """
        select table_schema, table_name, table_type
        from information_schema.tables
        where table_schema not in ('information_schema', 'pg_catalog')
          and ($schema is null or table_schema = $schema)
        order by table_schema, table_name
        """,
        {"schema": schema},
    ).fetchall()
    result = []
    for table_schema, table_name, table_type in listed:
        is_view = table_type == "VIEW"
        rows = None
        if not is_view:
            (rows,) = connection.execute(
                f'select count(*) from "{table_schema}"."{table_name}"'
            ).fetchone() or (0,)
        result.append(TableRows(table_schema, table_name, "view" if is_view else "table", rows))
    return result


def empty_sources(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The landed sources with no rows (or no raw table) in this warehouse."""
    tables = {
        name
        for (name,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
        ).fetchall()
    }
    return {
        source
        for source in PERIOD_COLUMNS
        if source not in tables
        or not connection.execute(f"select exists (select 1 from raw.{source})").fetchone()[0]
    }


def source_periods(connection: duckdb.DuckDBPyConnection) -> list[Period]:
    """First and last day of each raw source that has been loaded."""
    loaded = {
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    periods = []
    for source, column in PERIOD_COLUMNS.items():
        if source not in loaded:
            continue
        first, last = connection.execute(
            f'select min("{column}")::date, max("{column}")::date from raw.{source}'
        ).fetchone() or (None, None)
        periods.append(Period(PERIOD_LABELS[source], first, last))
    return periods


def last_build_run(home: Path) -> RunSummary | None:
    """The latest run of the build job recorded at `home`, without creating an instance there."""
    record = last_run(BUILD_WAREHOUSE_JOB, home)
    if record is None:
        return None

    def when(timestamp: float | None) -> dt.datetime | None:
        return dt.datetime.fromtimestamp(timestamp).astimezone() if timestamp else None

    return RunSummary(
        run_id=record["run_id"],
        job_name=record["job_name"],
        status=record["status"],
        started=when(record["start_time"]),
        ended=when(record["end_time"]),
    )


def _open_read_only(
    settings: Settings,
) -> tuple[duckdb.DuckDBPyConnection | None, Path | None, str | None]:
    """The warehouse read-only; the serving copy when a running build holds the lock.

    Returns the connection (None if nothing can be read), the file read and a note.
    """
    try:
        connection = connect(settings.warehouse_path, read_only=True)
        return connection, settings.warehouse_path, None
    except duckdb.IOException as error:
        if not settings.serving_path.exists():
            note = f"the warehouse is locked by another process (a running build?): {error}"
            return None, None, note
        connection = connect(settings.serving_path, read_only=True)
        note = "the warehouse is locked by a running build: showing the last serving copy"
        return connection, settings.serving_path, note


def warehouse_status(settings: Settings, dagster_home: Path) -> WarehouseStatus:
    last_run = last_build_run(dagster_home)
    if not settings.warehouse_path.exists():
        return WarehouseStatus(
            settings.warehouse_path,
            read_from=None,
            last_run=last_run,
            note="no warehouse yet: run `govwh demo` (or `govwh generate` then `govwh build`)",
        )
    connection, read_from, note = _open_read_only(settings)
    if connection is None:
        return WarehouseStatus(settings.warehouse_path, None, last_run=last_run, note=note)
    with connection:
        return WarehouseStatus(
            settings.warehouse_path,
            read_from=read_from,
            tables=table_rows(connection),
            periods=source_periods(connection),
            last_run=last_run,
            note=note,
        )
