"""Load landing files into the raw tables, in batches of files, through DuckDB's readers.

For each file: its checksum decides whether it was loaded already (then nothing changes);
otherwise it is read (readers.py) and mapped (mapping.py). Then, for a batch of files in ONE
transaction, their rows are typed (parsing.py; consecutive Parquet files of the same columns
through one read_parquet([...])), validated (rules.py), and the good rows appended to the
raw table with their identifiers hashed (pseudonymise.py) and each file's own `_loaded_at`;
the bad rows go to ops.load_quarantine and each file gets its row in ops.load_manifest. For
every file, rows read = rows loaded + rows rejected, or the transaction is rolled back. A
load killed half-way leaves the warehouse as it was before that batch (each file whole or
not at all); the next run loads those files whole.

A dry run (`dry_run=True`, `govwh mapping check`) does all of this but rolls each batch back
instead of committing it, keeping what dry_run.py captures: nothing is loaded, no manifest
row is written, and the counts are those a load would give. (Of one batch: a dry run of
files spanning several batches does not see the rows of its earlier, rolled-back batches.)

With `replace`, a file's earlier loads (the same path, or the same content) are unloaded in
the transaction that loads it again (ops.remove_load): the corrected export takes the place
of the one it corrects, or, should the new file fail, the old load stays.

Text that must be transcoded (GB18030) is written, in clear, to a work folder beside the
warehouse (`<warehouse>.load-tmp/`), deleted after each file; a load killed half-way may leave
it behind, so every load starts by deleting that folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from govwh.ingestion import ops
from govwh.ingestion.dry_run import DryRunReport
from govwh.ingestion.dry_run import capture as capture_dry_run
from govwh.ingestion.encoding import EncodingError
from govwh.ingestion.mapping import (
    MappingError,
    SourceMapping,
    best_mapping,
    builtin_mappings,
    load_mapping,
)
from govwh.ingestion.parsing import (
    DUCKDB_TYPES,
    TYPED,
    create_typed,
    pii_text,
    time_only_columns,
    typed_select,
)
from govwh.ingestion.pseudonymise import PseudonymisationKey, hmac_sql
from govwh.ingestion.readers import (
    FORMATS,
    MALFORMED,
    StagedFile,
    UnreadableFileError,
    file_format,
    parquet_batch_sql,
    stage_file,
)
from govwh.ingestion.rules import (
    FLAGGED,
    ISSUES,
    REJECTED,
    any_violation_sql,
    duplicate_sql,
    guide_missing_sql,
    key_candidates_sql,
    row_rules,
    rule_sql,
    unknown_item_sql,
)
from govwh.ingestion.schemas import SourceSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAPPING_FILE = "_mapping.yaml"  # a source folder's own mapping, beside its files

# Columns holding personal data, per source: replaced by HMAC-SHA256 at ingestion.
PII_COLUMNS: dict[str, tuple[str, ...]] = {
    "case_logs": ("applicant_id", "applicant_name", "applicant_phone"),
    "consultations": ("citizen_name", "citizen_phone"),
}

# The column whose range tells which period a source's load covers.
PERIOD_COLUMNS: dict[str, str] = {
    "service_items": "snapshot_date",
    "case_logs": "submitted_at",
    "hall_tickets": "ticket_taken_at",
    "consultations": "received_at",
    "hotline_calls": "offered_at",
    "service_guides": "published_date",
    "service_guide_materials": "published_date",
}

# Rows per transaction: files are loaded together until a batch holds this many rows (one
# commit, one read_parquet over many files). Parquet rows are streamed, never all in memory;
# text files (CSV, JSON lines, XLSX) are typed into temporary tables, hence a lower limit.
BATCH_ROWS = 10_000_000
BATCH_TEXT_ROWS = 1_000_000
# Identifiers with fewer distinct values than this share of their values are hashed once per
# distinct value and joined back, others row by row: an HMAC costs ~1.5 us of CPU, the
# distinct and the join ~0.4 us a row, so deduplicating pays below ~70 % distinct.
DEDUPLICATE_BELOW = 0.7
BATCH_PREFIX = "_batch_"  # the batch's temporary tables, kept until it is committed
BATCH_MALFORMED = f"{BATCH_PREFIX}malformed"  # the batch's malformed lines, by `_file`
PARQUET_PREFIX = ("_file", "_row_number")

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
    dry_run: DryRunReport | None = None  # a dry run's report (rolled back, nothing loaded)
    replaced: tuple[ops.Removed, ...] = ()  # earlier loads of the file it replaced (unloaded)


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
    # a warehouse loaded before a canonical column was added gains it (null in older rows)
    for column, dtype in source.columns.items():
        connection.execute(
            f"alter table {source.raw_table} add column if not exists "
            f'"{column}" {DUCKDB_TYPES[type(dtype)]}'
        )


def _next_loaded_at(connection: duckdb.DuckDBPyConnection, source: SourceSchema) -> dt.datetime:
    """Now, but always later than every row already loaded (dbt's high-water mark)."""
    (latest,) = connection.execute(f"select max(_loaded_at) from {source.raw_table}").fetchall()[0]
    now = _now()
    return now if latest is None or now > latest else latest + dt.timedelta(microseconds=1)


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(connection.execute(sql).fetchall()[0][0])


@dataclass
class _Pending:
    """A file read (and, for text formats, typed) outside the transaction, waiting for its
    batch: its manifest entry, and how its rows reach TYPED."""

    path: Path
    entry: ops.ManifestEntry
    index: int  # `_file`: 1-based position in the batch
    staged: StagedFile | None = None  # None: an empty file (manifest row only)
    mapping: SourceMapping | None = None
    resolved: dict[str, str] = field(default_factory=dict)
    typed_table: str | None = None  # text formats: the file's typed rows
    with_text: tuple[str, ...] = ()
    malformed: int = 0
    report: DryRunReport | None = None  # a dry run's capture
    replaces: tuple[str, ...] = ()  # load ids of earlier loads to unload in its transaction
    replaced: tuple[ops.Removed, ...] = ()

    @property
    def parquet_group(self) -> tuple[object, ...] | None:
        """Parquet files with the same key are read by one read_parquet([...])."""
        if self.staged is None or self.staged.format != "parquet" or self.mapping is None:
            return None
        return (
            tuple(self.staged.types.items()),
            str(self.mapping.path),
            self.mapping.checksum,
            tuple(sorted(self.resolved.items())),
        )


def _drop_temporaries(connection: duckdb.DuckDBPyConnection, keep: str | None = None) -> None:
    """Drop temporary tables and views starting with an underscore (but not with `keep`)."""
    temporaries = connection.execute(
        "select 'table', table_name from duckdb_tables() where temporary "
        "and table_name like '\\_%' escape '\\' union all "
        "select 'view', view_name from duckdb_views() where temporary "
        "and view_name like '\\_%' escape '\\'"
    ).fetchall()
    for kind, name in sorted(temporaries, key=lambda t: t[0] == "table"):  # views first
        if keep is None or not name.startswith(keep):
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


def work_root(connection: duckdb.DuckDBPyConnection) -> Path:
    """The folder a load writes its transcoded copies to: `<warehouse>.load-tmp` beside the
    warehouse file (an in-memory database: one in the system's temporary folder)."""
    (database,) = connection.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0]
    if database is None:
        return Path(tempfile.gettempdir()) / f"govwh-memory-{os.getpid()}.load-tmp"
    return Path(f"{database}.load-tmp")


