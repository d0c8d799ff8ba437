"""The instance's event log: Dagster's SQLite storage with its connections kept open
(dagster_project.operations.event_log), configured by govwh.operations.instance."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    asset,
    asset_check,
    materialize,
)

from dagster_project.operations.event_log import OPEN_RUN_FILES, PooledSqliteEventLogStorage
from govwh.operations.instance import ensure_instance_config


@asset
def counted() -> int:
    return 3


@asset_check(asset=counted)
def counted_is_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def _run_twice(home: Path) -> list[str]:
    with DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        return [
            materialize([counted, counted_is_positive], instance=instance).run_id for _ in range(2)
        ]


def test_a_new_instance_keeps_its_event_log_connections_open(tmp_path: Path) -> None:
    ensure_instance_config(tmp_path)
    run_ids = _run_twice(tmp_path)

    # The same files as Dagster's own storage: an instance without the setting (Dagster's
    # default SQLite storage) reads every run's events, the asset's and the check's.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {tmp_path}\n", encoding="utf-8"
    )
    with DagsterInstance.from_config(str(plain)) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        materializations = instance.fetch_materializations(AssetKey("counted"), limit=10).records
        assert sorted(r.run_id for r in materializations) == sorted(run_ids)
        for run_id in run_ids:
            kinds = {e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event}
            assert {
                DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                DagsterEventType.ASSET_MATERIALIZATION,
                DagsterEventType.ASSET_CHECK_EVALUATION,
                DagsterEventType.RUN_SUCCESS,
            } <= kinds
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [counted_is_positive.check_key]
        )[counted_is_positive.check_key]
        assert check.run_id == run_ids[-1]

    # the run files are in WAL mode, where SQLite documents synchronous=NORMAL as safe
    (mode,) = (
        sqlite3.connect(tmp_path / "history" / "runs" / f"{run_ids[0]}.db")
        .execute("pragma journal_mode")
        .fetchone()
    )
    assert mode == "wal"


def test_the_engines_of_old_run_files_are_closed(tmp_path: Path) -> None:
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        for n in range(OPEN_RUN_FILES + 3):
            with storage.run_connection(f"run{n}") as connection:
                connection.exec_driver_sql("select 1")
        with storage.index_connection() as connection:
            assert connection.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL
        open_files = list(storage._engines)
        assert len(open_files) == OPEN_RUN_FILES + 1
        assert "index" in open_files and "run0" not in open_files
        storage.wipe()  # deletes the run files: their engines are closed first
        assert list(storage._engines) == ["index"]
        assert storage.get_all_run_ids() == []
    finally:
        storage.dispose()


def test_an_instance_config_naming_its_own_storage_is_kept(tmp_path: Path) -> None:
    config = tmp_path / "dagster.yaml"
    own = f"storage:\n  sqlite:\n    base_dir: {tmp_path}\n"
    config.write_text(own, encoding="utf-8")
    ensure_instance_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    assert text.startswith(own) and "event_log_storage" not in text
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
    # a file without any storage gains the pooled event log, once
    config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    ensure_instance_config(tmp_path)
    once = config.read_text(encoding="utf-8")
    ensure_instance_config(tmp_path)
    assert config.read_text(encoding="utf-8") == once and once.count("event_log_storage:") == 1
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        assert materialize([counted], instance=instance).success
