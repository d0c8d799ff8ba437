"""Load one source's landing files into its raw table, through DuckDB's own readers.

Each load replaces the raw table in one transaction: loading the same files twice gives the
same rows, and a failed or killed load leaves the table as it was. Personal identifiers are
replaced by their keyed hash on the way in (pseudonymise.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from dagster_project.landing.pseudonymise import PseudonymisationKey, hmac_sql
from dagster_project.landing.schemas import SourceSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")

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

_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "varchar",
    pl.Date: "date",
    pl.Datetime: "timestamp",
    pl.Boolean: "boolean",
    pl.Int8: "tinyint",
    pl.Int16: "smallint",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.Float64: "double",
}


class LandingFilesMissingError(FileNotFoundError):
    """A source has no files to load."""


@dataclass(frozen=True)
class LoadResult:
    source: str
    table: str
    files: list[Path]
    rows: int
    loaded_at: dt.datetime
    first: dt.date | None  # period covered, from PERIOD_COLUMNS
    last: dt.date | None


def landing_files(landing_dir: Path, source: SourceSchema) -> list[Path]:
    """The source's landing files, oldest name first; an error naming the folder if none."""
    folder = landing_dir / source.name
    present = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    files = [p for p in present if p.suffix == ".parquet"]
    if not files:
        if not folder.is_dir():
            state = "does not exist"
        elif present:  # e.g. CSV exports: not loaded yet (Parquet only)
            kinds = ", ".join(sorted({p.suffix or p.name for p in present}))
            state = f"holds no Parquet file, only {kinds}"
        else:
            state = "is empty"
        raise LandingFilesMissingError(
            f"no {source.name} files to load: the landing folder {folder} {state} "
            "(run `govwh generate` for the demo city, or drop the exports there)"
        )
    return files


def _select_list(source: SourceSchema) -> str:
    """Every canonical column cast to its type (missing ones fail the load), PII hashed."""
    pii = PII_COLUMNS.get(source.name, ())
    expressions = []
    for column, dtype in source.columns.items():
        cast = f'cast("{column}" as {_DUCKDB_TYPES[type(dtype)]})'
        expressions.append(f'{hmac_sql(cast) if column in pii else cast} as "{column}"')
    return ",\n    ".join(expressions)


def load_source(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    files: list[Path],
    key: PseudonymisationKey,
) -> LoadResult:
    """Replace the source's raw table with the content of `files` (Parquet)."""
    loaded_at = dt.datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)
    parameters: dict[str, object] = {
        "files": [f.as_posix() for f in files],
        "loaded_at": loaded_at,
    }
    if source.name in PII_COLUMNS:
        parameters |= {"pii_inner": key.inner_pad, "pii_outer": key.outer_pad}
    period = PERIOD_COLUMNS[source.name]
    connection.execute("begin transaction")
    try:
        connection.execute("create schema if not exists raw")
        connection.execute(
            f"""
            create or replace table {source.raw_table} as
            select
                {_select_list(source)},
                parse_filename(filename) as _source_file,
                cast($loaded_at as timestamp) as _loaded_at
            from read_parquet($files, union_by_name = true, filename = true)
            """,
            parameters,
        )
        rows, first, last = connection.execute(
            f'select count(*), min("{period}")::date, max("{period}")::date from {source.raw_table}'
        ).fetchall()[0]
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return LoadResult(source.name, source.raw_table, files, int(rows), loaded_at, first, last)