def clear_work_root(connection: duckdb.DuckDBPyConnection) -> Path:
    """Delete what a killed load left in the work folder (clear text of exports), and return
    the folder. Safe at the start of a load: only a connection that writes the warehouse
    loads, and DuckDB lets one process at a time write it."""
    root = work_root(connection)
    shutil.rmtree(root, ignore_errors=True)
    return root


def _prepare(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    pending: _Pending,
    candidates: list[SourceMapping],
) -> None:
    """Read the file, choose its mapping, check its columns; type a text file into its own
    temporary table (parsed once). Outside any transaction: only temporary objects change.
    A problem of the file raises one of FILE_ERRORS."""
    entry, path = pending.entry, pending.path
    root = work_root(connection)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="file-", dir=root))
    try:
        staged = _stage(connection, path, candidates, work_dir)
        entry.file_format, entry.encoding, entry.header_row = (
            staged.format,
            staged.encoding,
            staged.header_row,
        )
        malformed = _count(connection, f"select count(*) from {MALFORMED}")
        if staged.empty and not malformed:
            entry.status, entry.rows_read, entry.rows_loaded = "empty", 0, 0
            entry.rows_rejected = entry.rows_flagged = 0
            _drop_temporaries(connection, keep=BATCH_PREFIX)
            return
        mapping = (
            candidates[0] if len(candidates) == 1 else best_mapping(candidates, staged.headers)
        )
        entry.mapping_name, entry.mapping_path = mapping.mapping_name, str(mapping.path)
        entry.mapping_checksum = mapping.checksum
        resolved = mapping.check_required(staged.headers, path)
        time_only_columns(connection, staged, mapping, resolved)
        used = mapping.used_headers(staged.headers)
        derived = mapping.derived(staged.headers)
        entry.extra_columns = ", ".join(h for h in staged.headers if h not in used)
        entry.missing_columns = ", ".join(
            c
            for c in source.columns
            if c not in resolved and c not in derived and mapping.rule(c).default is None
        )
        pending.staged, pending.mapping, pending.resolved = staged, mapping, resolved
        pending.malformed = malformed
        pii = PII_COLUMNS.get(source.name, ())
        if staged.format == "parquet":
            pending.with_text = typed_select(staged, mapping, resolved, pii).with_text
        else:
            pending.typed_table = f"{BATCH_PREFIX}typed_{pending.index}"
            try:
                typed = create_typed(
                    connection, staged, mapping, resolved, pii, pending.typed_table, pending.index
                )
            except duckdb.Error as error:  # e.g. a quoted field DuckDB could not read
                raise UnreadableFileError(f"{path.name} cannot be read: {error}") from error
            pending.with_text = typed.with_text
            if malformed:
                connection.execute(
                    f"insert into {BATCH_MALFORMED} select {pending.index}, _row_number, value, "
                    f"reason from {MALFORMED}"
                )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    _drop_temporaries(connection, keep=BATCH_PREFIX)


