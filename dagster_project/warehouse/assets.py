"""The dbt project as Dagster assets: every seed, model and test of `dbt build`.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, RetryRequested
from dagster_dbt import (
    DagsterDbtCliRuntimeError,
    DagsterDbtTranslator,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from dagster_project.resources import DuckDBWarehouse
from govwh.settings import (
    DAILY_DBT_BUILD_FLAGS,
    DBT_PROFILES_DIR,
    DBT_PROJECT_DIR,
    WAREHOUSE_ENV,
    Settings,
    dbt_executable,
)
from govwh.warehouse.connection import is_lock_conflict
from govwh.warehouse.dbt import (
    CHECKED_AT_LOAD_SELECTION,
    REPORT_SELECTION,
    REPORT_TAGS,
    dbt_build_args,
    keep_partial_parse,
    prune_invocation_targets,
    record_complete_build,
)

# Files whose change makes the parsed manifest stale (relative to the project directory).
_PROJECT_INPUTS = (
    "dbt_project.yml",
    ".dbtignore",
    "packages.yml",
    "dependencies.yml",
    "models",
    "seeds",
    "dbt",
)


def _manifest_is_stale(project: DbtProject) -> bool:
    """The manifest is missing or older than a file of the dbt project."""
    if not project.manifest_path.exists():
        return True
    parsed_at = project.manifest_path.stat().st_mtime
    for name in _PROJECT_INPUTS:
        path = Path(project.project_dir) / name
        if not path.exists():
            continue
        files = [path] if path.is_file() else path.rglob("*")
        if any(f.is_file() and f.stat().st_mtime > parsed_at for f in files):
            return True
    return False


@contextmanager
def _warehouse_env(warehouse_path: Path) -> Iterator[None]:
    """GOVWH_WAREHOUSE for a dbt subprocess, which inherits this process's environment.

    dagster-dbt builds the subprocess environment from os.environ only, so the variable is set
    for the duration of the invocation and restored after.
    """
    previous = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(warehouse_path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = previous


class GovwhDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs it pays before every dbt invocation, ~9 s of
    a daily build measured at city scale (docs/benchmarks.md, Daily cycle):

    - the dbt version comes from the installed dbt-core package, not from running
      `dbt --version` in a subprocess (which imports all of dbt and asks PyPI for the latest
      release: a network call on a machine that has none);
    - no dbt adapter is opened in this process: dagster-dbt uses it only for
      `fetch_row_counts` / `fetch_column_metadata`, which govwh does not call.

    Both override private members of dagster-dbt, pinned in requirements.lock; every test
    that builds the warehouse (tests/test_dagster_build.py) runs dbt through this resource.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def load_dbt_project() -> DbtProject:
    """The project, with its manifest parsed now if missing or older than the project files.

    `govwh build` must work from a fresh clone, and the manifest is not committed: parsing on
    load (a few seconds, only when something changed) replaces a manual `dbt parse`. It parses
    with the warehouse path the build will use, so that dbt build can parse partially.
    """
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROFILES_DIR)
    if _manifest_is_stale(project):
        with _warehouse_env(Settings.from_env().warehouse_path):
            GovwhDbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
                ["parse", "--quiet"], target_path=project.target_path
            ).wait()
    return project


class GovwhDbtTranslator(DagsterDbtTranslator):
    """Asset keys name the warehouse relation (schema/table); groups follow the dbt layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["alias"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        # a report's marts (tagged in dbt_project.yml) are in the group of the report
        for report in REPORT_TAGS:
            if report in dbt_resource_props.get("tags", ()):
                return report
        # fqn = [project, layer folder, ..., model name]: staging, intermediate or marts
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


govwh_dbt_project = load_dbt_project()


def dbt_cli_resource() -> DbtCliResource:
    return GovwhDbtCliResource(
        project_dir=govwh_dbt_project,
        profiles_dir=str(DBT_PROFILES_DIR),
        dbt_executable=dbt_executable(),
        # plain text: dbt's messages end up in error reports and log files, not a terminal
        global_config_flags=["--no-use-colors"],
    )


def _stream_dbt(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse, args: list[str]
) -> Iterator[Any]:
    """Run `dbt <args>` for the op's selection and stream its results as Dagster events."""
    with _warehouse_env(warehouse.file):
        invocation = dbt.cli(args, context=context)
        try:
            yield from invocation.stream()
        except DagsterDbtCliRuntimeError as error:
            # a process holding the file (a reader on the main file) is transient: retry
            # with backoff; any other dbt failure fails the run (and its notice says why)
            if is_lock_conflict(error):
                raise RetryRequested(max_retries=4, seconds_to_wait=30) from error
            raise
        finally:
            keep_partial_parse(invocation.target_path, Path(govwh_dbt_project.target_path))
            # each invocation's own target folder (named <op>-<run>-<id> by dagster-dbt):
            # the newest are kept, for their compiled SQL and dbt.log
            prune_invocation_targets(
                invocation.target_path.parent, context.op_execution_context.op.name
            )


@dbt_assets(
    manifest=govwh_dbt_project.manifest_path,
    dagster_dbt_translator=GovwhDbtTranslator(),
    project=govwh_dbt_project,
    exclude=f"{REPORT_SELECTION} {CHECKED_AT_LOAD_SELECTION}",
)
def govwh_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse
) -> Iterator[Any]:
    """dbt build: seeds, models and their data tests (reported as asset checks), but the
    report marts (govwh_report_marts) and the tests a blocking raw check already made on
    the day's rows (CHECKED_AT_LOAD_SELECTION)."""
    args = dbt_build_args(warehouse.file)
    yield from _stream_dbt(context, dbt, warehouse, args)
    if not context.is_subset:  # every model built: record the schema version they have
        record_complete_build(warehouse.file, args)


@dbt_assets(
    manifest=govwh_dbt_project.manifest_path,
    dagster_dbt_translator=GovwhDbtTranslator(),
    project=govwh_dbt_project,
    select=REPORT_SELECTION,
    name="govwh_report_marts",
)
def govwh_report_marts(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse
) -> Iterator[Any]:
    """The marts of the weekly bulletin and of the public release, built by their jobs.

    They are tables over the daily marts, read once a week (once a month); in the daily build
    they were 64 of its 412 dbt nodes, about 4 s of the city's 45 s daily cycle
    (docs/benchmarks.md). A report job builds them, publishes the serving copy and then reads
    them from it.
    """
    # dagster-dbt selects the job's report marts (and their tests); never a full refresh
    yield from _stream_dbt(context, dbt, warehouse, ["build", *DAILY_DBT_BUILD_FLAGS])
