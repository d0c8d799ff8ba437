"""Shared fixtures: the tiny demo city, built once per worker, and the small one, once per run,
through the real Dagster job."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from dagster import AssetSelection, DagsterInstance
from filelock import FileLock

from dagster_project.definitions import build_definitions
from dagster_project.runner import open_instance, run_job
from govwh.jobs import PUBLIC_RELEASE_JOB, WEEKLY_BULLETIN_JOB, JobResult
from govwh.settings import (
    CITY_ENV,
    DAGSTER_HOME_ENV,
    LANDING_ENV,
    SERVING_ENV,
    WAREHOUSE_ENV,
    Settings,
)

# The test files that take longest, longest first: each took 45 s to 10 minutes in a fresh
# clone on two cores (2026-12-06). `make test` hands out whole files (`--dist loadfile`) in
# collection order, and a long file handed out last keeps one worker busy for minutes while
# the others have nothing left to do.
LONGEST_FILES_FIRST = (
    "test_dashboards_superset.py",
    "test_spark_target.py",
    "test_forecasting_calibration.py",
    "test_realdata_onboarding.py",
    "test_operations_daemon.py",
    "test_bench.py",
    # after the calibration's: the small city they share is built by then
    "test_metrics_recompute.py",
    "test_forecasting_staffing.py",
    "test_guides_warehouse.py",
    "test_incremental_build.py",
    "test_unload_rebuild.py",
    "test_dagster_build.py",
    "test_cli.py",
    "test_consultations_only_city.py",
    "test_cli_reports.py",
    "test_ingestion_warehouse.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest files first; the rest keep their order (the sort is stable)."""
    rank = {name: place for place, name in enumerate(LONGEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def environment_of(settings: Settings, dagster_home: Path) -> dict[str, str]:
    """The env vars that point every command at `settings`' files."""
    return {
        WAREHOUSE_ENV: str(settings.warehouse_path),
        LANDING_ENV: str(settings.landing_dir),
        SERVING_ENV: str(settings.serving_path),
        CITY_ENV: str(settings.city_dir),
        DAGSTER_HOME_ENV: str(dagster_home),
    }


@contextmanager
def environment_at(settings: Settings, dagster_home: Path) -> Iterator[None]:
    """`environment_of` set for the block, the env vars as they were restored after it."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in environment_of(settings, dagster_home).items():
            environment.setenv(name, value)
        yield


def settings_of(warehouse: Path) -> Settings:
    """A test environment around an existing warehouse file (for `run_dbt` on it)."""
    return dataclasses.replace(settings_in(warehouse.parent), warehouse_path=warehouse)


def dbt_test_on(
    warehouse: Path, target: Path, select: str, *flags: str
) -> subprocess.CompletedProcess[str]:
    """`dbt test --select <select>` on an existing warehouse file, its artefacts in `target`."""
    from govwh.warehouse.dbt import run_dbt

    process, _ = run_dbt(["test", "--select", select, *flags], settings_of(warehouse), target)
    return process


def the_data_test_result(target: Path) -> dict:
    """The one data test's entry of the last dbt run's run_results.json in `target`."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    (result,) = [r for r in results if r["unique_id"].startswith("test.")]
    return result


def settings_in(folder: Path, landing_dir: Path | None = None) -> Settings:
    """Warehouse, landing folder and serving copy of a test environment under `folder`."""
    return Settings(
        warehouse_path=folder / "warehouse" / "govwh.duckdb",
        landing_dir=landing_dir or folder / "landing",
        serving_path=folder / "warehouse" / "serving" / "govwh.duckdb",
    )


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, JobResult]]:
    """Generate the tiny city, point the environment at it and materialize every asset.

    The env vars stay set for the session (and are restored after it), so that code reading
    Settings.from_env() and dbt's profile both see the test warehouse.
    """
    from govwh.demo import generate_demo_city

    root = tmp_path_factory.mktemp("tiny_city")
    settings = settings_in(root)
    dagster_home = root / "dagster_home"
    generate_demo_city(settings.landing_dir, seed=42, scale="tiny")
    with environment_at(settings, dagster_home):
        instance = open_instance(dagster_home)
        result = run_job(settings, instance=instance)
        assert result.success, result.failures
        build_report_marts_through_their_jobs(settings, instance)
        yield settings, result


