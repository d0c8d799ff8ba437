"""Backups: `govwh backup` takes a checked copy, `govwh restore` brings it back after the
warehouse is damaged or deleted, and every mart equals the original."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from govwh.cli import app
from govwh.settings import Settings
from govwh.warehouse.backup import (
    BackupError,
    create_backup,
    find_backup,
    list_backups,
    restore_backup,
    verify_backup,
)

pytestmark = pytest.mark.slow


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        return {
            table: sorted(connection.execute(f"select * from marts.{table}").fetchall(), key=repr)
            for (table,) in tables
        }


@pytest.fixture
def own_warehouse(built_warehouse: Settings, tmp_path: Path) -> Settings:
    """A copy of the built tiny warehouse this test may damage."""
    warehouse = tmp_path / "warehouse" / "govwh.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copyfile(built_warehouse.warehouse_path, warehouse)
    return Settings(
        warehouse_path=warehouse,
        landing_dir=built_warehouse.landing_dir,
        serving_path=tmp_path / "warehouse" / "serving" / "govwh.duckdb",
        backup_dir=tmp_path / "backups",
        backup_keep=2,
    )


def test_backup_then_restore_after_damage_gives_back_every_mart(own_warehouse: Settings) -> None:
    original = _marts(own_warehouse.warehouse_path)
    assert len(original) > 20
    backup = create_backup(own_warehouse.warehouse_path, own_warehouse.backup_dir)
    assert backup.database.name == own_warehouse.warehouse_path.name
    assert backup.data_as_of is not None and backup.tables["marts.fct_cases"] > 0
    assert verify_backup(backup) == []
    # damage: the first half of the file, its header included, overwritten with zeros
    size = own_warehouse.warehouse_path.stat().st_size
    with own_warehouse.warehouse_path.open("r+b") as handle:
        handle.write(b"\0" * (size // 2))
    with pytest.raises(duckdb.Error):
        _marts(own_warehouse.warehouse_path)
    kept = restore_backup(backup, own_warehouse.warehouse_path)
    assert kept is not None and kept.stat().st_size == size  # the damaged file is kept
    assert _marts(own_warehouse.warehouse_path) == original
    # deleted outright: restored all the same
    own_warehouse.warehouse_path.unlink()
    assert restore_backup(backup, own_warehouse.warehouse_path) is None
    assert _marts(own_warehouse.warehouse_path) == original


def test_a_damaged_backup_is_refused_and_old_ones_pruned(own_warehouse: Settings) -> None:
    start = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    made = [
        create_backup(
            own_warehouse.warehouse_path,
            own_warehouse.backup_dir,
            keep=2,
            now=start + dt.timedelta(days=day),
        )
        for day in range(3)
    ]
    assert [b.name for b in list_backups(own_warehouse.backup_dir)] == [
        made[2].name,
        made[1].name,
    ]
    assert find_backup(own_warehouse.backup_dir).name == made[2].name
    with made[2].database.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"damaged")
    problems = verify_backup(made[2])
    assert problems and "SHA-256" in problems[0]
    with pytest.raises(BackupError, match="does not check out"):
        restore_backup(made[2], own_warehouse.warehouse_path)
    # a manifest that lies about the rows is caught even with a matching checksum
    manifest = made[1].folder / "manifest.json"
    document = json.loads(manifest.read_text())
    document["tables"]["marts.fct_cases"] += 1
    manifest.write_text(json.dumps(document))
    (problem,) = verify_backup(find_backup(own_warehouse.backup_dir, made[1].name))
    assert problem.startswith("marts.fct_cases")
    with pytest.raises(BackupError, match="no backup nope"):
        find_backup(own_warehouse.backup_dir, "nope")


def test_backup_and_restore_commands(
    own_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in own_warehouse.environment().items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    made = runner.invoke(app, ["backup"])
    assert made.exit_code == 0, made.output
    assert "checked" in made.output
    listed = runner.invoke(app, ["backup", "--list"])
    assert listed.exit_code == 0 and "ok" in listed.output, listed.output
    original = _marts(own_warehouse.warehouse_path)
    own_warehouse.warehouse_path.unlink()
    restored = runner.invoke(app, ["restore", "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _marts(own_warehouse.warehouse_path) == original
    assert _marts(own_warehouse.serving_path) == original  # readers see it again
    refused = runner.invoke(app, ["restore", "19990101T000000", "--yes"])
    assert refused.exit_code == 1 and "no backup 19990101T000000" in refused.output
