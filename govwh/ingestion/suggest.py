"""Draft a source mapping from an export's headers and values (`govwh mapping suggest`).

Onboarding a city's export starts here: the file is read the way the loader reads it
(readers.py, so encodings, XLSX, TSV and title rows work), each canonical column is looked
for among its headers — first by the alias dictionary (aliases.py), then by fuzzy matching
(difflib) — and a header, once taken, is not offered again. The values are then queried in
DuckDB over the whole file: a vocabulary column's distinct values get a translation guessed
by keyword (unknown ones stay a commented TODO), a timestamp column a strptime format when
the default forms do not parse all of them, a code column a note when its values would fail
the code format. The draft is YAML that mapping.load_mapping reads; what the export lacks is
a commented TODO line that says what to do.
"""

from __future__ import annotations

import difflib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from govwh.ingestion.aliases import ALIASES, FALLBACK_ALIASES, KEYWORDS, MISSING_ADVICE
from govwh.ingestion.mapping import load_mapping, normalise_header
from govwh.ingestion.parsing import DUCKDB_TYPES, TIMESTAMP_FORMATS, sql_string
from govwh.ingestion.readers import STAGE, StagedFile, stage_file
from govwh.ingestion.rules import CODE_FORMATS, VOCABULARIES
from govwh.ingestion.schemas import SOURCES, SourceSchema
from govwh.warehouse.connection import connect

