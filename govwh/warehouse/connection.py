"""The one way to open a DuckDB file: with the warehouse's memory limit, threads and time zone.

DuckDB admits one writing process or many readers: writers keep connections short, and
whatever only reads (dashboards, reports, the CLI) opens read-only, the serving copy where
it can.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from govwh.settings import DEFAULT_MEMORY_LIMIT, DUCKDB_THREADS, TIMEZONE, Settings

# Another process holds the file (a reader on the main file, a job the queue let through by
# hand): waiting a little usually resolves it, failing at once would fail the day's run.
LOCK_MESSAGE = "Could not set lock"
LOCK_WAIT_ENV = "GOVWH_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 120.0


def is_lock_conflict(error: BaseException) -> bool:
    """DuckDB refused the file because another process holds it."""
    return LOCK_MESSAGE in str(error)


def _open(target: Path | str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect; a writer retries with backoff (1, 2, 4 … s) while another process holds
    the lock, for up to GOVWH_LOCK_WAIT_SECONDS (default 120). A reader fails at once: it has
    the serving copy to fall back on (`govwh status` does)."""
    budget = 0.0 if read_only else float(os.environ.get(LOCK_WAIT_ENV) or DEFAULT_LOCK_WAIT_SECONDS)
    deadline = time.monotonic() + budget
    delay = 1.0
    while True:
        try:
            return duckdb.connect(str(target), read_only=read_only)
        except duckdb.IOException as error:
            if not is_lock_conflict(error) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


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
    connection = _open(target, read_only)
    connection.execute(f"set memory_limit = '{settings.memory_limit or DEFAULT_MEMORY_LIMIT}'")
    connection.execute(f"set threads = {DUCKDB_THREADS}")
    connection.execute(f"set timezone = '{TIMEZONE}'")
    return connection