def _typed_parts(source: SourceSchema, batch: list[_Pending]) -> list[str]:
    """One select per Parquet group (read together) or text file (its typed table)."""
    pii = PII_COLUMNS.get(source.name, ())
    paths = _by_file(batch, lambda p: p.path.resolve().as_posix())
    parts: list[str] = []
    group: list[_Pending] = []

    def close_group() -> None:
        if group:
            first = group[0]
            assert first.staged is not None and first.mapping is not None
            typed = typed_select(first.staged, first.mapping, first.resolved, pii, PARQUET_PREFIX)
            relation = parquet_batch_sql([p.path.resolve() for p in group], paths)
            parts.append(f"select {typed.sql} from ({relation})")
            group.clear()

    for pending in batch:
        if pending.staged is None:
            continue
        if pending.parquet_group is not None:
            if group and group[0].parquet_group != pending.parquet_group:
                close_group()
            group.append(pending)
            continue
        close_group()
        parts.append(f"select * from {pending.typed_table}")
    close_group()
    return parts


def _hashed_pii(
    connection: duckdb.DuckDBPyConnection, source: SourceSchema, parameters: dict[str, object]
) -> tuple[dict[str, str], str]:
    """SQL of each identifier's HMAC (of its trimmed text) for the insert, and the joins it
    needs. A column whose values repeat (under DEDUPLICATE_BELOW distinct per value: names
    always, ID and phone numbers over years of cases) has each distinct value hashed once
    into a temporary table that the insert joins; the others are hashed row by row in the
    insert (on near-unique values, the distinct and the join cost more than they save)."""
    pii = PII_COLUMNS.get(source.name, ())
    if not pii:
        return {}, ""
    counts = connection.execute(
        "select "
        + ", ".join(f'approx_count_distinct("{c}"), count("{c}")' for c in pii)
        + f" from {TYPED}"
    ).fetchall()[0]
    expressions: dict[str, str] = {}
    joins = []
    for position, column in enumerate(pii):
        distinct, values = counts[2 * position], counts[2 * position + 1]
        if values and distinct < DEDUPLICATE_BELOW * values:
            table = f"{BATCH_PREFIX}pii_{column}"
            connection.execute(
                f"create or replace temp table {table} as select value, "
                f"{hmac_sql(pii_text('value'))} as hashed "
                f'from (select distinct "{column}" as value from {TYPED} '
                f'where "{column}" is not null)',
                parameters,
            )
            joins.append(f'left join {table} on {table}.value = typed."{column}"')
            expressions[column] = f"{table}.hashed"
        else:
            expressions[column] = hmac_sql(pii_text(f'typed."{column}"'))
    return expressions, " ".join(joins)


