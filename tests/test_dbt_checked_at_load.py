"""dbt tests tagged checked_at_load restate a blocking raw asset check, and only those.

The Dagster build leaves them out (dagster_project/warehouse/assets.py) because the raw checks
(dagster_project/ingestion/checks.py) test the same columns of each day's rows before dbt may
build. A tag on a test that no raw check covers would silently drop that test from every
daily build: this file keeps the tag honest.
"""

from __future__ import annotations

import json
from typing import Any

from govwh.ingestion.schemas import SOURCES, SourceSchema

# staging renames a raw column here and there ("renames and types only")
RAW_NAMES = {("stg_case_platform__case_logs", "case_status"): "status"}
NOT_NULL = {"not_null", "not_null_columns"}
UNIQUE = {"unique", "unique_combination"}


def _manifest() -> dict[str, Any]:
    from dagster_project.warehouse.assets import load_dbt_project

    return json.loads(load_dbt_project().manifest_path.read_text())


def _source_of(manifest: dict[str, Any], test: dict[str, Any]) -> tuple[SourceSchema, str]:
    """The ingestion source a test's relation reads, and the relation's name."""
    attached = test.get("attached_node") or test["depends_on"]["nodes"][0]
    node = manifest["sources"].get(attached) or manifest["nodes"][attached]
    if node["resource_type"] == "source":
        table = f"{node['schema']}.{node['name']}"
    else:
        (parent,) = [p for p in node["depends_on"]["nodes"] if p.startswith("source.")]
        source = manifest["sources"][parent]
        table = f"{source['schema']}.{source['name']}"
    (schema,) = [s for s in SOURCES.values() if s.raw_table == table]
    return schema, node["name"]


def _columns(test: dict[str, Any]) -> list[str]:
    kwargs = test["test_metadata"]["kwargs"]
    return kwargs.get("columns") or [kwargs["column_name"]]


def test_every_checked_at_load_test_restates_a_raw_check() -> None:
    manifest = _manifest()
    tagged = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and "checked_at_load" in node["tags"]
    ]
    assert len(tagged) >= 20
    for test in tagged:
        source, relation = _source_of(manifest, test)
        kind = test["test_metadata"]["name"]
        raw = [RAW_NAMES.get((relation, column), column) for column in _columns(test)]
        if kind in NOT_NULL:
            assert set(raw) <= set(source.required), (test["name"], raw, source.required)
        else:
            assert kind in UNIQUE, test["name"]
            assert set(raw) == set(source.key), (test["name"], raw, source.key)


def test_the_dagster_build_leaves_them_out_and_keeps_the_others() -> None:
    from dagster_project.warehouse.assets import govwh_dbt_models

    manifest = _manifest()
    checks = {spec.name for spec in govwh_dbt_models.check_specs}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    tagged = {n["name"] for n in tests if "checked_at_load" in n["tags"]}
    assert tagged and not tagged & checks
    # the other tests of the same staging models stay (accepted values, the city's tables)
    staging = {
        n["name"]
        for n in tests
        if n["name"] not in tagged
        and manifest["nodes"]
        .get(n.get("attached_node") or "", {})
        .get("name", "")
        .startswith("stg_")
    }
    assert len(staging) >= 20 and staging <= checks
