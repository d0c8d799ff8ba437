"""An incremental dbt run after a daily load gives exactly what a full rebuild gives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import settings_of

from govwh.settings import Settings
from govwh.warehouse.dbt import dbt_build_args, run_dbt

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
    "marts.fct_consultations",
    "marts.fct_hotline_calls",
    "marts.mart_consultation_metrics_by_period",
    "marts.mart_hotline_calls_by_period",
    "marts.mart_consultation_alerts",
]
BOOKKEEPING = frozenset({"_watermark", "_loaded_at", "_as_of_date", "_built_at"})
# Catalogue models are replaced whole after any catalogue load (and left alone otherwise):
# after this test's mid-month snapshot their daily SQL is the full refresh's by design.
REBUILT_WHOLE_AFTER_A_LOAD = frozenset(
    {"model.govwh.dim_service_item", "model.govwh.mart_item_supply_by_period"}
)


def _dbt_build(warehouse: Path, target: Path, *extra: str) -> None:
    result, _ = run_dbt(
        ["build", "--exclude", "test_type:unit", *extra], settings_of(warehouse), target
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
        # Hold back the last day's case versions, tickets, order versions and calls, then
        # build without them.
        for table, column in (
            ("case_logs", "updated_at"),
            ("hall_tickets", "ticket_taken_at"),
            ("consultations", "updated_at"),
            ("hotline_calls", "offered_at"),
        ):
            connection.execute(
                f"create table main.held_{table} as select * from raw.{table} "
                f"where cast({column} as date) = ?",
                [last_day],
            )
            connection.execute(
                f"delete from raw.{table} where cast({column} as date) = ?", [last_day]
            )
    _dbt_build(warehouse, tmp_path / "target", "--full-refresh")
    full_refresh_sql = _compiled_incremental_models(tmp_path / "target")

    # The daily load arrives: the held-back rows, loaded later than everything else, new
    # versions of cases stored before — re-exports with a later version time (one more
    # suspended working day: due dates, alerts and backlog move) that must replace the stored
    # version, and stale re-exports with an earlier version time that must not —
    with duckdb.connect(str(warehouse)) as connection:
        for table in ("case_logs", "hall_tickets", "consultations", "hotline_calls"):
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
        # open work orders answered in a newer version (they leave the alerts, their verdicts
        # are decided), and stale re-exports of others that must not replace the stored ones
        for version_shift, status, offset in (
            ("+ interval 1 minute", "replied", 0),
            ("- interval 1 day", "closed", 5),
        ):
            connection.execute(
                "insert into raw.consultations by name select * replace ("
                f"updated_at {version_shift} as updated_at, '{status}' as status, "
                f"coalesce(first_reply_at, updated_at {version_shift}) as first_reply_at, "
                "(select loaded_at from main.next_load_consultations) as _loaded_at) "
                "from raw.consultations where status in ('received', 'assigned') "
                f"order by order_id limit 5 offset {offset}"
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
        for table in ("case_logs", "hall_tickets", "consultations", "hotline_calls"):
            connection.execute(
                f"insert into raw.{table} by name select * replace "
                f"((select loaded_at from main.next_load_{table}) as _loaded_at) "
                f"from main.held_{table}"
            )
            connection.execute(f"drop table main.held_{table}")
            connection.execute(f"drop table main.next_load_{table}")
    # the daily run as the product runs it (two threads once the facts exist)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        before_daily_run = connection.execute(
            "select max(_built_at) from marts.mart_metric_values"
        ).fetchone()[0]
    _dbt_build(warehouse, tmp_path / "target", *dbt_build_args(warehouse)[1:])
    _assert_incremental_path_ran(full_refresh_sql, tmp_path / "target", warehouse, before_daily_run)
    incremental = {relation: rows_of(warehouse, relation, BOOKKEEPING) for relation in COMPARED}

    _dbt_build(warehouse, tmp_path / "target", "--full-refresh")
    for relation in COMPARED:
        full = rows_of(warehouse, relation, BOOKKEEPING)
        only_incremental = sorted(set(incremental[relation]) - set(full), key=repr)[:5]
        only_full = sorted(set(full) - set(incremental[relation]), key=repr)[:5]
        assert incremental[relation] == full, (relation, only_incremental, only_full)


def _compiled_incremental_models(target: Path) -> dict[str, str]:
    """The SQL each incremental model ran with in the last dbt run in `target`."""
    manifest = json.loads((target / "manifest.json").read_text())
    run_results = json.loads((target / "run_results.json").read_text())
    return {
        result["unique_id"]: result["compiled_code"]
        for result in run_results["results"]
        if manifest["nodes"].get(result["unique_id"], {}).get("config", {}).get("materialized")
        == "incremental"
    }


def _assert_incremental_path_ran(
    full_refresh_sql: dict[str, str], target: Path, warehouse: Path, before: dt.datetime
) -> None:
    """The daily run took each incremental model's incremental branch, not a silent rebuild:
    its SQL differs from the full refresh's (the is_incremental() filters), and the long
    table kept the rows of periods nothing touched (their _built_at is older than the run).
    """
    daily_sql = _compiled_incremental_models(target)
    assert len(daily_sql) >= 8 and daily_sql.keys() == full_refresh_sql.keys(), sorted(daily_sql)
    same = sorted(
        node
        for node, sql in daily_sql.items()
        if sql == full_refresh_sql[node] and node not in REBUILT_WHOLE_AFTER_A_LOAD
    )
    assert not same, f"ran without their incremental branch: {same}"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        kept, rewritten = connection.execute(
            "select count(*) filter (where _built_at <= ?), count(*) filter (where _built_at > ?)"
            " from marts.mart_metric_values",
            [before, before],
        ).fetchone()
    assert kept > 0 and rewritten > 0, (kept, rewritten)