def _find_issues(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    with_text: tuple[str, ...],
    file_names: str,
    indices: str,
    loaded_at: dt.datetime,
    clock_skew_seconds: int,
) -> None:
    """ISSUES: every problem of every row of the batch. Row rules: one pass picks the rows
    breaking any rule, which are then examined rule by rule; then duplicates and keys
    already loaded, then the catalogue check (a flag)."""
    pii = PII_COLUMNS.get(source.name, ())
    rules = row_rules(source, with_text, pii, clock_skew_seconds)
    suspects = f"{BATCH_PREFIX}suspects"
    select = f"select * exclude ({', '.join(pii)})" if pii else "select *"
    connection.execute(
        f"create or replace temp table {suspects} as {select} from {TYPED} "
        f"where {any_violation_sql(rules)}",
        {"loaded_at": loaded_at},
    )
    checks = [rule_sql(rule, suspects) for rule in rules]
    connection.execute(
        f"create or replace temp table {ISSUES} as "
        f"select _file, _row_number, null::varchar as column_name, value, "
        f"'malformed_row' as reason_code, reason, '{REJECTED}' as action "
        f"from {BATCH_MALFORMED} where _file in ({indices}) union all "
        + " union all ".join(checks),
        {"loaded_at": loaded_at},
    )
    candidates = f"{BATCH_PREFIX}key_candidates"
    connection.execute(f"create or replace temp table {candidates} as {key_candidates_sql(source)}")
    connection.execute(f"insert into {ISSUES} {duplicate_sql(source, candidates, file_names)}")
    catalogue = _count(
        connection,
        "select count(*) from duckdb_tables() where schema_name = 'raw' "
        "and table_name = 'service_items' and estimated_size > 0",
    )
    if source.name == "case_logs" and catalogue:
        connection.execute(f"insert into {ISSUES} {unknown_item_sql()}")
    if source.name == "service_guide_materials" and _table_exists(connection, "raw.service_guides"):
        connection.execute(f"insert into {ISSUES} {guide_missing_sql()}")


def _sql_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


def _by_file(batch: list[_Pending], value: Callable[[_Pending], object]) -> str:
    """An SQL list holding value(file) at each file's `_file` position (null elsewhere)."""
    values: list[object] = [None] * max(p.index for p in batch)
    for pending in batch:
        values[pending.index - 1] = value(pending)
    return "[" + ", ".join(_sql_literal(v) for v in values) + "]"


