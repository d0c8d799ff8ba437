"""SQL that turns a staged file into canonical columns: renamed, values translated, typed.

One `select` over the staged relation computes every canonical column. A column the file
holds as text keeps its text beside the parsed value (`_raw_<column>`), so that a value which
does not parse is reported as it was written. Timestamps accept the usual local forms
(`2018-07-27 09:03:00`, `2018/7/27 9:03`, `20180727090300`, ISO with T, Excel serial days) and
are converted from the mapping's time zone to naive Asia/Shanghai time. Personal identifiers
pass as they are: the loader hashes their trimmed text (`pii_text`) in the statement that
writes the raw table, each distinct value once, and no rule ever reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from govwh.ingestion.mapping import DEFAULT_TIMEZONE, SourceMapping
from govwh.ingestion.readers import STAGE, StagedFile

TYPED = "_landing_typed"  # the batch's typed rows: a view over every file of the batch

DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "VARCHAR",
    pl.Date: "DATE",
    pl.Datetime: "TIMESTAMP",
    pl.Boolean: "BOOLEAN",
    pl.Int8: "TINYINT",
    pl.Int16: "SMALLINT",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
}
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日",
)
TRUE_WORDS = ("true", "t", "1", "1.0", "yes", "y", "是", "有", "√")
FALSE_WORDS = ("false", "f", "0", "0.0", "no", "n", "否", "无", "×")
INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)


@dataclass(frozen=True)
class TypedColumns:
    """The select list of the typed relation, and which columns kept their text."""

    sql: str
    with_text: tuple[str, ...]  # canonical columns with a `_raw_<column>` companion


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(sql_string(v) for v in values) + "]"


def _translated(text: str, values: dict[str, str] | None) -> str:
    if not values:
        return text
    cases = " ".join(f"when {sql_string(k)} then {sql_string(v)}" for k, v in values.items())
    return f"(case {text} {cases} else {text} end)"


def _timestamp_from_text(text: str, formats: tuple[str, ...]) -> str:
    excel_serial = (
        f"case when regexp_full_match({text}, '[0-9]{{5}}(\\.[0-9]+)?') then "
        f"timestamp '1899-12-30' + to_seconds(cast(round(cast({text} as double) * 86400) "
        "as bigint)) end"
    )
    return (
        f"coalesce(try_cast({text} as timestamp), try_strptime({text}, {_sql_list(formats)}), "
        f"{excel_serial})"
    )


def _in_shanghai(timestamp: str, timezone: str) -> str:
    if timezone == DEFAULT_TIMEZONE:
        return timestamp
    return f"timezone('{DEFAULT_TIMEZONE}', timezone({sql_string(timezone)}, {timestamp}))"


def _parse_text(text: str, target: str, mapping: SourceMapping) -> str:
    """SQL parsing the text expression `text` into the DuckDB type `target` (null if not)."""
    if target == "VARCHAR":
        return text
    if target in INTEGER_TYPES:
        return f"try_cast(regexp_replace({text}, '\\.0*$', '') as {target})"
    if target == "DOUBLE":
        return f"try_cast({text} as double)"
    if target == "BOOLEAN":
        return (
            f"(case when lower({text}) in {tuple(TRUE_WORDS)} then true "
            f"when lower({text}) in {tuple(FALSE_WORDS)} then false end)"
        )
    formats = (*mapping.timestamp_formats, *TIMESTAMP_FORMATS)
    timestamp = _in_shanghai(_timestamp_from_text(text, formats), mapping.timezone)
    if target == "DATE":
        return f"coalesce(try_cast({text} as date), cast({timestamp} as date))"
    return timestamp


def _convert_typed(column: str, source_type: str, target: str, mapping: SourceMapping) -> str:
    """SQL converting a typed (Parquet) column to `target`, or None when text is needed."""
    if source_type == target and (target != "TIMESTAMP" or mapping.timezone == DEFAULT_TIMEZONE):
        return column
    if target == "TIMESTAMP" and source_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"timezone('{DEFAULT_TIMEZONE}', {column})"
    if target == "TIMESTAMP" and source_type.startswith(("TIMESTAMP", "DATE")):
        return _in_shanghai(f"cast({column} as timestamp)", mapping.timezone)
    return f"try_cast({column} as {target})"


def pii_text(column_sql: str) -> str:
    """SQL of a personal identifier's text as it is hashed: trimmed, empty as null."""
    return f"nullif(trim(cast({column_sql} as varchar)), '')"


def typed_select(
    staged: StagedFile,
    mapping: SourceMapping,
    resolved: dict[str, str],
    pii: tuple[str, ...],
    prefix: tuple[str, ...] = ("_row_number",),
) -> TypedColumns:
    """The select list computing every canonical column of `mapping.source` from a staged
    relation (its own column names); `prefix` are the expressions listed first. Personal
    identifiers come out as clear text: hash them before writing (loader.py)."""
    expressions = list(prefix)
    with_text: list[str] = []
    for column, dtype in mapping.source.columns.items():
        target = DUCKDB_TYPES[type(dtype)]
        header = resolved.get(column)
        if header is None:
            expressions.append(f'cast(null as {target}) as "{column}"')
            continue
        quoted = '"' + header.replace('"', '""') + '"'
        source_type = staged.types[header]
        values = mapping.values.get(column)
        text = f"nullif(trim(cast({quoted} as varchar)), '')"
        if column in pii:
            expressions.append(f'cast({quoted} as varchar) as "{column}"')
        elif (source_type != "VARCHAR" or staged.format == "parquet") and not values:
            # typed columns (Parquet) are converted, not re-parsed from text
            expressions.append(
                f'{_convert_typed(quoted, source_type, target, mapping)} as "{column}"'
            )
            if source_type != target:
                expressions.append(f'cast({quoted} as varchar) as "_raw_{column}"')
                with_text.append(column)
        else:
            expressions.append(
                f'{_parse_text(_translated(text, values), target, mapping)} as "{column}"'
            )
            if target != "VARCHAR":
                expressions.append(f'{text} as "_raw_{column}"')
                with_text.append(column)
    return TypedColumns(",\n    ".join(expressions), tuple(with_text))


def create_typed(
    connection: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    mapping: SourceMapping,
    resolved: dict[str, str],
    pii: tuple[str, ...],
    table: str,
    file_index: int,
) -> TypedColumns:
    """Materialize `table` from STAGE (one pass over a text file: parsed once, read by the
    rules and by the insert); `_file` is the file's index in its batch. A `_raw_<column>`
    keeps its text only where the value did not parse (else null, nearly free to store):
    all the rules need of it is whether it is null, and the text of a bad value."""
    typed = typed_select(staged, mapping, resolved, pii, (f"{file_index} as _file", "_row_number"))
    failed_only = ", ".join(
        f'case when "{column}" is null then "_raw_{column}" end as "_raw_{column}"'
        for column in typed.with_text
    )
    replace = f" replace ({failed_only})" if failed_only else ""
    connection.execute(
        f"create or replace temp table {table} as "
        f"select *{replace} from (select {typed.sql} from {STAGE})"
    )
    return typed
