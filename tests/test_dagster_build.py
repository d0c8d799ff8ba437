"""End to end through the Dagster job: landing files → raw → dbt build → serving copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.runner import job_plan, open_instance, run_job
from govwh.jobs import JobResult
from govwh.settings import Settings, dagster_home
from govwh.warehouse.status import last_build_run, table_rows

pytestmark = pytest.mark.slow


def _row_counts(warehouse: Path) -> dict[str, int | None]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {f"{t.schema}.{t.name}": t.rows for t in table_rows(connection)}


def test_every_step_succeeds_and_every_check_passes(
    tiny_build: tuple[Settings, JobResult],
) -> None:
    settings, result = tiny_build
    plan = job_plan(settings)
    assert result.success
    assert result.failures == []
    assert result.failed_checks == []
    assert result.materialized == plan.assets
    assert result.checks_evaluated == plan.checks


def test_raw_and_marts_have_rows(built_warehouse: Settings) -> None:
    counts = _row_counts(built_warehouse.warehouse_path)
    for table in ("raw.service_items", "raw.case_logs", "raw.hall_tickets"):
        assert counts[table], table
    marts = {name: rows for name, rows in counts.items() if name.startswith("marts.")}
    assert marts, "no marts built"
    empty = [name for name, rows in marts.items() if rows == 0]
    # a few marts (alerts, say) may legitimately be empty for a tiny city, not most of them
    assert len(empty) <= len(marts) // 4, empty
    for table in ("marts.fct_cases", "marts.mart_metric_values"):
        assert counts[table], table


def test_the_run_is_recorded_in_the_dagster_home(built_warehouse: Settings) -> None:
    run = last_build_run(dagster_home())
    assert run is not None
    assert run.status == "SUCCESS"
    assert run.started is not None and run.ended is not None


def test_serving_copy_matches_the_warehouse_and_is_read_only(built_warehouse: Settings) -> None:
    serving = built_warehouse.serving_path
    assert serving.exists()
    assert not list(serving.parent.glob(".*.partial"))
    assert _row_counts(serving) == _row_counts(built_warehouse.warehouse_path)
    with duckdb.connect(str(serving), read_only=True) as connection, pytest.raises(duckdb.Error):
        connection.execute("delete from marts.fct_cases")


def test_duplicate_keys_never_reach_dbt(
    built_warehouse: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(built_warehouse.landing_dir, landing)
    first = sorted((landing / "hall_tickets").glob("*.parquet"))[0]
    # the same tickets again, in a file of other bytes (a re-export): ingestion rejects them
    tickets = pl.read_parquet(first)
    tickets.write_parquet(first.with_name(f"copy_of_{first.name}"), compression="snappy")
    settings = Settings(
        warehouse_path=tmp_path / "govwh.duckdb",
        landing_dir=landing,
        serving_path=tmp_path / "serving" / "govwh.duckdb",
    )
    point_environment_at(settings, tmp_path / "dagster_home")

    result = run_job(settings, instance=open_instance(tmp_path / "dagster_home"))

    assert result.success, result.failures
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rejected = connection.execute(
            "select count(*) from ops.load_quarantine where reason_code = 'already_loaded'"
        ).fetchall()
    assert rejected == [(tickets.height,)]


def test_an_unset_memory_limit_is_not_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job runner's child gets the limit only when it was set: dbt's profile has its own
    default, and a limit its last parse did not see would make every daily build parse the
    whole project again ("profile has changed")."""
    from govwh.settings import MEMORY_LIMIT_ENV

    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    assert MEMORY_LIMIT_ENV not in Settings.from_env().environment()
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "3GB")
    assert Settings.from_env().environment()[MEMORY_LIMIT_ENV] == "3GB"