def _load_batch(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    batch: list[_Pending],
    key: PseudonymisationKey,
) -> None:
    """Validate and append the batch's files in the current transaction; fill in their
    manifest entries. Each file keeps its own `_loaded_at`, counts and quarantine rows.
    The earlier loads the files replace are unloaded first (their keys are no longer loaded)."""
    for pending in batch:
        pending.replaced = tuple(
            ops.remove_load(connection, load_id, source.raw_table, _now())
            for load_id in pending.replaces
        )
    loading = [p for p in batch if p.staged is not None]
    if loading:
        base = _next_loaded_at(connection, source)
        for position, pending in enumerate(batch):  # one _loaded_at per file, in file order
            pending.entry.loaded_at = base + dt.timedelta(microseconds=position)
        parts = _typed_parts(source, batch)
        connection.execute(
            f"create or replace temp view {TYPED} as " + " union all by name ".join(parts)
        )
        with_text = tuple(c for c in source.columns if any(c in p.with_text for p in loading))
        names = _by_file(batch, lambda p: p.path.name)
        loaded_ats = _by_file(batch, lambda p: p.entry.loaded_at)
        indices = ", ".join(str(p.index) for p in batch)
        # files of one batch share a mapping in practice; else the widest tolerance applies
        skew = max(p.mapping.clock_skew_seconds for p in loading if p.mapping is not None)
        _find_issues(connection, source, with_text, names, indices, base, skew)
        rejected = f"{BATCH_PREFIX}rejected"
        connection.execute(
            f"create or replace temp table {rejected} as select distinct _file, _row_number "
            f"from {ISSUES} where action = '{REJECTED}'"
        )
        parameters: dict[str, object] = {"pii_inner": key.inner_pad, "pii_outer": key.outer_pad}
        hashed, joins = _hashed_pii(connection, source, parameters)
        columns = ", ".join(hashed.get(c, f'typed."{c}"') for c in source.columns)
        names_listed = ", ".join(f'"{c}"' for c in (*source.columns, "_source_file", "_loaded_at"))
        connection.execute(
            f"insert into {source.raw_table} ({names_listed}) select {columns}, "
            f"{names}[typed._file] as _source_file, {loaded_ats}[typed._file] as _loaded_at "
            f"from {TYPED} as typed {joins} anti join {rejected} as rejected "
            "on rejected._file = typed._file and rejected._row_number = typed._row_number",
            parameters if "$pii" in columns else {},
        )
        counted = connection.execute(
            f"""
            with loaded as (
                select _loaded_at, count(*) as rows from {source.raw_table}
                where _loaded_at between $first and $last group by all
            ),
            issues as (
                select _file,
                    count(distinct _row_number) filter (where action = '{REJECTED}') as rejected,
                    count(distinct _row_number) filter (where action = '{FLAGGED}') as flagged
                from {ISSUES} group by all
            )
            select files.position, coalesce(loaded.rows, 0), coalesce(issues.rejected, 0),
                coalesce(issues.flagged, 0)
            from (select unnest([{indices}]) as position) as files
            left join loaded on loaded._loaded_at = {loaded_ats}[files.position]
            left join issues on issues._file = files.position
            order by files.position
            """,
            {"first": base, "last": base + dt.timedelta(microseconds=len(batch))},
        ).fetchall()
        for pending, (_, loaded, rejected_rows, flagged) in zip(batch, counted, strict=True):
            if pending.staged is None:
                continue
            read = pending.staged.rows + pending.malformed
            if read != loaded + rejected_rows:
                raise ConservationError(
                    f"{pending.path.name}: {read} rows read but {loaded} loaded + "
                    f"{rejected_rows} rejected"
                )
            entry = pending.entry
            entry.status, entry.rows_read, entry.rows_loaded = "loaded", read, int(loaded)
            entry.rows_rejected, entry.rows_flagged = int(rejected_rows), int(flagged)
        connection.execute(
            f"insert into {ops.QUARANTINE} select load_ids[_file], $source, {names}[_file], "
            f"_row_number, column_name, value, reason_code, reason, action, "
            f"{loaded_ats}[_file] from {ISSUES}, "
            f"(select {_by_file(batch, lambda p: p.entry.load_id)} as load_ids) "
            "order by _file, _row_number, column_name",
            {"source": source.name},
        )
    for pending in batch:
        if pending.staged is None:
            pending.entry.loaded_at = None
        pending.entry.finished_at = _now()
        ops.record(connection, pending.entry)


def _file_load(pending: _Pending) -> FileLoad:
    entry = pending.entry
    return FileLoad(
        pending.path,
        entry.status,
        rows_read=entry.rows_read or 0,
        rows_loaded=entry.rows_loaded or 0,
        rows_rejected=entry.rows_rejected or 0,
        rows_flagged=entry.rows_flagged or 0,
        mapping=entry.mapping_name,
        loaded_at=entry.loaded_at,
        dry_run=pending.report,
        replaced=pending.replaced,
    )


