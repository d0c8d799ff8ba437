"""The raw tables' blocking checks look at the rows a run loaded, against the whole table
where that matters (a new row repeating a key loaded long before), and at nothing new when
the run loaded no file."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, asset, materialize

from dagster_project.ingestion.assets import ingestion_assets
from dagster_project.ingestion.checks import (
    EVERYTHING,
    conservation_sql,
    duplicate_keys_sql,
    null_counts_sql,
    raw_asset_checks,
)
from dagster_project.resources import resources_from_settings
from govwh.ingestion.loader import ensure_raw_table
from govwh.ingestion.ops import ensure_ops_tables
from govwh.ingestion.schemas import SOURCES
from govwh.settings import Settings

TICKETS = SOURCES["hall_tickets"]
OLD = dt.datetime(2024, 1, 1, 6, 0)
NEW = dt.datetime(2024, 1, 2, 6, 0)


def _tickets(path: Path, rows: list[tuple[str, str | None, dt.datetime]]) -> None:
    """raw.hall_tickets with (ticket_id, hall_code, _loaded_at) rows, the rest defaulted."""
    with duckdb.connect(str(path)) as connection:
        ensure_ops_tables(connection)
        ensure_raw_table(connection, TICKETS)
        for ticket_id, hall, loaded_at in rows:
            connection.execute(
                "insert into raw.hall_tickets (ticket_id, hall_code, ticket_taken_at, outcome,"
                " _source_file, _loaded_at) values (?, ?, ?, 'served', 'f.csv', ?)",
                [ticket_id, hall, loaded_at, loaded_at],
            )


def _scalar(path: Path, sql: str) -> tuple:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchone() or ()


def test_a_new_row_repeating_an_old_key_is_found(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _tickets(warehouse, [("T1", "H1", OLD), ("T2", "H1", OLD), ("T2", "H1", NEW)])
    assert _scalar(warehouse, duplicate_keys_sql(TICKETS, NEW)) == (1,)
    assert _scalar(warehouse, duplicate_keys_sql(TICKETS, EVERYTHING)) == (1,)
    assert _scalar(warehouse, duplicate_keys_sql(TICKETS, "nothing")) == (0,)


def test_old_faults_are_not_charged_to_a_new_load(tmp_path: Path) -> None:
    """A duplicate and a null among old rows were reported by the run that loaded them."""
    warehouse = tmp_path / "w.duckdb"
    _tickets(warehouse, [("T1", None, OLD), ("T1", "H1", OLD), ("T3", "H2", NEW)])
    assert _scalar(warehouse, duplicate_keys_sql(TICKETS, NEW)) == (0,)
    assert _scalar(warehouse, duplicate_keys_sql(TICKETS, EVERYTHING)) == (1,)
    nulls = dict(
        zip(TICKETS.required, _scalar(warehouse, null_counts_sql(TICKETS, NEW)), strict=True)
    )
    assert nulls["hall_code"] == 0
    everything = _scalar(warehouse, null_counts_sql(TICKETS, EVERYTHING))
    assert dict(zip(TICKETS.required, everything, strict=True))["hall_code"] == 1
    # no manifest rows at all: every scope adds up
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for scope in (NEW, EVERYTHING, "nothing"):
            assert (
                connection.execute(conservation_sql(TICKETS, scope), ["hall_tickets"]).fetchall()
                == []
            )


def _tickets_checks() -> list:
    return [
        c
        for c in raw_asset_checks
        if any(k.asset_key == AssetKey(["raw", "hall_tickets"]) for k in c.check_keys)
    ]


@pytest.mark.parametrize(
    ("rows", "blocked"),
    [
        ([("T1", "H1", OLD), ("T2", "H1", NEW)], False),
        ([("T1", "H1", OLD), ("T1", "H1", NEW)], True),  # a repeated key
        ([("T1", "H1", OLD), ("T2", None, NEW)], True),  # a required value missing
    ],
)
def test_a_failing_raw_check_blocks_what_is_built_on_the_table(
    isolated_settings: Settings,
    rows: list[tuple[str, str | None, dt.datetime]],
    blocked: bool,
) -> None:
    """The source's checks run in one step, and each still blocks: nothing built on
    raw.hall_tickets runs after a failed one (dbt, in the build)."""
    warehouse = isolated_settings.warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    @asset(key=["raw", "hall_tickets"])
    def hall_tickets() -> None:
        _tickets(warehouse, rows)

    @asset(deps=[hall_tickets])
    def built_on_tickets() -> None:
        pass

    result = materialize(
        [hall_tickets, built_on_tickets, *_tickets_checks()],
        resources=resources_from_settings(isolated_settings),
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        "has_rows",
        "key_is_unique",
        "required_columns_filled",
        "rows_conserved",
    }
    assert evaluations["has_rows"].passed
    failed = {name for name, e in evaluations.items() if not e.passed}
    assert bool(failed) == blocked
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert ("built_on_tickets" in built) != blocked


@pytest.mark.slow
def test_a_daily_run_checks_the_rows_it_loaded_and_nothing_else(
    built_warehouse: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(built_warehouse.landing_dir, landing)
    settings = Settings(
        warehouse_path=tmp_path / "govwh.duckdb",
        landing_dir=landing,
        serving_path=tmp_path / "serving" / "govwh.duckdb",
    )
    shutil.copyfile(built_warehouse.warehouse_path, settings.warehouse_path)
    point_environment_at(settings, tmp_path / "dagster_home")
    instance = DagsterInstance.ephemeral()
    tickets = [a for a in ingestion_assets if AssetKey(["raw", "hall_tickets"]) in a.keys]
    checks = _tickets_checks()

    def run() -> dict[str, str]:
        result = materialize(
            [*tickets, *checks], resources=resources_from_settings(settings), instance=instance
        )
        assert result.success
        evaluations = result.get_asset_check_evaluations()
        assert all(e.passed for e in evaluations), evaluations
        return {e.check_name: e.description or "" for e in evaluations}

    # every file was loaded by the build: this run loads none and checks no old row again
    quiet = run()
    assert "no new rows in this run" in quiet["key_is_unique"]
    assert "no new rows in this run" in quiet["required_columns_filled"]
    assert "no new rows in this run" in quiet["rows_conserved"]

    # a new day's file arrives: its rows are checked, against every earlier key
    first = sorted((landing / "hall_tickets").glob("*.parquet"))[-1]
    day = (
        pl.read_parquet(first)
        .head(50)
        .with_columns(
            pl.col("ticket_id") + "-next", pl.col("ticket_taken_at") + pl.duration(days=1)
        )
    )
    day.write_parquet(first.with_name("zz_next_day.parquet"))
    loaded = run()
    assert "the rows loaded from" in loaded["key_is_unique"]
    assert "every file adds up (checked: the rows loaded from" in loaded["rows_conserved"]
