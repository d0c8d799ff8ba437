"""A writer waits for a lock another process holds (a reader left on the main file, a job run
by hand), with backoff, up to GOVWH_LOCK_WAIT_SECONDS; then says who holds it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from govwh.warehouse.connection import connect

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
    " time.sleep(float(sys.argv[2]))"
)


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_writer_waits_for_the_lock_and_gets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("GOVWH_LOCK_WAIT_SECONDS", "30")
    holder = _hold(path, 2.0)
    try:
        started = time.monotonic()
        with connect(path) as connection:
            connection.execute("create table t as select 1 as x")
        assert time.monotonic() - started >= 1.0  # it did wait
    finally:
        holder.kill()
        holder.wait()


def test_without_wait_the_error_names_the_lock_and_readers_never_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("GOVWH_LOCK_WAIT_SECONDS", "0")
    holder = _hold(path, 30.0)
    try:
        with pytest.raises(duckdb.IOException, match="Could not set lock"):
            connect(path)
        monkeypatch.setenv("GOVWH_LOCK_WAIT_SECONDS", "30")
        started = time.monotonic()
        with pytest.raises(duckdb.IOException, match="Could not set lock"):
            connect(path, read_only=True)
        assert time.monotonic() - started < 1.0
    finally:
        holder.kill()
        holder.wait()
