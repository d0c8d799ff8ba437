"""Load landing files into the raw tables, one file per transaction, through DuckDB's readers.

For each file: its checksum decides whether it was loaded already (then nothing changes);
otherwise it is read (readers.py), mapped and typed (mapping.py, parsing.py), validated
(rules.py), and in ONE transaction its good rows are appended to the raw table with a new
`_loaded_at`, its bad rows go to ops.load_quarantine and a row to ops.load_manifest. Rows read
= rows loaded + rows rejected, or the transaction is rolled back. A load killed half-way
leaves the warehouse as it was before that file; the next run loads the file whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from dagster_project.landing import ops
from dagster_project.landing.encoding import EncodingError
from dagster_project.landing.mapping import (
    MappingError,
    SourceMapping,
    best_mapping,
    builtin_mappings,
    load_mapping,
)
from dagster_project.landing.parsing import DUCKDB_TYPES, TYPED, create_typed
from dagster_project.landing.pseudonymise import PseudonymisationKey
from dagster_project.landing.readers import (
    FORMATS,
    MALFORMED,
    StagedFile,
    UnreadableFileError,
    file_format,
    stage_file,
)
from dagster_project.landing.rules import (
    FLAGGED,
    ISSUES,
    REJECTED,
    already_loaded_sql,
    duplicate_sql,
    row_rules,
    rule_sql,
    unknown_item_sql,
)
from dagster_project.landing.schemas import SourceSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAPPING_FILE = "_mapping.yaml"  # a source folder's own mapping, beside its files

# Columns holding personal data, per source: replaced by HMAC-SHA256 at ingestion.
PII_COLUMNS: dict[str, tuple[str, ...]] = {
    "case_logs": ("applicant_id", "applicant_name", "applicant_phone"),
}

# The column whose range tells which period a source's load covers.
PERIOD_COLUMNS: dict[str, str] = {
    "service_items": "snapshot_date",
    "case_logs": "submitted_at",
    "hall_tickets": "ticket_taken_at",
}

# problems of the file (reported in the manifest); any other error is a bug and propagates
FILE_ERRORS = (MappingError, EncodingError, UnreadableFileError)


class LandingFilesMissingError(FileNotFoundError):
    """A source has no files to load."""


class ConservationError(RuntimeError):
    """Rows read differ from rows loaded + rows rejected: the load is rolled back."""


@dataclass(frozen=True)
class FileLoad:
    """What happened to one file."""

    path: Path
    status: str  # loaded | empty | failed | skipped (already loaded)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    mapping: str | None = None
    error: str | None = None
    loaded_at: dt.datetime | None = None


@dataclass(frozen=True)
class LoadResult:
    """What happened to one source's files, and what its raw table holds afterwards."""

    source: str
    table: str
    files: list[FileLoad] = field(default_factory=list)
    rows: int = 0  # rows in the raw table after the load
    first: dt.date | None = None  # period the raw table covers, from PERIOD_COLUMNS
    last: dt.date | None = None

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def total(self, attribute: str) -> int:
        return sum(int(getattr(f, attribute)) for f in self.files)

    @property
    def failed(self) -> list[FileLoad]:
        return [f for f in self.files if f.status == "failed"]


def landing_files(landing_dir: Path, source: SourceSchema) -> list[Path]:
    """The source's landing files in every supported format, by name; an error if none."""
    folder = landing_dir / source.name
    present = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    visible = [p for p in present if not p.name.startswith(("_", "."))]
    files = [p for p in visible if file_format(p)]
    if not files:
        if not folder.is_dir():
            state = "does not exist"
        elif visible:
            kinds = ", ".join(sorted({p.suffix or p.name for p in visible}))
            state = f"holds no file of a supported type ({', '.join(FORMATS)}), only {kinds}"
        else:
            state = "is empty"
        raise LandingFilesMissingError(
            f"no {source.name} files to load: the landing folder {folder} {state} "
            "(run `govwh generate` for the demo city, or drop the exports there)"
        )
    return files


def mapping_candidates(
    source: SourceSchema, mapping_path: Path | None = None, folder: Path | None = None
) -> list[SourceMapping]:
    """The mapping given, else the folder's own _mapping.yaml, else the built-in ones."""
    if mapping_path is not None:
        return [load_mapping(mapping_path, source.name)]
    if folder is not None and (folder / MAPPING_FILE).is_file():
        return [load_mapping(folder / MAPPING_FILE, source.name)]
    return builtin_mappings(source.name)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI).replace(tzinfo=None)


