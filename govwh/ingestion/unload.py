"""Unload one load: its rows leave the raw table and the quarantine, its manifest row stays.

The fix-and-reload loop: a file loaded with a mistake (the wrong month, a broken export) is
unloaded, corrected and loaded again. `find_load` says which load a file, path, name or load
id means; `unload_load` removes it in one transaction (ops.remove_load). The manifest row keeps
the history (status 'unloaded', `unloaded_at`), and since an unloaded load does not count as
loaded, the same file can be loaded again. Deleted raw rows are invisible to dbt's
incremental runs: the next build rebuilds in full (govwh/warehouse/dbt.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govwh.ingestion import ops
from govwh.ingestion.loader import SHANGHAI, file_checksum
from govwh.ingestion.schemas import SOURCES


class NothingToUnloadError(LookupError):
    """No load still in the warehouse matches what was asked for."""


@dataclass(frozen=True)
class LoadMatch:
    load_id: str
    source: str
    file_name: str
    file_path: str
    loaded_at: dt.datetime | None
    status: str


def find_load(
    connection: duckdb.DuckDBPyConnection, target: str, source: str | None = None
) -> LoadMatch:
    """The load `target` means: a load id; or a file, by the checksum of its content or by
    its path; or (for a file no longer on disk) its path or name as loaded. Of several loads
    still in the warehouse, the latest; NothingToUnloadError, saying why, when none is."""
    ops.ensure_ops_tables(connection)
    path = Path(target).expanduser()
    checksum = file_checksum(path) if path.is_file() else None
    resolved = str(path.resolve())
    matches = connection.execute(
        f"""
        select load_id, source, file_name, file_path, loaded_at, status, unloaded_at
        from {ops.MANIFEST}
        where ($source is null or source = $source)
            and (load_id = $target or file_checksum = $checksum or file_path = $path
                or ($checksum is null and file_name = $target))
        order by started_at desc
        """,
        {"source": source, "target": target, "checksum": checksum, "path": resolved},
    ).fetchall()
    done = [m for m in matches if m[5] in ops.DONE_STATUSES]
    if not done:
        raise NothingToUnloadError(_nothing_found(target, source, matches))
    sources = sorted({m[1] for m in done})
    if len(sources) > 1:
        raise NothingToUnloadError(
            f"{target} matches loads of {', '.join(sources)}: say which with --source"
        )
    load_id, source_name, file_name, file_path, loaded_at, status, _ = done[0]
    return LoadMatch(load_id, source_name, file_name, file_path, loaded_at, status)


def _nothing_found(target: str, source: str | None, matches: list[tuple]) -> str:
    where = f" of {source}" if source else ""
    if not matches:
        return (
            f"no load{where} matches {target} (a file, its path or name as loaded, or a "
            f"load_id of {ops.MANIFEST})"
        )
    load_id, _, file_name, _, _, status, unloaded_at = matches[0]
    if status == ops.UNLOADED:
        return f"{file_name} (load {load_id}) was unloaded already, at {unloaded_at:%F %T}"
    return f"{file_name} (load {load_id}) is {status}: it has no rows to unload"


def unload_load(
    connection: duckdb.DuckDBPyConnection, target: str, source: str | None = None
) -> ops.Removed:
    """Unload the load `target` means (find_load): its raw rows and quarantine rows deleted,
    its manifest row marked unloaded, in one transaction."""
    match = find_load(connection, target, source)
    connection.execute("begin transaction")
    try:
        removed = ops.remove_load(connection, match.load_id, SOURCES[match.source].raw_table, now())
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return removed


def now() -> dt.datetime:
    """The warehouse's clock: Shanghai time, as the manifest's other timestamps."""
    return dt.datetime.now(SHANGHAI).replace(tzinfo=None)