def test_the_serving_job_publishes_what_the_last_writer_wrote(
    built_warehouse: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    """On days without an outbox the serving job publishes the forecasts: a table written to
    the warehouse after the build is in the serving copy once the job has run."""
    from govwh.jobs import SERVING_JOB

    settings = Settings(
        warehouse_path=tmp_path / "govwh.duckdb",
        landing_dir=built_warehouse.landing_dir,
        serving_path=tmp_path / "serving" / "govwh.duckdb",
    )
    shutil.copyfile(built_warehouse.warehouse_path, settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("create schema if not exists forecast")
        connection.execute("create table forecast.written_after_the_build as select 42 as x")
    point_environment_at(settings, tmp_path / "dagster_home")

    result = run_job(settings, SERVING_JOB, instance=open_instance(tmp_path / "dagster_home"))

    assert result.success, result.failures
    assert result.materialized == 1  # the serving copy, nothing else
    with duckdb.connect(str(settings.serving_path), read_only=True) as connection:
        assert connection.execute("select x from forecast.written_after_the_build").fetchall() == [
            (42,)
        ]
    assert _row_counts(settings.serving_path) == _row_counts(settings.warehouse_path)


def test_old_dbt_invocation_folders_are_pruned(
    tmp_path: Path, point_environment_at: Callable[[Settings, Path], None]
) -> None:
    """Each dbt invocation leaves a target folder; a build keeps the newest
    KEPT_INVOCATION_TARGETS of them (here a build of the seeds alone)."""
    import os

    from dagster_project.warehouse.assets import govwh_dbt_project
    from govwh.warehouse.dbt import KEPT_INVOCATION_TARGETS

    target_root = Path(govwh_dbt_project.project_dir) / "target"
    planted = []
    for n in range(KEPT_INVOCATION_TARGETS + 2):
        folder = target_root / f"govwh_dbt_models-planted-{tmp_path.name[-8:]}{n:03d}"
        folder.mkdir(parents=True)
        (folder / "dbt.log").write_text("an old invocation")
        os.utime(folder, (946_684_800 + n, 946_684_800 + n))  # 2000-01-01, oldest first
        planted.append(folder)
    settings = Settings(
        warehouse_path=tmp_path / "govwh.duckdb",
        landing_dir=tmp_path / "landing",
        serving_path=tmp_path / "serving" / "govwh.duckdb",
    )
    point_environment_at(settings, tmp_path / "dagster_home")
    try:
        result = run_job(
            settings, instance=open_instance(tmp_path / "dagster_home"), asset_groups=["seeds"]
        )
        assert result.success, result.failures
        # at least the run's own folder is newer than every planted one: the oldest two go
        assert not planted[0].exists() and not planted[1].exists()
        assert len(list(target_root.glob("govwh_dbt_models-*"))) <= KEPT_INVOCATION_TARGETS
        # the run's parse cache (this warehouse path: another profile) is the project's now,
        # so the next run with this profile parses partially
        newest = max(target_root.glob("govwh_dbt_models-*"), key=lambda p: p.stat().st_mtime)
        cache = "partial_parse.msgpack"
        assert (newest / cache).read_bytes() == (target_root / cache).read_bytes()
    finally:
        for folder in planted:
            shutil.rmtree(folder, ignore_errors=True)


def test_a_new_parse_cache_is_kept_for_the_next_invocation(tmp_path: Path) -> None:
    from govwh.warehouse.dbt import keep_partial_parse

    project, invocation = tmp_path / "target", tmp_path / "target" / "op-run-1"
    invocation.mkdir(parents=True)
    assert not keep_partial_parse(invocation, project)  # dbt wrote none
    (invocation / "partial_parse.msgpack").write_bytes(b"parsed with profile A")
    assert keep_partial_parse(invocation, project)
    assert (project / "partial_parse.msgpack").read_bytes() == b"parsed with profile A"
    assert not keep_partial_parse(invocation, project)  # the same cache: nothing to do
    (invocation / "partial_parse.msgpack").write_bytes(b"parsed with profile B")
    assert keep_partial_parse(invocation, project)
    assert (project / "partial_parse.msgpack").read_bytes() == b"parsed with profile B"
    assert {p.name for p in project.iterdir()} == {"op-run-1", "partial_parse.msgpack"}