def ensure_raw_table(connection: duckdb.DuckDBPyConnection, source: SourceSchema) -> None:
    columns = ", ".join(
        f'"{column}" {DUCKDB_TYPES[type(dtype)]}' for column, dtype in source.columns.items()
    )
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create table if not exists {source.raw_table} "
        f"({columns}, _source_file varchar, _loaded_at timestamp)"
    )


def _next_loaded_at(connection: duckdb.DuckDBPyConnection, source: SourceSchema) -> dt.datetime:
    """Now, but always later than every row already loaded (dbt's high-water mark)."""
    (latest,) = connection.execute(f"select max(_loaded_at) from {source.raw_table}").fetchall()[0]
    now = _now()
    return now if latest is None or now > latest else latest + dt.timedelta(microseconds=1)


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(connection.execute(sql).fetchall()[0][0])


def _find_issues(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    with_text: tuple[str, ...],
    parameters: dict[str, object],
) -> None:
    """ISSUES: every problem of every row (malformed, row rules, duplicates, references)."""
    pii = PII_COLUMNS.get(source.name, ())
    checks = [rule_sql(rule) for rule in row_rules(source, with_text, pii)]
    connection.execute(
        f"create or replace temp table {ISSUES} as "
        f"select _row_number, null::varchar as column_name, value, 'malformed_row' as reason_code, "
        f"reason, '{REJECTED}' as action from {MALFORMED} union all " + " union all ".join(checks),
        {"loaded_at": parameters["loaded_at"]},
    )
    connection.execute(f"insert into {ISSUES} {duplicate_sql(source)}")
    connection.execute(f"insert into {ISSUES} {already_loaded_sql(source)}")
    catalogue = _count(
        connection,
        "select count(*) from duckdb_tables() where schema_name = 'raw' "
        "and table_name = 'service_items' and estimated_size > 0",
    )
    if source.name == "case_logs" and catalogue:
        connection.execute(f"insert into {ISSUES} {unknown_item_sql()}")


def _load_staged(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    path: Path,
    staged: StagedFile,
    candidates: list[SourceMapping],
    key: PseudonymisationKey,
    entry: ops.ManifestEntry,
) -> None:
    """Map, type, validate and append one staged file; fill in `entry` (in a transaction)."""
    entry.file_format, entry.encoding, entry.header_row = (
        staged.format,
        staged.encoding,
        staged.header_row,
    )
    malformed = _count(connection, f"select count(*) from {MALFORMED}")
    if staged.empty and not malformed:
        entry.status, entry.rows_read, entry.rows_loaded = "empty", 0, 0
        entry.rows_rejected = entry.rows_flagged = 0
        return
    mapping = candidates[0] if len(candidates) == 1 else best_mapping(candidates, staged.headers)
    entry.mapping_name, entry.mapping_path = mapping.mapping_name, str(mapping.path)
    entry.mapping_checksum = mapping.checksum
    resolved = mapping.check_required(staged.headers, path)
    entry.extra_columns = ", ".join(h for h in staged.headers if h not in resolved.values())
    entry.missing_columns = ", ".join(c for c in source.columns if c not in resolved)
    loaded_at = _next_loaded_at(connection, source)
    parameters: dict[str, object] = {
        "loaded_at": loaded_at,
        "pii_inner": key.inner_pad,
        "pii_outer": key.outer_pad,
    }
    pii = PII_COLUMNS.get(source.name, ())
    typed = create_typed(connection, staged, mapping, resolved, pii, parameters)
    _find_issues(connection, source, typed.with_text, parameters)
    rejected_rows = f"select _row_number from {ISSUES} where action = '{REJECTED}'"
    columns = ", ".join(f'"{c}"' for c in source.columns)
    (loaded,) = connection.execute(
        f"insert into {source.raw_table} select {columns}, $file as _source_file, "
        f"$loaded_at as _loaded_at from {TYPED} where _row_number not in ({rejected_rows})",
        {"file": path.name, "loaded_at": loaded_at},
    ).fetchall()[0]
    read = _count(connection, f"select count(*) from {TYPED}") + malformed
    rejected = _count(connection, f"select count(distinct _row_number) from ({rejected_rows})")
    flagged = _count(
        connection,
        f"select count(distinct _row_number) from {ISSUES} where action = '{FLAGGED}' "
        f"and _row_number not in ({rejected_rows})",
    )
    if read != loaded + rejected:
        raise ConservationError(
            f"{path.name}: {read} rows read but {loaded} loaded + {rejected} rejected"
        )
    connection.execute(
        f"insert into {ops.QUARANTINE} select $load_id, $source, $file, _row_number, "
        f"column_name, value, reason_code, reason, action, $loaded_at from {ISSUES} "
        "order by _row_number, column_name",
        {
            "load_id": entry.load_id,
            "source": source.name,
            "file": path.name,
            "loaded_at": loaded_at,
        },
    )
    entry.status, entry.loaded_at = "loaded", loaded_at
    entry.rows_read, entry.rows_loaded = read, int(loaded)
    entry.rows_rejected, entry.rows_flagged = rejected, flagged


