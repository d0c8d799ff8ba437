"""After an unload, the next build is a full refresh: the unloaded file's rows leave the marts,
which an incremental run (high-water marks on `_loaded_at`) could not see; the file loaded
again and built incrementally gives back exactly the first build."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import settings_in
from test_incremental_build import BOOKKEEPING, COMPARED

from govwh.ingestion.loader import load_files
from govwh.ingestion.pseudonymise import PseudonymisationKey
from govwh.ingestion.schemas import CASE_LOGS
from govwh.ingestion.unload import unload_load
from govwh.settings import DAILY_DBT_BUILD_FLAGS, Settings
from govwh.warehouse.dbt import dbt_build_args, run_dbt

pytestmark = pytest.mark.slow


def _build(settings: Settings, target: Path) -> list[str]:
    """The build the product would run now; the arguments it ran with."""
    args = dbt_build_args(settings.warehouse_path)
    process, _ = run_dbt(args, settings, target)
    assert process.returncode == 0, process.stdout[-4000:]
    return args


def _cases_only_in(warehouse: Path, file_name: str) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select case_id from raw.case_logs group by case_id having bool_and(_source_file = ?)",
            [file_name],
        ).fetchall()
    return {case_id for (case_id,) in rows}


def _in_fct_cases(warehouse: Path, case_ids: set[str]) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return int(
            connection.execute(
                "select count(*) from marts.fct_cases where list_contains(?, case_id)",
                [sorted(case_ids)],
            ).fetchall()[0][0]
        )


def test_a_build_after_an_unload_rebuilds_in_full_and_a_reload_restores_it(
    built_warehouse: Settings,
    tmp_path: Path,
    rows_of: Callable[[Path, str, frozenset[str]], list[tuple]],
) -> None:
    settings = settings_in(tmp_path, landing_dir=built_warehouse.landing_dir)
    warehouse = settings.warehouse_path
    warehouse.parent.mkdir(parents=True)
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    first_build = {relation: rows_of(warehouse, relation, BOOKKEEPING) for relation in COMPARED}
    # a month of cases in the middle of the period: versions of its cases are in no other file
    exports = sorted((built_warehouse.landing_dir / "case_logs").glob("*.parquet"))
    export = exports[len(exports) // 2]
    only_there = _cases_only_in(warehouse, export.name)
    assert only_there and _in_fct_cases(warehouse, only_there) == len(only_there)

    with duckdb.connect(str(warehouse)) as connection:
        removed = unload_load(connection, str(export))
    assert removed.rows_raw > 0

    args = _build(settings, tmp_path / "target")
    assert _in_fct_cases(warehouse, only_there) == 0  # an incremental run would keep them
    assert args == ["build", "--full-refresh"]
    # the full refresh covered the unload: the next builds are incremental again
    assert dbt_build_args(warehouse) == ["build", *DAILY_DBT_BUILD_FLAGS]

    with duckdb.connect(str(warehouse)) as connection:
        key = PseudonymisationKey.from_env(demo=True)
        (reloaded,) = load_files(connection, CASE_LOGS, [export], key).files
    assert (reloaded.status, reloaded.rows_loaded) == ("loaded", removed.rows_loaded)

    assert _build(settings, tmp_path / "target") == ["build", *DAILY_DBT_BUILD_FLAGS]
    for relation in COMPARED:
        rebuilt = rows_of(warehouse, relation, BOOKKEEPING)
        only_now = sorted(set(rebuilt) - set(first_build[relation]), key=repr)[:5]
        only_before = sorted(set(first_build[relation]) - set(rebuilt), key=repr)[:5]
        assert rebuilt == first_build[relation], (relation, only_now, only_before)
