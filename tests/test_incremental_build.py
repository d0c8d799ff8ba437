"""An incremental dbt run after a daily load gives exactly what a full rebuild gives."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from dagster_project.assets.dbt import dbt_build_args
from dagster_project.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, Settings, dbt_executable

pytestmark = pytest.mark.slow

# Incremental models and the marts computed from them.
COMPARED = [
    "marts.fct_cases",
    "marts.fct_hall_tickets",
    "marts.mart_case_metrics_daily",
    "marts.mart_case_handling_days_histogram",
    "marts.mart_hall_metrics_hourly",
    "marts.mart_case_metrics_by_period",
    "marts.fct_daily_backlog",
    "marts.mart_hall_metrics_by_period",
    "marts.mart_metric_values",
    "marts.mart_case_arrivals_daily",
    "intermediate.int_service_items__classified",
    "marts.dim_service_item",
    "marts.mart_item_supply_by_period",
]
BOOKKEEPING = frozenset({"_watermark", "_loaded_at", "_as_of_date", "_built_at"})


def _dbt_build(warehouse: Path, target: Path, *extra: str) -> None:
    result = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(target),
            "--exclude",
            "test_type:unit",
            *extra,
        ],
        env={**os.environ, "GOVWH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_one_day_incremental_equals_full_refresh(
    built_warehouse: Settings,
    tmp_path: Path,
    rows_of: Callable[[Path, str, frozenset[str]], list[tuple]],
) -> None:
    warehouse = tmp_path / "incremental.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        last_day = connection.execute(
            "select max(cast(updated_at as date)) from raw.case_logs"
        ).fetchone()[0]
        # Hold back the last day's case versions and tickets, then build without them.
        for table, column in (("case_logs", "updated_at"), ("hall_tickets", "ticket_taken_at")):
            connection.execute(
                f"create table main.held_{table} as select * from raw.{table} "
                f"where cast({column} as date) = ?",
                [last_day],
            )
            connection.execute(
                f"delete from raw.{table} where cast({column} as date) = ?", [last_day]
            )
    _dbt_build(warehouse, tmp_path / "target", "--full-refresh")

    # The daily load arrives: the held-back rows, loaded later than everything else, new
    # versions of cases stored before — re-exports with a later version time (one more
    # suspended working day: due dates, alerts and backlog move) that must replace the stored
    # version, and stale re-exports with an earlier version time that must not —
    with duckdb.connect(str(warehouse)) as connection:
        for table in ("case_logs", "hall_tickets"):
            connection.execute(
                f"create table main.next_load_{table} as "
                f"select max(_loaded_at) + interval 1 day as loaded_at from raw.{table}"
            )
        for version_shift, extra_days, offset in (
            ("+ interval 1 minute", 1, 0),
            ("- interval 1 day", 5, 40),
        ):
            connection.execute(
                "insert into raw.case_logs by name select * replace ("
                f"updated_at {version_shift} as updated_at, "
                f"cast(coalesce(suspended_days, 0) + {extra_days} as smallint) as suspended_days, "
                "(select loaded_at from main.next_load_case_logs) as _loaded_at) "
                "from raw.case_logs where status = 'in_progress' "
                f"order by case_id limit 40 offset {offset}"
            )
        # and a catalogue snapshot in mid-month (the last one again, half a month earlier):
        # the cases whose clock started since are recomputed, the catalogue marts rebuilt
        connection.execute(
            "insert into raw.service_items by name select * replace ("
            "snapshot_date - interval 15 day as snapshot_date, "
            "(select loaded_at from main.next_load_case_logs) as _loaded_at) "
            "from raw.service_items "
            "where snapshot_date = (select max(snapshot_date) from raw.service_items)"
        )
        for table in ("case_logs", "hall_tickets"):
            connection.execute(
                f"insert into raw.{table} by name select * replace "
                f"((select loaded_at from main.next_load_{table}) as _loaded_at) "
                f"from main.held_{table}"
            )
            connection.execute(f"drop table main.held_{table}")
            connection.execute(f"drop table main.next_load_{table}")
    # the daily run as the product runs it (two threads once the facts exist)
    _dbt_build(warehouse, tmp_path / "target", *dbt_build_args(warehouse)[1:])
    incremental = {relation: rows_of(warehouse, relation, BOOKKEEPING) for relation in COMPARED}

    _dbt_build(warehouse, tmp_path / "target", "--full-refresh")
    for relation in COMPARED:
        full = rows_of(warehouse, relation, BOOKKEEPING)
        only_incremental = sorted(set(incremental[relation]) - set(full), key=repr)[:5]
        only_full = sorted(set(full) - set(incremental[relation]), key=repr)[:5]
        assert incremental[relation] == full, (relation, only_incremental, only_full)
