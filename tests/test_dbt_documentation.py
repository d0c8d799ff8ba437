"""Every dbt model is documented and tested: analysts rely on the YAML as the data dictionary."""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import settings_of

from govwh.settings import Settings
from govwh.warehouse.dbt import run_dbt


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("dbt_target")
    process, _ = run_dbt(["parse"], settings_of(target / "unused.duckdb"), target)
    assert process.returncode == 0, process.stdout[-3000:]
    return json.loads((target / "manifest.json").read_text())


def _models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_every_model_is_described_and_tested(manifest: dict) -> None:
    tested = {
        dep
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("test", "unit_test")
        for dep in node["depends_on"]["nodes"]
    } | {test["depends_on"]["nodes"][0] for test in manifest.get("unit_tests", {}).values()}
    undocumented = [m["name"] for m in _models(manifest) if not m["description"].strip()]
    untested = [m["name"] for m in _models(manifest) if m["unique_id"] not in tested]
    assert not undocumented, f"models without a description: {undocumented}"
    assert not untested, f"models without tests: {untested}"


def test_model_names_follow_the_layers(manifest: dict) -> None:
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("dim_", "fct_", "mart_")}
    misplaced = [
        m["name"] for m in _models(manifest) if not m["name"].startswith(prefixes[m["fqn"][1]])
    ]
    assert not misplaced


@pytest.mark.slow
def test_every_column_of_every_model_is_documented(
    manifest: dict, built_warehouse: Settings
) -> None:
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        actual = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall()
    columns_by_relation: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in actual:
        columns_by_relation.setdefault((schema, table), set()).add(column)

    problems = []
    for model in _models(manifest):
        real = columns_by_relation.get((model["schema"], model["alias"]))
        assert real is not None, f"{model['name']} is not in the warehouse"
        documented = {
            name for name, column in model["columns"].items() if column["description"].strip()
        }
        if missing := real - documented:
            problems.append(f"{model['name']}: {sorted(missing)}")
        if stale := set(model["columns"]) - real:
            problems.append(f"{model['name']} documents columns it lacks: {sorted(stale)}")
    assert not problems, "\n".join(problems)