# Canonical columns the mapping language is gaining (suggested as a comment until
# schemas.py has them).
COMING_COLUMNS: dict[str, dict[str, str]] = {"case_logs": {"due_at": "TIMESTAMP"}}
# strptime formats tried when the default timestamp forms do not parse every value; the
# first parsing all of them wins (month first before day first: US exports are the usual).
EXTRA_TIMESTAMP_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%b %d %Y %I:%M%p",
)
FUZZY_CUTOFF = 0.8  # difflib ratio (or CJK containment score) a fuzzy match needs
VALUES_LISTED = 50  # distinct values of a vocabulary column listed in the draft
_KEY_NOISE = re.compile(r"[\s_\-./()（）:：]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class ColumnMatch:
    """One canonical column: the header found for it and how, or why none was."""

    column: str
    required: bool
    header: str | None = None
    found_by: str | None = None  # alias | fallback alias | fuzzy 0.86
    timestamp_format: str | None = None  # a strptime format the defaults lack
    note: str | None = None
    coming: bool = False  # a canonical column schemas.py does not have yet


@dataclass(frozen=True)
class ValueGuess:
    value: str
    rows: int
    canonical: str | None  # None: no keyword matched (a TODO of the draft)


@dataclass
class Suggestion:
    """What `govwh mapping suggest` found in one file, ready to be rendered as YAML."""

    path: Path
    source: SourceSchema
    staged: StagedFile
    columns: list[ColumnMatch]
    values: dict[str, list[ValueGuess]] = field(default_factory=dict)
    more_values: dict[str, int] = field(default_factory=dict)  # distinct values not listed
    unused_headers: list[str] = field(default_factory=list)
    column_dicts: bool = False  # the mapping language reads {header: X, format: F}

    @property
    def found(self) -> list[ColumnMatch]:
        return [c for c in self.columns if c.header is not None]

    @property
    def missing_required(self) -> list[ColumnMatch]:
        return [c for c in self.columns if c.header is None and c.required]


# header matching (pure) ------------------------------------------------------------------------


def header_key(text: str) -> str:
    """Headers and aliases compare without case, blanks, underscores, hyphens or dots."""
    return _KEY_NOISE.sub("", normalise_header(text))


def _fuzzy_score(header: str, alias: str) -> float:
    if not header or not alias:
        return 0.0
    score = difflib.SequenceMatcher(None, header, alias).ratio()
    if _CJK.search(alias) and len(alias) >= 2 and alias in header:
        # Chinese headers add words around the term (申请人证件号码 holds 证件号码)
        score = max(score, 0.8 + 0.1 * len(alias) / len(header))
    return score


def match_headers(
    headers: list[str], columns: list[str], required: tuple[str, ...] = ()
) -> list[ColumnMatch]:
    """Each canonical column's header: its own name or an alias (ALIASES, in order), then a
    fallback alias (FALLBACK_ALIASES), then the closest header by difflib; a header is
    taken once. Returns the columns in the order given."""
    keys = {header: header_key(header) for header in headers}
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(keys[header], header)
    taken: dict[str, tuple[str, str]] = {}  # column -> (header, found_by)
    used: set[str] = set()

    def alias_pass(table: dict[str, tuple[str, ...]], label: str, own_name: bool) -> None:
        for column in columns:
            if column in taken:
                continue
            names = ((column,) if own_name else ()) + table.get(column, ())
            for name in names:
                header = by_key.get(header_key(name))
                if header is not None and header not in used:
                    taken[column] = (header, label)
                    used.add(header)
                    break

    alias_pass(ALIASES, "alias", own_name=True)
    alias_pass(FALLBACK_ALIASES, "fallback alias", own_name=False)
    scores = sorted(
        (
            (max(_fuzzy_score(keys[h], header_key(a)) for a in (c, *ALIASES.get(c, ()))), c, h)
            for c in columns
            if c not in taken
            for h in headers
            if h not in used
        ),
        key=lambda t: -t[0],
    )
    for score, column, header in scores:
        if score >= FUZZY_CUTOFF and column not in taken and header not in used:
            taken[column] = (header, f"fuzzy {score:.2f}")
            used.add(header)
    return [
        ColumnMatch(c, c in required, *taken[c]) if c in taken else ColumnMatch(c, c in required)
        for c in columns
    ]


def guess_value(value: str, keywords: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    """The canonical value of the first keyword contained in `value` (ASCII keywords at a
    word start, short ones as whole words), else None."""
    text = value.lower()
    for words, canonical in keywords:
        for word in words:
            if _CJK.search(word):
                if word in text:
                    return canonical
                continue
            end = r"(?![a-z0-9])" if len(word) < 5 else ""
            if re.search(rf"(?<![a-z0-9]){re.escape(word)}{end}", text):
                return canonical
    return None


# DuckDB over the staged file -------------------------------------------------------------------


def _text(header: str) -> str:
    quoted = '"' + header.replace('"', '""') + '"'
    return f"nullif(trim(cast({quoted} as varchar)), '')"


def _default_timestamp_sql(text: str) -> str:
    formats = "[" + ", ".join(sql_string(f) for f in TIMESTAMP_FORMATS) + "]"
    return (
        f"coalesce(try_cast({text} as timestamp), try_strptime({text}, {formats}), "
        f"case when regexp_full_match({text}, '[0-9]{{5}}(\\.[0-9]+)?') then timestamp "
        "'1899-12-30' end)"
    )


def timestamp_format(
    connection: duckdb.DuckDBPyConnection, header: str, staged_type: str
) -> tuple[str | None, str | None]:
    """(format, note): None, None when the default forms parse every value of the column;
    else the first EXTRA_TIMESTAMP_FORMATS parsing them all, or a note with a value none
    parses."""
    if staged_type != "VARCHAR":
        return None, None
    failing = ", ".join(
        f"count(*) filter (where try_strptime(v, {sql_string(f)}) is null)"
        for f in EXTRA_TIMESTAMP_FORMATS
    )
    default_failing, *counts = connection.execute(
        f"select count(*) filter (where {_default_timestamp_sql('v')} is null), {failing} "
        f"from (select distinct {_text(header)} as v from {STAGE}) where v is not null"
    ).fetchall()[0]
    if default_failing == 0:
        return None, None
    for fmt, count in zip(EXTRA_TIMESTAMP_FORMATS, counts, strict=True):
        if count == 0:
            return fmt, None
    (example,) = connection.execute(
        f"select v from (select distinct {_text(header)} as v from {STAGE}) "
        f"where v is not null and {_default_timestamp_sql('v')} is null limit 1"
    ).fetchall()[0]
    return None, (
        f"{default_failing} distinct values (e.g. {example!r}) parse in no known form: "
        "add their strptime format, or choose another header"
    )


def code_note(connection: duckdb.DuckDBPyConnection, header: str, column: str) -> str | None:
    """A note when values of a code column would fail its CODE_FORMATS pattern."""
    pattern = CODE_FORMATS.get(column)
    if pattern is None:
        return None
    bad, total, example = connection.execute(
        f"select count(*) filter (where not regexp_full_match(v, {sql_string(pattern)})), "
        f"count(*), any_value(v) filter (where not regexp_full_match(v, "
        f"{sql_string(pattern)})) from (select {_text(header)} as v from {STAGE}) "
        "where v is not null"
    ).fetchall()[0]
    if not bad:
        return None
    return (
        f"{bad} of {total} values (e.g. {example!r}) do not fit the code format {pattern}: "
        "a load rejects them (bad_code_format); map a code column instead if there is one"
    )


def distinct_values(
    connection: duckdb.DuckDBPyConnection, header: str
) -> tuple[list[tuple[str, int]], int]:
    """The column's most frequent distinct values (VALUES_LISTED) with their rows, and how
    many distinct values there are in all."""
    rows = connection.execute(
        f"select v, count(*) as n, count(*) over () as distinct_values "
        f"from (select {_text(header)} as v from {STAGE}) where v is not null "
        f"group by v order by n desc, v limit {VALUES_LISTED}"
    ).fetchall()
    return [(str(v), int(n)) for v, n, _ in rows], int(rows[0][2]) if rows else 0


# the draft ---------------------------------------------------------------------------------------


def column_dicts_supported() -> bool:
    """Whether this checkout's mapping language reads `{header: X, format: F}` per column
    (else a format goes to the section's timestamp_formats, which every version reads)."""
    probe = {
        "sources": {"case_logs": {"columns": {"submitted_at": {"header": "x", "format": "%d"}}}}
    }
    with tempfile.TemporaryDirectory(prefix="govwh-suggest-") as folder:
        path = Path(folder) / "probe.yaml"
        path.write_text(yaml.safe_dump(probe), encoding="utf-8")
        try:
            return load_mapping(path, "case_logs").resolve(["x"]).get("submitted_at") == "x"
        except Exception:  # an older or newer language refusing the form: not supported
            return False


def _alias_mapping_file(folder: Path, source: SourceSchema) -> Path:
    """A mapping of every alias, so that the reader finds the header row among title rows."""
    columns = {
        c: list(ALIASES.get(c, ())) + list(FALLBACK_ALIASES.get(c, ())) for c in source.columns
    }
    document = {"name": "aliases", "sources": {source.name: {"columns": columns}}}
    path = folder / "aliases.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _canonical_type(source: SourceSchema, column: str) -> str:
    if column in source.columns:
        return DUCKDB_TYPES[type(source.columns[column])]
    return COMING_COLUMNS.get(source.name, {}).get(column, "VARCHAR")


def _with_values(
    connection: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    source: SourceSchema,
    match: ColumnMatch,
) -> ColumnMatch:
    """The match with its timestamp format and notes from the column's values."""
    if match.header is None:
        advice = MISSING_ADVICE.get(match.column)
        if match.required:
            return ColumnMatch(match.column, True, note=advice or "find the header holding it")
        return match
    target = _canonical_type(source, match.column)
    fmt, note = None, None
    if target in ("TIMESTAMP", "DATE"):
        fmt, note = timestamp_format(connection, match.header, staged.types[match.header])
    elif match.column in CODE_FORMATS:
        note = code_note(connection, match.header, match.column)
    return ColumnMatch(
        match.column, match.required, match.header, match.found_by, fmt, note, match.coming
    )


def suggest_mapping(path: Path, source_name: str) -> Suggestion:
    """Read `path` as the loader would and draft the mapping of `source_name` for it."""
    source = SOURCES[source_name]
    coming = [c for c in COMING_COLUMNS.get(source.name, {}) if c not in source.columns]
    with tempfile.TemporaryDirectory(prefix="govwh-suggest-") as folder, connect(":memory:") as db:
        aliases = load_mapping(_alias_mapping_file(Path(folder), source), source.name)
        staged = stage_file(db, path, [aliases], Path(folder))
        headers = [h for h in staged.headers if not h.startswith("_blank_")]
        matches = match_headers(headers, [*source.columns, *coming], source.required)
        matches = [
            ColumnMatch(m.column, m.required, m.header, m.found_by, coming=m.column in coming)
            for m in matches
        ]
        columns = [_with_values(db, staged, source, m) for m in matches]
        suggestion = Suggestion(
            path, source, staged, columns, column_dicts=column_dicts_supported()
        )
        for match in suggestion.found:
            vocabulary = VOCABULARIES[source.name].get(match.column)
            if vocabulary is None or match.header is None:
                continue
            values, distinct = distinct_values(db, match.header)
            keywords = KEYWORDS.get(source.name, {}).get(match.column, ())
            suggestion.values[match.column] = [
                ValueGuess(v, n, guess_value(v, keywords)) for v, n in values if v not in vocabulary
            ]
            suggestion.more_values[match.column] = distinct - len(values)
    taken = {m.header for m in suggestion.found}
    suggestion.unused_headers = [h for h in headers if h not in taken]
    return suggestion


def _scalar(text: str) -> str:
    """`text` as a YAML scalar: plain where YAML reads it back as the same string."""
    plain = (
        text == text.strip()
        and "\n" not in text
        and " #" not in text
        and ": " not in text
        and not text.endswith(":")
    )
    try:
        plain = plain and yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _column_line(match: ColumnMatch, suggestion: Suggestion) -> str:
    header = _scalar(match.header or "")
    if match.timestamp_format and suggestion.column_dicts:
        value = f"{{header: {header}, format: {json.dumps(match.timestamp_format)}}}"
    else:
        value = header
    comment = f"  # {match.found_by}" + (f"; {match.note}" if match.note else "")
    if match.coming:
        return (
            f"      # {match.column}: {value}  # TODO: uncomment once schemas.py has "
            f"{match.column} ({match.found_by})"
        )
    return f"      {match.column}: {value}{comment}"


def _values_lines(suggestion: Suggestion) -> list[str]:
    lines: list[str] = []
    for column, guesses in suggestion.values.items():
        vocabulary = VOCABULARIES[suggestion.source.name][column]
        more = suggestion.more_values.get(column, 0)
        if not guesses and not more:
            continue
        if any(g.canonical is not None for g in guesses):
            lines.append(f"      {column}:")
        else:  # every entry a comment: an empty mapping until one is filled in
            lines.append(f"      {column}: {{}}  # TODO: translate the values below")
        for guess in guesses:
            if guess.canonical is not None:
                lines.append(
                    f"        {_scalar(guess.value)}: {guess.canonical}  # {guess.rows} rows"
                )
            else:
                lines.append(
                    f"        # {_scalar(guess.value)}: TODO  # {guess.rows} rows; "
                    f"one of {', '.join(vocabulary)}"
                )
        if more:
            lines.append(f"        # TODO: {more} more distinct values not listed")
    return lines


# A case log without an update time: the version of a case is its latest event, the first
# non-empty of these columns (docs/onboarding.md, "Exports without an update time").
LATEST_EVENT = ("completed_at", "withdrawn_at", "accepted_at", "submitted_at")


def _latest_event(suggestion: Suggestion, column: str) -> list[str]:
    """The headers of the events that stand in for a missing update time, latest first."""
    if suggestion.source.name != "case_logs" or column != "updated_at":
        return []
    headers = {m.column: m.header for m in suggestion.found if m.header is not None}
    return [headers[c] for c in LATEST_EVENT if c in headers]


def render_yaml(suggestion: Suggestion) -> str:
    """The draft mapping as YAML text (loadable by mapping.load_mapping)."""
    source, staged = suggestion.source, suggestion.staged
    name = re.sub(r"[^0-9A-Za-z_\u3400-\u9fff]+", "_", suggestion.path.stem).strip("_") or "draft"
    lines = [
        f"# Draft mapping of {suggestion.path.name} ({source.name}), written by "
        "`govwh mapping suggest`.",
        "# Every line is a guess: check it against the export and settle the TODO lines, then",
        f"#   govwh mapping check {suggestion.path.name} --source {source.name} "
        "--mapping <this file>",
        "# shows what a load would do, loading nothing.",
        f"name: {_scalar(name)}",
        f"encoding: auto  # detected: {staged.encoding or staged.format}",
        "timezone: Asia/Shanghai  # TODO: the time zone of the export's timestamps",
    ]
    if staged.header_row and staged.header_row > 1:
        lines.append(f"header_row: {staged.header_row}  # title rows above the headers")
    lines += ["sources:", f"  {source.name}:"]
    formats = sorted({c.timestamp_format for c in suggestion.found if c.timestamp_format})
    if formats and not suggestion.column_dicts:
        lines.append(f"    timestamp_formats: {json.dumps(formats)}")
    lines.append("    columns:")
    for match in suggestion.columns:
        if match.header is not None:
            lines.append(_column_line(match, suggestion))
        elif match.required and (latest := _latest_event(suggestion, match.column)):
            lines.append(
                f"      {match.column}: {{coalesce: [{', '.join(map(_scalar, latest))}]}}  "
                "# no update time in the export: a case's version is its latest event"
            )
        elif match.required:
            lines.append(f"      # {match.column}: TODO required, not found: {match.note}")
    values = _values_lines(suggestion)
    lines += ["    values:" if values else "    values: {}", *values]
    if suggestion.unused_headers:
        unused = ", ".join(suggestion.unused_headers)
        lines.append(f"# headers no canonical column takes (ignored by a load): {unused}")
    return "\n".join(lines) + "\n"