def _record_failed(
    connection: duckdb.DuckDBPyConnection,
    pending: _Pending,
    error: Exception,
    dry_run: bool = False,
) -> FileLoad:
    """A file that cannot be loaded: its manifest row (status failed), in its own commit
    (none in a dry run)."""
    entry = pending.entry
    entry.status, entry.error, entry.finished_at = "failed", str(error), _now()
    entry.rows_read = entry.rows_loaded = entry.rows_rejected = entry.rows_flagged = None
    entry.loaded_at = None
    if not dry_run:
        ops.record(connection, entry)
    return FileLoad(pending.path, "failed", mapping=entry.mapping_name, error=str(error))


def _commit_batch(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    batch: list[_Pending],
    key: PseudonymisationKey,
    dry_run: bool = False,
) -> list[FileLoad]:
    """Load the batch in one transaction: all its files or none. Should DuckDB fail to read
    one of several files half-way (a corrupt page), each file is loaded on its own instead;
    a single file DuckDB cannot read is recorded as failed. A dry run captures each file's
    report and rolls the transaction back."""
    connection.execute("begin transaction")
    try:
        if dry_run:  # the tables a load would create, inside the transaction rolled back
            ops.ensure_ops_tables(connection)
            ensure_raw_table(connection, source)
        _load_batch(connection, source, batch, key)
        if dry_run:
            _capture_dry_run(connection, source, batch)
        connection.execute("rollback" if dry_run else "commit")
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        connection.execute("rollback")
        if len(batch) == 1:
            unreadable = UnreadableFileError(f"{batch[0].path.name} cannot be read: {error}")
            return [_record_failed(connection, batch[0], unreadable, dry_run)]
        return [
            load for p in batch for load in _commit_batch(connection, source, [p], key, dry_run)
        ]
    except BaseException:
        connection.execute("rollback")
        raise
    return [_file_load(p) for p in batch]


def _capture_dry_run(
    connection: duckdb.DuckDBPyConnection, source: SourceSchema, batch: list[_Pending]
) -> None:
    pii = PII_COLUMNS.get(source.name, ())
    for pending in batch:
        if pending.staged is not None:
            assert pending.mapping is not None
            columns = pending.mapping.sources_of(pending.staged.headers)
            pending.report = capture_dry_run(connection, source, pending.index, columns, pii)


