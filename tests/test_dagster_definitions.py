"""The Definitions: one job over every asset, dbt linked to ingestion, schedule and sensor."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import dagster_dbt.core.resource as dbt_resource
import pytest
from dagster import AssetKey, DagsterInstance, SkipReason, build_sensor_context
from packaging import version

from dagster_project.definitions import build_definitions
from dagster_project.ingestion.city import CITY_TABLE_KEYS
from dagster_project.ingestion.sensors import landing_fingerprint, landing_folder_sensor
from dagster_project.resources import LandingFolder
from dagster_project.warehouse.assets import (
    GovwhDbtTranslator,
    dbt_cli_resource,
    govwh_dbt_project,
)
from dagster_project.warehouse.jobs import BUILD_WAREHOUSE_JOB
from govwh.ingestion.schemas import SOURCES
from govwh.settings import Settings


def _manifest() -> dict:
    return json.loads(Path(govwh_dbt_project.manifest_path).read_text())


def test_job_selects_every_dbt_node_source_and_the_serving_copy(
    isolated_settings: Settings,
) -> None:
    definitions = build_definitions(isolated_settings)
    job = definitions.resolve_job_def(BUILD_WAREHOUSE_JOB)
    in_job = set(job.asset_layer.asset_graph.get_all_asset_keys())

    translator = GovwhDbtTranslator()
    dbt_nodes = [
        node
        for node in _manifest()["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    ]
    assert dbt_nodes, "the manifest has no dbt models"
    expected = {translator.get_asset_key(node) for node in dbt_nodes}
    expected |= {AssetKey(["raw", name]) for name in SOURCES}
    expected |= set(CITY_TABLE_KEYS.values())
    expected.add(AssetKey("serving_warehouse"))
    assert expected <= in_job, expected - in_job


def test_dbt_sources_are_the_ingestion_assets(isolated_settings: Settings) -> None:
    graph = build_definitions(isolated_settings).resolve_asset_graph()
    translator = GovwhDbtTranslator()
    for source in _manifest()["sources"].values():
        key = translator.get_asset_key(source)
        if source["source_name"] == "ops":
            # the outbox's sent-log: written by the supervision outbox after the build, read
            # by the outbox views — an external asset, not something the build produces
            assert key == AssetKey(["ops", source["name"]]), key
            assert key not in graph.materializable_asset_keys, key
            continue
        ingested = {AssetKey(["raw", name]) for name in SOURCES}
        configured = {AssetKey(table.split(".")) for table in CITY_TABLE_KEYS}
        assert key in ingested | configured, key
        # materializable: produced by our ingestion or city asset, not an external stub
        assert key in graph.materializable_asset_keys, key


def test_groups_follow_the_layers(isolated_settings: Settings) -> None:
    graph = build_definitions(isolated_settings).resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.materializable_asset_keys}
    assert {"ingestion", "seeds", "staging", "marts", "serving"} <= groups
    assert graph.get(AssetKey(["raw", "case_logs"])).group_name == "ingestion"
    assert graph.get(AssetKey(["marts", "fct_cases"])).group_name == "marts"


def test_raw_tables_have_blocking_quality_checks(isolated_settings: Settings) -> None:
    graph = build_definitions(isolated_settings).resolve_asset_graph()
    for name in SOURCES:
        checks = {k.name for k in graph.asset_check_keys if k.asset_key == AssetKey(["raw", name])}
        assert {"has_rows", "key_is_unique", "required_columns_filled"} <= checks, name


def test_daily_schedule_at_six_in_shanghai(isolated_settings: Settings) -> None:
    definitions = build_definitions(isolated_settings)
    schedule = definitions.resolve_schedule_def("daily_build")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == BUILD_WAREHOUSE_JOB


def test_sensor_requests_a_run_only_when_landing_files_change(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    folder = landing / "case_logs"
    folder.mkdir(parents=True)
    assert landing_fingerprint(landing) is None

    def evaluate(cursor: str | None):
        with DagsterInstance.ephemeral() as instance:
            context = build_sensor_context(
                instance=instance,
                cursor=cursor,
                resources={"landing": LandingFolder(path=str(landing))},
            )
            return landing_folder_sensor(context)

    assert isinstance(evaluate(None), SkipReason)  # nothing landed yet

    (folder / "case_logs_2019-01.parquet").write_bytes(b"first export")
    first = evaluate(None)
    assert len(first.run_requests) == 1
    assert isinstance(evaluate(first.cursor), SkipReason)  # unchanged

    (folder / "case_logs_2019-02.parquet").write_bytes(b"second export")
    second = evaluate(first.cursor)
    assert len(second.run_requests) == 1
    assert second.cursor != first.cursor


def test_dbt_runs_without_a_version_subprocess_or_an_adapter_in_dagster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # dagster-dbt ran `dbt --version` (all of dbt imported, then PyPI asked for the latest
    # release) and opened an adapter before every invocation: ~9 s of each daily build
    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"dbt started a subprocess: {args}")

    monkeypatch.setattr(dbt_resource, "check_output", no_subprocess)
    resource = dbt_cli_resource()
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))
    assert resource._initialize_dbt_core_adapter(["build"]) is None