def _drop_temporaries(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop this load's temporary tables and views (all start with an underscore)."""
    temporaries = connection.execute(
        "select 'table', table_name from duckdb_tables() where temporary "
        "and table_name like '\\_%' escape '\\' union all "
        "select 'view', view_name from duckdb_views() where temporary "
        "and view_name like '\\_%' escape '\\'"
    ).fetchall()
    for kind, name in temporaries:
        connection.execute(f'drop {kind} if exists temp."{name}"')


def _stage(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    candidates: list[SourceMapping],
    work_dir: Path,
) -> StagedFile:
    """stage_file, with DuckDB's reading errors (corrupt file, bad quoting) as file errors."""
    try:
        return stage_file(connection, path, candidates, work_dir)
    except duckdb.Error as error:
        raise UnreadableFileError(f"{path.name} cannot be read: {error}") from error


def load_file(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    path: Path,
    candidates: list[SourceMapping],
    key: PseudonymisationKey,
) -> FileLoad:
    """Load one file whole or not at all; nothing happens if its content was loaded before."""
    ops.ensure_ops_tables(connection)
    ensure_raw_table(connection, source)
    checksum = file_checksum(path)
    if ops.already_loaded(connection, source.name, checksum) is not None:
        return FileLoad(path, "skipped")
    stat = path.stat()
    entry = ops.ManifestEntry(
        load_id=str(uuid.uuid4()),
        source=source.name,
        file_path=str(path.resolve()),
        file_name=path.name,
        file_size=stat.st_size,
        file_checksum=checksum,
        file_modified_at=dt.datetime.fromtimestamp(stat.st_mtime, SHANGHAI).replace(tzinfo=None),
        started_at=_now(),
        finished_at=_now(),
        status="failed",
    )
    connection.execute("begin transaction")
    try:
        with tempfile.TemporaryDirectory(prefix="govwh-load-") as work_dir:
            staged = _stage(connection, path, candidates, Path(work_dir))
            _load_staged(connection, source, path, staged, candidates, key, entry)
        entry.finished_at = _now()
        ops.record(connection, entry)
        _drop_temporaries(connection)
        connection.execute("commit")
    except FILE_ERRORS as error:
        connection.execute("rollback")
        entry.status, entry.error, entry.finished_at = "failed", str(error), _now()
        entry.rows_read = entry.rows_loaded = entry.rows_rejected = entry.rows_flagged = None
        entry.loaded_at = None
        ops.record(connection, entry)  # outside the rolled-back transaction: kept
        return FileLoad(path, "failed", mapping=entry.mapping_name, error=str(error))
    except BaseException:
        connection.execute("rollback")
        raise
    return FileLoad(
        path,
        entry.status,
        rows_read=entry.rows_read or 0,
        rows_loaded=entry.rows_loaded or 0,
        rows_rejected=entry.rows_rejected or 0,
        rows_flagged=entry.rows_flagged or 0,
        mapping=entry.mapping_name,
        loaded_at=entry.loaded_at,
    )


def load_files(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    files: list[Path],
    key: PseudonymisationKey,
    mapping_path: Path | None = None,
) -> LoadResult:
    """Load `files` one after the other (each whole or not at all) and summarise."""
    loads = []
    for path in files:
        candidates = mapping_candidates(source, mapping_path, path.parent)
        loads.append(load_file(connection, source, path, candidates, key))
    ensure_raw_table(connection, source)
    period = PERIOD_COLUMNS[source.name]
    rows, first, last = connection.execute(
        f'select count(*), min("{period}")::date, max("{period}")::date from {source.raw_table}'
    ).fetchall()[0]
    return LoadResult(source.name, source.raw_table, loads, int(rows), first, last)