def _table_exists(connection: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(
        _count(
            connection,
            f"select count(*) from duckdb_tables() where schema_name = '{schema}' "
            f"and table_name = '{table}'",
        )
    )


def _stat_key(path: Path) -> tuple[str, int, dt.datetime]:
    """(path, size, modification time) as the manifest records them."""
    stat = path.stat()
    modified = dt.datetime.fromtimestamp(stat.st_mtime, SHANGHAI).replace(tzinfo=None)
    return str(path.resolve()), stat.st_size, modified


def _new_entry(source: SourceSchema, path: Path, checksum: str) -> ops.ManifestEntry:
    file_path, file_size, modified = _stat_key(path)
    return ops.ManifestEntry(
        load_id=str(uuid.uuid4()),
        source=source.name,
        file_path=file_path,
        file_name=path.name,
        file_size=file_size,
        file_checksum=checksum,
        file_modified_at=modified,
        started_at=_now(),
        finished_at=_now(),
        status="failed",
    )


def load_files(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    files: list[Path],
    key: PseudonymisationKey,
    mapping_path: Path | None = None,
    batch_rows: int = BATCH_ROWS,
    dry_run: bool = False,
    replace: bool = False,
) -> LoadResult:
    """Load `files` in this order, each whole or not at all, and summarise.

    A file whose content was loaded before is skipped, unless `replace`: then its earlier
    loads (of the same path or the same content) are unloaded in the transaction that loads
    it again (a file failing to load leaves them as they were). The others are read one by one
    (a file that cannot be read, or misses a required column, is recorded as failed), then
    loaded in batches of up to `batch_rows` rows (BATCH_TEXT_ROWS of text files), one
    transaction per batch: one statement
    per step for all the batch's files (consecutive Parquet files of the same columns are
    read by a single read_parquet), each file with its own manifest row, `_loaded_at`,
    quarantine rows and counts, exactly as if they were loaded one after the other.

    `replace`: a file's earlier loads are unloaded in the transaction that loads it again.
    `dry_run`: the same, each batch rolled back instead of committed (see the module's
    docstring); the files' FileLoad.dry_run hold what a load would have done."""
    if not dry_run:
        ops.ensure_ops_tables(connection)
        ensure_raw_table(connection, source)
    clear_work_root(connection)
    loads: dict[int, FileLoad] = {}  # by the file's position in `files`
    batch: list[tuple[int, _Pending]] = []
    checksums: set[str] = set()
    made: set[str] = set()  # load ids of this call: never replaced by a later file of it
    replacing: set[str] = set()  # load ids already replaced by a file of this call

    def flush() -> None:
        if batch:
            done = _commit_batch(connection, source, [p for _, p in batch], key, dry_run)
            loads.update(zip((position for position, _ in batch), done, strict=True))
        _drop_temporaries(connection)
        batch.clear()
        checksums.clear()
        connection.execute(
            f"create temp table {BATCH_MALFORMED} "
            "(_file integer, _row_number bigint, value varchar, reason varchar)"
        )

    # each folder's mappings, read once: a daily load lists hundreds of files it skips
    candidates_of: dict[Path, list[SourceMapping]] = {}

    flush()
    # A daily load lists every file of the landing folder. One at the path, size and
    # modification time of a file still loaded is that file: skipped without reading it (as
    # git's index and rsync's quick check do), where hashing them all cost a city 0.8 s a day.
    unchanged = ops.loaded_files(connection, source.name) if not replace and not dry_run else set()
    for position, path in enumerate(files):
        if unchanged and _stat_key(path) in unchanged:
            loads[position] = FileLoad(path, "skipped")
            continue
        checksum = file_checksum(path)
        if checksum in checksums:  # the same content twice: the first copy is loaded first
            flush()
        pending = _Pending(path, _new_entry(source, path, checksum), index=len(batch) + 1)
        manifest = not dry_run or _table_exists(connection, ops.MANIFEST)
        if replace and manifest:
            earlier = ops.done_loads(connection, source.name, pending.entry.file_path, checksum)
            if made.intersection(earlier):  # the same content, loaded by this call already
                loads[position] = FileLoad(path, "skipped")
                continue
            pending.replaces = tuple(i for i in earlier if i not in replacing)
        elif manifest and ops.already_loaded(connection, source.name, checksum) is not None:
            loads[position] = FileLoad(path, "skipped")
            continue
        if path.parent not in candidates_of:
            candidates_of[path.parent] = mapping_candidates(source, mapping_path, path.parent)
        try:
            _prepare(connection, source, pending, candidates_of[path.parent])
        except FILE_ERRORS as error:
            _drop_temporaries(connection, keep=BATCH_PREFIX)
            loads[position] = _record_failed(connection, pending, error, dry_run)
            continue
        batch.append((position, pending))
        checksums.add(checksum)
        made.add(pending.entry.load_id)
        replacing.update(pending.replaces)
        rows = sum(p.staged.rows for _, p in batch if p.staged is not None)
        text_rows = sum(p.staged.rows for _, p in batch if p.typed_table is not None)
        if rows >= batch_rows or text_rows >= min(batch_rows, BATCH_TEXT_ROWS):
            flush()
    flush()
    _drop_temporaries(connection)
    clear_work_root(connection)
    if not dry_run:
        ensure_raw_table(connection, source)
    elif not _table_exists(connection, source.raw_table):  # a dry run creates no table
        files_loaded = [loads[position] for position in sorted(loads)]
        return LoadResult(source.name, source.raw_table, files_loaded)
    period = PERIOD_COLUMNS[source.name]
    rows, first, last = connection.execute(
        f'select count(*), min("{period}")::date, max("{period}")::date from {source.raw_table}'
    ).fetchall()[0]
    files_loaded = [loads[position] for position in sorted(loads)]
    return LoadResult(source.name, source.raw_table, files_loaded, int(rows), first, last)


def load_source(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    files: list[Path],
    key: PseudonymisationKey,
    mapping_path: Path | None = None,
) -> LoadResult:
    """The loader's name before batching (bench/bench_warehouse.py): load_files."""
    return load_files(connection, source, files, key, mapping_path)