def build_report_marts_through_their_jobs(settings: Settings, instance: DagsterInstance) -> None:
    """The bulletin's and the public release's marts, which the build job leaves to their jobs:
    each job's dbt marts and the serving copy, without writing the report itself."""
    graph = build_definitions(settings).resolve_asset_graph()
    for job, group in ((WEEKLY_BULLETIN_JOB, "bulletin"), (PUBLIC_RELEASE_JOB, "publication")):
        marts = [
            key.to_user_string()
            for key in AssetSelection.groups(group).resolve(graph)
            if key.path[0] == "marts"
        ]
        assert marts, group
        result = run_job(settings, job, instance=instance, assets=[*marts, "serving_warehouse"])
        assert result.success, result.failures


@pytest.fixture(scope="session")
def small_city_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Settings:
    """The `small` demo city (seed 7, three years) built through the real Dagster job, once
    for the whole run: the first worker to ask builds it (two to three minutes), the others
    wait for it under a file lock. Read it through `small_city`, which gives a module its own
    copy of the warehouse."""
    from govwh.demo import generate_demo_city

    # With pytest-xdist every worker has its own base folder under the run's one.
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_folder = run_folder.parent
    root = run_folder / "small_city_build"
    settings = settings_in(root)
    dagster_home = root / "dagster_home"
    with FileLock(str(root) + ".lock"):
        built = root / "built"
        if not built.exists():
            shutil.rmtree(root, ignore_errors=True)  # what a failed build left
            generate_demo_city(settings.landing_dir, seed=7, scale="small")
            with environment_at(settings, dagster_home):
                result = run_job(settings, instance=open_instance(dagster_home))
                assert result.success, result.failures
            built.touch()
    return settings


@pytest.fixture(scope="module")
def small_city(
    small_city_build: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The small city's warehouse copied for this module (its tests write forecasts into it),
    beside the build's landing folder, which no test writes to; the env vars point at both."""
    root = tmp_path_factory.mktemp("small_city")
    shutil.copytree(small_city_build.warehouse_path.parent, root / "warehouse")
    settings = settings_in(root, landing_dir=small_city_build.landing_dir)
    with environment_at(settings, root / "dagster_home"):
        yield settings


@pytest.fixture(scope="session")
def built_warehouse(tiny_build: tuple[Settings, JobResult]) -> Settings:
    """Paths of the built tiny warehouse (raw → dbt build → serving copy)."""
    return tiny_build[0]


@pytest.fixture
def isolated_settings(tmp_path: Path) -> Settings:
    """A warehouse, landing folder and serving copy of this test alone (nothing built)."""
    return settings_in(tmp_path)


@pytest.fixture
def point_environment_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[Settings, Path], None]:
    """Set the env vars of `settings` and a Dagster home for this test (restored after)."""

    def point(settings: Settings, dagster_home: Path) -> None:
        for name, value in environment_of(settings, dagster_home).items():
            monkeypatch.setenv(name, value)

    return point


def relation_rows(warehouse: Path, relation: str, ignored: frozenset[str]) -> list[tuple]:
    """The rows of `relation` ("schema.table") without the `ignored` columns (bookkeeping such
    as load times), sorted, doubles rounded to 1e-6: sums of floats depend on the order
    DuckDB's threads add them in."""
    schema, table = relation.split(".")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if name not in ignored
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        rows = connection.execute(f"select {select} from {relation}").fetchall()
    return sorted(
        (tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows),
        key=repr,
    )


@pytest.fixture
def rows_of() -> Callable[[Path, str, frozenset[str]], list[tuple]]:
    """`relation_rows`: compare two builds of a relation."""
    return relation_rows
