"""The model-level `not_null_columns` test (dbt/tests/generic/not_null_columns.sql): one node
per model that fails naming each required column holding nulls."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_test_on, the_data_test_result

from govwh.settings import Settings

pytestmark = pytest.mark.slow


def _dbt_test(warehouse: Path, target: Path, select: str) -> subprocess.CompletedProcess[str]:
    return dbt_test_on(warehouse, target, select, "--store-failures")


def test_a_null_in_a_required_column_fails_naming_the_column(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    warehouse = tmp_path / "govwh.duckdb"
    shutil.copyfile(built_warehouse.warehouse_path, warehouse)
    target = tmp_path / "target"
    select = "test_name:not_null_columns,fct_hall_tickets"

    passed = _dbt_test(warehouse, target, select)
    assert passed.returncode == 0, passed.stdout[-3000:]

    with duckdb.connect(str(warehouse)) as connection:
        (tickets,) = connection.execute("select count(*) from marts.fct_hall_tickets").fetchone()
        # among the rows of the last run: the test reads those (its `where`, scoped_tests.sql)
        connection.execute(
            "update marts.fct_hall_tickets set target_wait_minutes = null "
            "where ticket_id in (select ticket_id from marts.fct_hall_tickets where _watermark"
            " = (select max(_watermark) from marts.fct_hall_tickets) limit 3)"
        )
    failed = _dbt_test(warehouse, target, select)
    assert failed.returncode != 0
    result = the_data_test_result(target)
    assert result["status"] == "fail" and result["failures"] == 1
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        audit = connection.execute(f"select * from {result['relation_name']}").fetchall()
    assert audit == [("target_wait_minutes", 3)]
    assert tickets > 3


def test_the_required_columns_are_documented_columns_of_their_model() -> None:
    """A column listed by the test is one of the model's documented columns (a typo would
    fail only when the model is built)."""
    from dagster_project.warehouse.assets import load_dbt_project

    manifest = json.loads(load_dbt_project().manifest_path.read_text())
    tests = [
        node
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "not_null_columns"
    ]
    assert len(tests) >= 60
    for test in tests:
        model = manifest["nodes"][test["attached_node"]]
        listed = test["test_metadata"]["kwargs"]["columns"]
        assert set(listed) <= set(model["columns"]), (model["name"], listed)
        assert len(set(listed)) == len(listed), model["name"]
