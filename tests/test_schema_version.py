"""A warehouse built by older models is rebuilt in full once, then incremental again.

Models whose columns changed (on_schema_change='fail') cannot be built incrementally on a
warehouse built before the change; govwh/warehouse/dbt.py records the schema version of every
complete build and makes the next build of an older warehouse a full refresh.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from govwh.settings import DAILY_DBT_BUILD_FLAGS, Settings
from govwh.warehouse.dbt import (
    SCHEMA_VERSIONS,
    WAREHOUSE_SCHEMA_VERSION,
    dbt_build_args,
    record_complete_build,
)

pytestmark = pytest.mark.slow


def test_an_older_warehouse_is_rebuilt_in_full_once(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    warehouse = tmp_path / "govwh.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    # the first build recorded the version of the models it built
    assert dbt_build_args(warehouse) == ["build", *DAILY_DBT_BUILD_FLAGS]

    with duckdb.connect(str(warehouse)) as connection:  # as built before versions existed
        connection.execute(f"drop table {SCHEMA_VERSIONS}")
    assert dbt_build_args(warehouse) == ["build", "--full-refresh"]

    record_complete_build(warehouse, ["build", "--full-refresh"])
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"update {SCHEMA_VERSIONS} set schema_version = schema_version - 1")
    assert dbt_build_args(warehouse) == ["build", "--full-refresh"]  # an older version

    record_complete_build(warehouse, ["build", "--full-refresh"])
    assert dbt_build_args(warehouse) == ["build", *DAILY_DBT_BUILD_FLAGS]
    # a daily (incremental) build records nothing: it rebuilt only what changed
    record_complete_build(warehouse, ["build", *DAILY_DBT_BUILD_FLAGS])
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        versions = connection.execute(f"select schema_version from {SCHEMA_VERSIONS}").fetchall()
    assert versions == [(WAREHOUSE_SCHEMA_VERSION - 1,), (WAREHOUSE_SCHEMA_VERSION,)]


def test_prune_keeps_the_newest_invocation_folders(tmp_path: Path) -> None:
    import os

    from govwh.warehouse.dbt import prune_invocation_targets

    for n in range(5):
        folder = tmp_path / f"govwh_dbt_models-run{n}-abc"
        folder.mkdir()
        os.utime(folder, (1_000_000 + n, 1_000_000 + n))
    (tmp_path / "other_op-run9-abc").mkdir()
    (tmp_path / "manifest.json").write_text("{}")
    deleted = prune_invocation_targets(tmp_path, "govwh_dbt_models", keep=2)
    assert sorted(p.name for p in deleted) == [f"govwh_dbt_models-run{n}-abc" for n in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "govwh_dbt_models-run3-abc",
        "govwh_dbt_models-run4-abc",
        "manifest.json",
        "other_op-run9-abc",
    ]
