"""The load bookkeeping in the warehouse's `ops` schema: the load manifest and the quarantine.

ops.load_manifest: one row per attempt to load a file (path, checksum, size, source, mapping,
rows read / loaded / rejected / flagged, timestamps, status, error). A file whose checksum has
a 'loaded' (or 'empty') row is not loaded again. ops.load_quarantine: one row per problem found
in a row (file, row number, column, value, reason), rejected or flagged; personal identifiers
appear only as their keyed hash, malformed lines only masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb

MANIFEST = "ops.load_manifest"
QUARANTINE = "ops.load_quarantine"
DONE_STATUSES = ("loaded", "empty")

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
        status varchar not null,  -- loaded | empty | failed
        error varchar
    )
    """,
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


def ensure_ops_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in _DDL:
        connection.execute(statement)


def already_loaded(connection: duckdb.DuckDBPyConnection, source: str, checksum: str) -> str | None:
    """The name of the file this content was loaded from, if it was."""
    rows = connection.execute(
        f"select file_name from {MANIFEST} where source = ? and file_checksum = ? "
        f"and status in {DONE_STATUSES} limit 1",
        [source, checksum],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def record(connection: duckdb.DuckDBPyConnection, entry: ManifestEntry) -> None:
    values = asdict(entry)
    columns = ", ".join(values)
    connection.execute(
        f"insert into {MANIFEST} ({columns}) values ({', '.join(['?'] * len(values))})",
        list(values.values()),
    )
