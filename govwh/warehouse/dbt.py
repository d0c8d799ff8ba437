"""dbt from plain code: the flags of a daily build, and dbt run as a subprocess.

The Dagster dbt assets (dagster_project/warehouse/assets.py) run `dbt build` with the same
flags; the benchmark and the tests run dbt directly through `run_dbt`.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb

from govwh.city.load import loaded_checksum
from govwh.settings import (
    DAILY_DBT_BUILD_FLAGS,
    DBT_PROFILES_DIR,
    DBT_PROJECT_DIR,
    Settings,
    dbt_executable,
)
from govwh.warehouse.connection import connect

# The version of the warehouse's model schemas. Bump it when a change to the models cannot be
# applied incrementally to a built warehouse (a column added to a model with
# on_schema_change='fail', a new definition of past rows): the next build of every warehouse
# built before is then a full refresh, recorded in SCHEMA_VERSIONS.
# 2: case-level deadlines, unknown members, optional catalogue fields (issue 15).
# 3: the city as configuration: target waits per hall and business type, observed halls.
# 4: hall tickets carry left_at (when an abandoning customer left; issue 19).
WAREHOUSE_SCHEMA_VERSION = 4
SCHEMA_VERSIONS = "ops.warehouse_schema_versions"


def dbt_build_args(warehouse_file: Path) -> list[str]:
    """`dbt build`; a daily run (the big incremental facts exist) with two threads and without
    the unit tests.

    A daily run is ~600 small nodes whose cost is dbt's own per-node overhead: two threads
    overlap them (measured at city scale: dbt's time 49 s → 30 s on a busy machine). Unit tests
    check the models' logic on fixed inputs, not the day's data: they run with the first build,
    every full refresh and in CI, and dbt advises leaving them out of production runs
    (`--exclude-resource-type unit_test`); the data tests still run every day. Its log file
    keeps dbt's info lines (each node's start and result), not the debug lines of every SQL
    statement: 14 MB of JSON a day at city, 1.3 s of dbt's time (the SQL of each node stays in
    the target folder); as text, not the JSON dagster-dbt asks of dbt's output, which dbt
    would otherwise write to the file too (each event serialised twice: about 0.5 s of dbt's
    time at city). The first build, or a full refresh, keeps the profile's single thread
    so that two large models never share the memory limit side by side, and the full log.

    After a file was unloaded (`govwh unload`, `govwh load --replace`), the build is a full
    refresh (`--full-refresh`): the incremental models find what changed by their high-water
    marks on `_loaded_at`, and deleted rows leave no mark. An unload counts as rebuilt once a
    full refresh that rebuilt every incremental model has recorded it (ops.full_rebuilds,
    written by the on-run-end hook dbt/macros/full_rebuilds.sql); until then every build is a
    full refresh.

    A warehouse built with models older than WAREHOUSE_SCHEMA_VERSION, or with another city
    configuration than the one loaded now (a region added, a target wait changed: past cases
    and tickets must be counted again), is rebuilt in full once (record_complete_build
    records the version and the configuration after it).
    """
    facts, unloads_pending = _warehouse_state(warehouse_file)
    if unloads_pending or (facts and _built_with_other_models_or_city(warehouse_file)):
        return ["build", "--full-refresh"]
    if facts:
        return ["build", *DAILY_DBT_BUILD_FLAGS]
    return ["build"]


# The marts of a report that runs less often than daily (dbt tags, dbt_project.yml): built
# by the report's job (its Dagster group), not by the daily build.
REPORT_TAGS = ("bulletin", "publication")
REPORT_SELECTION = " ".join(f"tag:{tag}" for tag in REPORT_TAGS)
# dbt tests that restate a blocking raw asset check (models/staging/_sources.yml): the Dagster
# build, which runs the check on each day's rows first, leaves them out.
CHECKED_AT_LOAD_SELECTION = "tag:checked_at_load"


def report_build_args(tag: str) -> list[str]:
    """`dbt build` of one report's marts (`govwh bulletin`, `govwh publish`): tables over the
    daily marts, so never a full refresh; two threads and no unit tests, as a daily build."""
    return ["build", "--select", f"tag:{tag}", *DAILY_DBT_BUILD_FLAGS]


def _built_with_other_models_or_city(warehouse_file: Path) -> bool:
    """The warehouse's models were last rebuilt whole by an older schema version (or before
    versions were recorded), or with another city configuration than the one loaded now."""
    with connect(warehouse_file, read_only=True) as connection:
        columns = _columns_of(connection, SCHEMA_VERSIONS)
        if not columns:
            return True
        (version,) = connection.execute(
            f"select max(schema_version) from {SCHEMA_VERSIONS}"
        ).fetchall()[0]
        if version is None or version < WAREHOUSE_SCHEMA_VERSION:
            return True
        city = loaded_checksum(connection)
        if city is None:
            return False
        if "city_config_checksum" not in columns:
            return True
        built_with = connection.execute(
            f"select city_config_checksum from {SCHEMA_VERSIONS} order by recorded_at desc limit 1"
        ).fetchall()
    return not built_with or built_with[0][0] != city


def _columns_of(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    return {
        column
        for (column,) in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }


def record_complete_build(warehouse_file: Path, args: list[str]) -> None:
    """After a successful dbt build of every model that rebuilt them all (a first build, or a
    full refresh): the warehouse's models are of WAREHOUSE_SCHEMA_VERSION and of the city
    configuration loaded now. The report marts (REPORT_TAGS) are not part of it: they are
    tables, rebuilt whole whenever their report's job runs."""
    if args != ["build"] and "--full-refresh" not in args:
        return
    with connect(warehouse_file) as connection:
        connection.execute("create schema if not exists ops")
        connection.execute(
            f"create table if not exists {SCHEMA_VERSIONS} "
            "(schema_version integer not null, recorded_at timestamp not null)"
        )
        connection.execute(
            f"alter table {SCHEMA_VERSIONS} add column if not exists city_config_checksum varchar"
        )
        connection.execute(
            f"insert into {SCHEMA_VERSIONS} (schema_version, recorded_at, city_config_checksum) "
            "values (?, current_timestamp, ?)",
            [WAREHOUSE_SCHEMA_VERSION, loaded_checksum(connection)],
        )


def _warehouse_state(warehouse_file: Path) -> tuple[bool, bool]:
    """Whether the big incremental facts exist; whether a file was unloaded since the last
    full refresh that rebuilt every incremental model."""
    if not warehouse_file.exists():
        return False, False
    with connect(warehouse_file, read_only=True) as connection:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select table_schema, table_name from information_schema.columns "
                "where (table_schema, table_name) in "
                "(('marts', 'fct_cases'), ('ops', 'full_rebuilds')) "
                "or (table_schema, table_name, column_name) = "
                "('ops', 'load_manifest', 'unloaded_at')"
            ).fetchall()
        }
        if "ops.load_manifest" not in tables:
            return "marts.fct_cases" in tables, False
        rebuilt = (
            "(select max(covers_unloads_until) from ops.full_rebuilds)"
            if "ops.full_rebuilds" in tables
            else "null"
        )
        (pending,) = connection.execute(
            f"select coalesce(max(unloaded_at) > {rebuilt}, max(unloaded_at) is not null) "
            "from ops.load_manifest"
        ).fetchall()[0]
    return "marts.fct_cases" in tables, bool(pending)


def run_dbt(
    args: list[str], settings: Settings, target_path: Path
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run `dbt <args>` on the project for the warehouse of `settings`; return the finished
    process (its output captured) and the nodes of run_results.json (empty if none)."""
    process = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(target_path),
        ],
        env={**os.environ, **settings.dbt_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    results_file = target_path / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    whole = not {"--select", "-s", "--exclude", "--target"} & set(args)
    if process.returncode == 0 and whole and args[:1] == ["build"]:
        record_complete_build(settings.warehouse_path, args)
    return process, results


class ReportMartsError(RuntimeError):
    """dbt could not build a report's marts."""


def build_report_marts(settings: Settings, tag: str) -> None:
    """Build one report's marts (`report_build_args`) in the warehouse of `settings`, for a
    report written outside Dagster (`govwh bulletin`, `govwh publish`); raise ReportMartsError
    with dbt's own words when it fails."""
    target = DBT_PROJECT_DIR / "target" / f"report_marts_{tag}"
    process, results = run_dbt(report_build_args(tag), settings, target)
    if process.returncode != 0:
        failed = [
            f"{r['unique_id']}: {r.get('message') or r['status']}"
            for r in results
            if r["status"] in ("error", "fail")
        ]
        detail = "\n".join(failed) or process.stdout[-2000:]
        raise ReportMartsError(f"dbt could not build the {tag} marts:\n{detail}")


# dagster-dbt gives every invocation a target folder of its own (artifacts, compiled SQL, its
# dbt.log: about 7 MB at city); the daily cycle would add one a day for ever.
KEPT_INVOCATION_TARGETS = 30


def prune_invocation_targets(
    target_root: Path, prefix: str, keep: int = KEPT_INVOCATION_TARGETS
) -> list[Path]:
    """Delete all but the `keep` newest folders `<prefix>-*` of `target_root` (by modification
    time); return those deleted."""
    folders = sorted(
        (path for path in target_root.glob(f"{prefix}-*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def keep_partial_parse(invocation_target: Path, project_target: Path) -> bool:
    """Copy dbt's parse cache of an invocation back to the project's target folder when dbt
    wrote a new one; return whether it did.

    dagster-dbt gives each invocation its own target folder, seeded with the project's
    cache; a cache from another profile (another warehouse path, memory limit) makes dbt
    parse the whole project, about 5 s at city, and write a new cache only to the
    invocation's folder, so every later daily run would parse in full again."""
    written = invocation_target / PARTIAL_PARSE_FILE
    kept = project_target / PARTIAL_PARSE_FILE
    if not written.exists() or (kept.exists() and filecmp.cmp(written, kept, shallow=False)):
        return False
    staged = kept.with_name(f".{PARTIAL_PARSE_FILE}.{os.getpid()}")
    shutil.copyfile(written, staged)
    staged.replace(kept)  # atomic: a dbt run starting now reads the old or the new cache
    return True
