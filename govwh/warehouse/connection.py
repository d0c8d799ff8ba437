"""The one way to open a DuckDB file: with the warehouse's memory limit, threads and time zone.

DuckDB admits one writing process or many readers: writers keep connections short, and
whatever only reads (dashboards, reports, the CLI) opens read-only, the serving copy where
it can.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from govwh.settings import DUCKDB_THREADS, TIMEZONE, Settings


def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open `path` (default: the warehouse of `settings`, else of the environment).

    A file opened for writing gets its folder created; ":memory:" opens an in-memory database
    with the same settings.
    """
    settings = settings or Settings.from_env()
    target = Path(path) if path is not None else settings.warehouse_path
    if str(target) != ":memory:" and not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(target), read_only=read_only)
    connection.execute(f"set memory_limit = '{settings.memory_limit}'")
    connection.execute(f"set threads = {DUCKDB_THREADS}")
    connection.execute(f"set timezone = '{TIMEZONE}'")
    return connection
