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

from govwh.ingestion.mapping import (
    DEFAULT_TIMEZONE,
    PATTERN_PREFIX,
    ColumnRule,
    MappingError,
    SourceMapping,
)
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


# a time of day without a date (`9:03`, `09:03:00.5`): such a column needs its date column
TIME_OF_DAY = "[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
# a deadline given as a date is due by the end of that day: it is compared at that resolution
END_OF_DAY_COLUMNS = ("due_at",)
DATE_ONLY = "[0-9]{4}([-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{4}|年[0-9]{1,2}月[0-9]{1,2}日)"
END_OF_DAY = "interval 1 day - interval 1 microsecond"
# GB/T 2260 codes as statistics exports write them, padded to 12 digits (`511602000000`): the
# trailing zero groups go, so that a county is 6 digits and a township 9, as everywhere else
REGION_PADDING = "^([0-9]{6}(?:[0-9]{3})*?)(?:000)+$"


def _translated(text: str, values: dict[str, str] | None) -> str:
    """Value translations in the mapping's order; a key `re:<pattern>` matches the whole
    value by regular expression. Values no key matches pass as they are."""
    if not values:
        return text
    cases = " ".join(
        f"when regexp_full_match({text}, {sql_string(k.removeprefix(PATTERN_PREFIX))}) "
        f"then {sql_string(v)}"
        if k.startswith(PATTERN_PREFIX)
        else f"when {text} = {sql_string(k)} then {sql_string(v)}"
        for k, v in values.items()
    )
    return f"(case {cases} else {text} end)"


def _text_of(header: str) -> str:
    quoted = '"' + header.replace('"', '""') + '"'
    return f"nullif(trim(cast({quoted} as varchar)), '')"


def _rule_text(rule: ColumnRule, headers: tuple[str, ...]) -> str:
    """The text of a derived column, before its values are translated and parsed."""
    if rule.constant is not None:
        return sql_string(rule.constant)
    if rule.date is not None:
        return f"({_text_of(headers[0])} || ' ' || {_text_of(headers[1])})"
    return "coalesce(" + ", ".join(_text_of(h) for h in headers) + ")"


def _finished_text(column: str, text: str, rule: ColumnRule, values: dict[str, str] | None) -> str:
    """Translated, defaulted, normalised and (by choice) hashed text of a column."""
    text = _translated(text, values)
    if rule.default is not None:
        text = f"coalesce({text}, {sql_string(rule.default)})"
    if column == "region_code":
        text = f"regexp_replace({text}, '{REGION_PADDING}', '\\1')"
    if rule.code == "hash":  # a stable code from a name or a code with blanks
        text = f"substr(md5({text}), 1, 16)"
    return text


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


def _parse_text(
    text: str, target: str, mapping: SourceMapping, formats: tuple[str, ...] = ()
) -> str:
    """SQL parsing the text expression `text` into the DuckDB type `target` (null if not);
    `formats` are the column's own timestamp formats, tried first."""
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
    formats = (*formats, *mapping.timestamp_formats, *TIMESTAMP_FORMATS)
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
    derived = mapping.derived(staged.headers)
    parsed: dict[str, str] = {}  # canonical column -> its value's SQL
    texts: dict[str, str] = {}  # canonical column -> the text it was parsed from
    for column, dtype in mapping.source.columns.items():
        target = DUCKDB_TYPES[type(dtype)]
        header = resolved.get(column)
        rule = mapping.rule(column)
        values = mapping.values.get(column)
        if column in derived:
            text = _rule_text(rule, derived[column].headers)
        elif header is not None:
            text = _text_of(header)
        elif rule.default is not None:
            text = "cast(null as varchar)"
        elif column == mapping.source.load_date_column:
            parsed[column] = f"cast(timezone('{DEFAULT_TIMEZONE}', current_timestamp) as date)"
            continue
        else:
            parsed[column] = f"cast(null as {target})"
            continue
        if header is not None and column in pii:
            parsed[column] = f"cast({_quoted(header)} as varchar)"
            continue
        source_type = staged.types[header] if header is not None else "VARCHAR"
        typed = source_type != "VARCHAR" or staged.format == "parquet"
        if header is not None and typed and not values and rule == ColumnRule():
            # typed columns (Parquet) are converted, not re-parsed from text
            parsed[column] = _convert_typed(_quoted(header), source_type, target, mapping)
            if column in END_OF_DAY_COLUMNS and source_type == "DATE":
                parsed[column] = f"({parsed[column]} + {END_OF_DAY})"
            if source_type != target:
                texts[column] = f"cast({_quoted(header)} as varchar)"
            continue
        finished = _finished_text(column, text, rule, values)
        parsed[column] = _parse_text(finished, target, mapping, rule.formats)
        if column in END_OF_DAY_COLUMNS:
            parsed[column] = (
                f"(case when regexp_full_match({finished}, '{DATE_ONLY}') "
                f"then {parsed[column]} + {END_OF_DAY} else {parsed[column]} end)"
            )
        if target != "VARCHAR":
            texts[column] = text
    for column, rule in mapping.rules.items():
        if rule.after is not None and column in parsed:  # a time past midnight: the next day
            value, after = parsed[column], parsed[rule.after]
            parsed[column] = (
                f"(case when {value} < {after} then {value} + interval 1 day else {value} end)"
            )
    expressions = [*prefix, *(f'{sql} as "{column}"' for column, sql in parsed.items())]
    expressions += [f'{sql} as "_raw_{column}"' for column, sql in texts.items()]
    return TypedColumns(",\n    ".join(expressions), tuple(texts))


def _quoted(header: str) -> str:
    return '"' + header.replace('"', '""') + '"'


def time_only_columns(
    connection: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    mapping: SourceMapping,
    resolved: dict[str, str],
) -> None:
    """A MappingError naming every timestamp column whose values are times of day without a
    date (read alone they would all fall on one invented day): it must be combined with its
    date column. Looks at the first thousand non-empty values of each such text column."""
    candidates = [
        (column, header)
        for column, header in resolved.items()
        if DUCKDB_TYPES[type(mapping.source.columns[column])] == "TIMESTAMP"
        and staged.types.get(header) == "VARCHAR"
    ]
    problems = []
    for column, header in candidates:
        text = _text_of(header)
        example, times, values = connection.execute(
            f"select any_value(v), count(*) filter (where regexp_full_match(v, '{TIME_OF_DAY}')), "
            f"count(*) from (select {text} as v from {STAGE} where {text} is not null limit 1000)"
        ).fetchall()[0]
        if values and times == values:
            problems.append(
                f"{header} ({column}) holds times of day without a date (e.g. {example!r}): "
                f"combine it with its date column, `{column}: {{date: <date column>, "
                f"time: {header}}}`"
            )
    if problems:
        raise MappingError(f"mapping {mapping.label}: " + "; ".join(problems))


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
