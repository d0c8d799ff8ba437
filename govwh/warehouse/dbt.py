"""dbt from plain code: the flags of a daily build, and dbt run as a subprocess.

The Dagster dbt assets (dagster_project/warehouse/assets.py) run `dbt build` with the same
flags; the benchmark and the tests run dbt directly through `run_dbt`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from govwh.settings import (
    DAILY_DBT_BUILD_FLAGS,
    DBT_PROFILES_DIR,
    DBT_PROJECT_DIR,
    Settings,
    dbt_executable,
)
from govwh.warehouse.connection import connect


def dbt_build_args(warehouse_file: Path) -> list[str]:
    """`dbt build`; a daily run (the big incremental facts exist) with two threads and without
    the unit tests.

    A daily run is ~200 small nodes whose cost is dbt's own per-node overhead: two threads
    overlap them (measured at city scale: dbt's time 49 s → 30 s on a busy machine). Unit tests
    check the models' logic on fixed inputs, not the day's data: they run with the first build,
    every full refresh and in CI, and dbt advises leaving them out of production runs
    (`--exclude-resource-type unit_test`); the data tests still run every day. The first
    build, or a full refresh, keeps the profile's single thread so that two large models never
    share the memory limit side by side.
    """
    if _facts_exist(warehouse_file):
        return ["build", *DAILY_DBT_BUILD_FLAGS]
    return ["build"]


def _facts_exist(warehouse_file: Path) -> bool:
    if not warehouse_file.exists():
        return False
    with connect(warehouse_file, read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name = 'fct_cases'"
        ).fetchall()
    return bool(found[0][0])


def run_dbt(
    args: list[str], settings: Settings, target_path: Path
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run `dbt <args>` on the project for the warehouse of `settings`; return the finished
    process (its output captured) and the nodes of run_results.json (empty if none)."""
    process = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(target_path),
        ],
        env={**os.environ, **settings.dbt_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    results_file = target_path / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return process, results
