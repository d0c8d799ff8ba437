"""Backups of the warehouse: `govwh backup`, `govwh restore`, and the Dagster backup job.

A backup is a checkpointed copy of the DuckDB file, taken while this process holds the
write lock (so no build can change it mid-copy), in a folder of its own with a manifest: when
it was taken, the file's SHA-256, the rows of every table and the data's as-of date. A backup
is checked before it is trusted: the checksum, then the copy opened read-only and every
table's rows counted against the manifest. The newest `keep` backups are kept.

A restore checks the backup, keeps the file it replaces beside it (`.before-restore`, nothing
is lost), and renames the backup's copy over the warehouse atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govwh.warehouse.connection import connect
from govwh.warehouse.copies import replace_atomically

MANIFEST = "manifest.json"
STAMP_FORMAT = "%Y%m%dT%H%M%S"
DEFAULT_KEEP = 7


class BackupError(RuntimeError):
    """A backup is missing, damaged, or cannot be taken."""


@dataclass(frozen=True)
class Backup:
    folder: Path
    database: Path
    created_at: dt.datetime
    sha256: str
    size: int
    tables: dict[str, int]
    data_as_of: dt.date | None

    @property
    def name(self) -> str:
        return self.folder.name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = connection.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_type = 'BASE TABLE' order by all"
    ).fetchall()
    return {
        f"{schema}.{table}": connection.execute(
            f'select count(*) from "{schema}"."{table}"'
        ).fetchone()[0]
        for schema, table in tables
    }


def _data_as_of(connection: duckdb.DuckDBPyConnection, tables: dict[str, int]) -> dt.date | None:
    if "marts.mart_data_freshness" not in tables:
        return None
    sql = "select max(as_of_date) from marts.mart_data_freshness"
    (as_of,) = connection.execute(sql).fetchone()
    return as_of


def _read(folder: Path) -> Backup:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    as_of = manifest["data_as_of"]
    return Backup(
        folder=folder,
        database=folder / manifest["file"],
        created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        sha256=manifest["sha256"],
        size=manifest["bytes"],
        tables=manifest["tables"],
        data_as_of=dt.date.fromisoformat(as_of) if as_of else None,
    )


def list_backups(backups: Path) -> list[Backup]:
    """The backups in `backups`, newest first (folders without a manifest are not backups:
    an interrupted one)."""
    if not backups.is_dir():
        return []
    found = [_read(folder) for folder in backups.iterdir() if (folder / MANIFEST).is_file()]
    return sorted(found, key=lambda backup: backup.created_at, reverse=True)


def create_backup(
    warehouse: Path, backups: Path, keep: int = DEFAULT_KEEP, now: dt.datetime | None = None
) -> Backup:
    """Back up `warehouse` into a new folder of `backups`, check it, and prune to `keep`."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    if not warehouse.is_file():
        raise BackupError(f"no warehouse at {warehouse}: nothing to back up")
    created_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    folder = backups / created_at.strftime(STAMP_FORMAT)
    if folder.exists():
        raise BackupError(f"{folder} exists already: one backup per second")
    partial = backups / f".{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        # the write lock is held from the checkpoint to the end of the copy
        with connect(warehouse) as connection:
            connection.execute("checkpoint")
            tables = _table_rows(connection)
            as_of = _data_as_of(connection, tables)
            copy = partial / warehouse.name  # the same name: views name their catalog by it
            shutil.copyfile(warehouse, copy)
        manifest = {
            "file": warehouse.name,
            "source": str(warehouse.resolve()),
            "created_at": created_at.isoformat(),
            "sha256": _sha256(copy),
            "bytes": copy.stat().st_size,
            "tables": tables,
            "data_as_of": as_of.isoformat() if as_of else None,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    backup = _read(folder)
    problems = verify_backup(backup)
    if problems:
        raise BackupError(f"backup {folder} does not check out: " + "; ".join(problems))
    for old in list_backups(backups)[keep:]:
        shutil.rmtree(old.folder)
    return backup


def verify_backup(backup: Backup) -> list[str]:
    """Why `backup` cannot be trusted (empty when it can): checksum, then the rows."""
    if not backup.database.is_file():
        return [f"{backup.database} is missing"]
    if _sha256(backup.database) != backup.sha256:
        return [f"{backup.database} does not match its SHA-256 (damaged or changed)"]
    try:
        with connect(backup.database, read_only=True) as connection:
            tables = _table_rows(connection)
    except duckdb.Error as error:
        return [f"{backup.database} does not open: {error}"]
    return [
        f"{table}: {tables.get(table)} rows, the manifest says {rows}"
        for table, rows in backup.tables.items()
        if tables.get(table) != rows
    ]


def find_backup(backups: Path, name: str | None = None) -> Backup:
    """The backup called `name` (its folder, e.g. 20261204T060512), or the newest."""
    available = list_backups(backups)
    if not available:
        raise BackupError(f"no backup in {backups}")
    if name is None:
        return available[0]
    for backup in available:
        if backup.name == name:
            return backup
    names = ", ".join(backup.name for backup in available)
    raise BackupError(f"no backup {name} in {backups} (there are: {names})")


def restore_backup(backup: Backup, warehouse: Path) -> Path | None:
    """Put `backup` in place of `warehouse` once it checks out. Returns where the replaced
    file was kept (None when there was none). The caller publishes the serving copy again."""
    problems = verify_backup(backup)
    if problems:
        raise BackupError(f"backup {backup.name} does not check out: " + "; ".join(problems))
    kept = None
    if warehouse.exists():
        kept = warehouse.with_name(f"{warehouse.name}.before-restore")
        shutil.copyfile(warehouse, kept)
    # a write-ahead log of the replaced file must not be replayed onto the backup
    Path(f"{warehouse}.wal").unlink(missing_ok=True)
    replace_atomically(backup.database, warehouse)
    return kept
