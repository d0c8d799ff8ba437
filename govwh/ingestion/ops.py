"""The load bookkeeping in the warehouse's `ops` schema: the load manifest and the quarantine.

ops.load_manifest: one row per attempt to load a file (path, checksum, size, source, mapping,
rows read / loaded / rejected / flagged, timestamps, status, error). A file whose checksum has
a 'loaded' (or 'empty') row is not loaded again; one at the same path with the same size and
modification time as such a row is not even read (loaded_files). ops.load_quarantine: one row
per problem found in a row (file, row number, column, value, reason), rejected or flagged;
personal identifiers appear only as their keyed hash, malformed lines only masked.

Unloading a load (`govwh unload`, `govwh load --replace`) deletes its rows from the raw table
and the quarantine but keeps its manifest row, as status 'unloaded' with `unloaded_at`: the
history of what was loaded stays, and the same content can be loaded again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb

MANIFEST = "ops.load_manifest"
QUARANTINE = "ops.load_quarantine"
DONE_STATUSES = ("loaded", "empty")
UNLOADED = "unloaded"

_DDL = (
    "create schema if not exists ops",
    f"""
    create table if not exists {MANIFEST} (
        load_id varchar primary key,
        source varchar not null,
        file_path varchar not null,
        file_name varchar not null,
        file_size bigint not null,
        file_checksum varchar not null,  -- sha256 of the file's bytes
        file_modified_at timestamp,
        file_format varchar,
        encoding varchar,
        mapping_name varchar,
        mapping_path varchar,
        mapping_checksum varchar,
        header_row integer,
        rows_read bigint,
        rows_loaded bigint,
        rows_rejected bigint,
        rows_flagged bigint,
        extra_columns varchar,  -- the file's columns no canonical column maps to (ignored)
        missing_columns varchar,  -- optional canonical columns the file lacks (loaded as null)
        started_at timestamp not null,
        finished_at timestamp not null,
        loaded_at timestamp,  -- the _loaded_at of its rows in the raw table
        status varchar not null,  -- loaded | empty | failed | unloaded
        error varchar
    )
    """,
    # added after the first warehouses were built: `add column if not exists` upgrades them
    f"alter table {MANIFEST} add column if not exists unloaded_at timestamp",
    f"""
    create table if not exists {QUARANTINE} (
        load_id varchar not null,
        source varchar not null,
        file_name varchar not null,
        row_number bigint,  -- CSV/JSON lines: line in the file; XLSX: sheet row; Parquet: row
        column_name varchar,
        value varchar,  -- personal identifiers hashed, malformed lines masked
        reason_code varchar not null,
        reason varchar not null,
        action varchar not null,  -- rejected (not loaded) | flagged (loaded)
        loaded_at timestamp not null
    )
    """,
)


@dataclass
class ManifestEntry:
    load_id: str
    source: str
    file_path: str
    file_name: str
    file_size: int
    file_checksum: str
    file_modified_at: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str
    file_format: str | None = None
    encoding: str | None = None
    mapping_name: str | None = None
    mapping_path: str | None = None
    mapping_checksum: str | None = None
    header_row: int | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    rows_flagged: int | None = None
    extra_columns: str | None = None
    missing_columns: str | None = None
    loaded_at: dt.datetime | None = None
    error: str | None = None
    unloaded_at: dt.datetime | None = None  # when its rows were removed (status 'unloaded')


def ensure_ops_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in _DDL:
        connection.execute(statement)


def already_loaded(connection: duckdb.DuckDBPyConnection, source: str, checksum: str) -> str | None:
    """The name of the file this content was loaded from, if it was (and is still loaded: an
    unloaded load does not count)."""
    rows = connection.execute(
        f"select file_name from {MANIFEST} where source = ? and file_checksum = ? "
        f"and status in {DONE_STATUSES} limit 1",
        [source, checksum],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def loaded_files(
    connection: duckdb.DuckDBPyConnection, source: str
) -> set[tuple[str, int, dt.datetime | None]]:
    """(path, size, modification time) of every file of `source` still loaded."""
    rows = connection.execute(
        f"select file_path, file_size, file_modified_at from {MANIFEST} "
        f"where source = ? and status in {DONE_STATUSES}",
        [source],
    ).fetchall()
    return {(str(path), int(size), modified) for path, size, modified in rows}


def record(connection: duckdb.DuckDBPyConnection, entry: ManifestEntry) -> None:
    values = asdict(entry)
    columns = ", ".join(values)
    connection.execute(
        f"insert into {MANIFEST} ({columns}) values ({', '.join(['?'] * len(values))})",
        list(values.values()),
    )


@dataclass(frozen=True)
class Removed:
    """What unloading one load removed."""

    load_id: str
    source: str
    file_name: str
    file_path: str
    loaded_at: dt.datetime | None
    rows_loaded: int  # what the manifest says the load added to the raw table
    rows_raw: int  # rows deleted from the raw table
    rows_quarantine: int  # rows deleted from the quarantine (problems, not distinct rows)
    unloaded_at: dt.datetime


def done_loads(
    connection: duckdb.DuckDBPyConnection, source: str, file_path: str, checksum: str
) -> list[str]:
    """Load ids of the loads of `source` still in the warehouse (loaded or empty) of this path
    or this content, latest first."""
    rows = connection.execute(
        f"select load_id from {MANIFEST} where source = ? and status in {DONE_STATUSES} "
        "and (file_path = ? or file_checksum = ?) order by started_at desc",
        [source, file_path, checksum],
    ).fetchall()
    return [str(load_id) for (load_id,) in rows]


def remove_load(
    connection: duckdb.DuckDBPyConnection, load_id: str, raw_table: str, unloaded_at: dt.datetime
) -> Removed:
    """Delete the rows of load `load_id` from `raw_table` (those of its file name and load
    time) and from the quarantine, and mark its manifest row unloaded. Inside the caller's
    transaction: the three changes are committed, or rolled back, together."""
    found = connection.execute(
        f"select source, file_name, file_path, loaded_at, coalesce(rows_loaded, 0), status "
        f"from {MANIFEST} where load_id = ?",
        [load_id],
    ).fetchall()
    if not found:
        raise LookupError(f"no load {load_id} in {MANIFEST}")
    source, file_name, file_path, loaded_at, rows_loaded, status = found[0]
    if status not in DONE_STATUSES:
        raise ValueError(f"load {load_id} of {file_name} is {status}: nothing to unload")
    rows_raw = 0
    if loaded_at is not None and _exists(connection, raw_table):
        rows_raw = _changed(
            connection,
            f"delete from {raw_table} where _source_file = ? and _loaded_at = ?",
            [file_name, loaded_at],
        )
    rows_quarantine = _changed(connection, f"delete from {QUARANTINE} where load_id = ?", [load_id])
    connection.execute(
        f"update {MANIFEST} set status = '{UNLOADED}', unloaded_at = ? where load_id = ?",
        [unloaded_at, load_id],
    )
    return Removed(
        load_id,
        source,
        file_name,
        file_path,
        loaded_at,
        int(rows_loaded),
        rows_raw,
        rows_quarantine,
        unloaded_at,
    )


def _changed(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[object]) -> int:
    """Run a delete; the number of rows it deleted."""
    return int(connection.execute(sql, parameters).fetchall()[0][0])


def _exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        connection.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )
