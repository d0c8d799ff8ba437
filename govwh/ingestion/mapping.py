"""Source mappings: a YAML file per source system that maps its export onto the canonical schema.

A mapping names, for each canonical column, the headers a system uses for it (Chinese or
English, several spellings allowed) and, per column, how its values translate into our
vocabularies (渠道, 状态, 好差评 words, depth codes, yes/no words). A column can also be a
constant, a default for empty values, the first non-empty of several columns, a date column
combined with a time column, a code hashed from a name, or have its own timestamp formats
(`ColumnRule`). A new city or vendor is onboarded with such a file, not with code;
docs/ingestion.md shows how to write one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govwh.ingestion.schemas import SOURCES, SourceSchema

MAPPINGS_DIR = Path(__file__).with_name("mappings")
ENCODINGS = ("auto", "utf-8", "gb18030")
DEFAULT_TIMEZONE = "Asia/Shanghai"
DELIMITERS = (",", "\t", ";", "|")
DEFAULT_CLOCK_SKEW_SECONDS = 60
CODE_STYLES = ("keep", "hash")
PATTERN_PREFIX = "re:"  # a value translation whose key is a regular expression
RULE_KEYS = {
    "header",
    "constant",
    "coalesce",
    "date",
    "time",
    "after",
    "default",
    "format",
    "formats",
    "values",
    "code",
}
# strptime directives that place a value on a date: a format without one yields 1900-01-01
DATE_DIRECTIVES = re.compile(r"%[YyjdmbBUWGV]|%[cDFx]")


class MappingError(ValueError):
    """A mapping file is malformed, or does not fit the file it is applied to."""


def normalise_header(header: str) -> str:
    """Headers compare without surrounding blanks, BOM, full-width spaces or case."""
    return header.replace("\ufeff", "").replace("\u3000", " ").strip().lower()


@dataclass(frozen=True)
class ColumnRule:
    """How a canonical column is computed when it is more than a header (see load_mapping):
    a constant, the first non-empty of several columns, a date column combined with a time
    column (a day later when that comes before the canonical column `after`: midnight
    crossing), a default for empty values, its own timestamp formats, a hashed code."""

    constant: str | None = None
    coalesce: tuple[str, ...] = ()
    date: str | None = None
    time: str | None = None
    after: str | None = None
    default: str | None = None
    formats: tuple[str, ...] = ()
    code: str = "keep"

    @property
    def derived(self) -> bool:
        """True when the column is computed from other columns or a constant, not a header."""
        return self.constant is not None or bool(self.coalesce) or self.date is not None


@dataclass(frozen=True)
class Derived:
    """A derived column as found in one file: its rule and the file's headers it reads."""

    rule: ColumnRule
    headers: tuple[str, ...]


@dataclass(frozen=True)
class SourceMapping:
    """How one system's export of one source reads onto the canonical columns."""

    mapping_name: str
    path: Path
    checksum: str
    source: SourceSchema
    columns: dict[str, tuple[str, ...]]  # canonical column -> accepted headers
    values: dict[str, dict[str, str]]  # canonical column -> {export value: canonical value}
    encoding: str = "auto"
    timezone: str = DEFAULT_TIMEZONE
    sheet: str | None = None  # xlsx: None = the first sheet
    header_row: int | None = None  # xlsx/csv: 1-based row of the headers; None = detect
    timestamp_formats: tuple[str, ...] = field(default_factory=tuple)
    rules: dict[str, ColumnRule] = field(default_factory=dict)
    delimiter: str | None = None  # text files: None = detect
    clock_skew_seconds: int = DEFAULT_CLOCK_SKEW_SECONDS

    @property
    def label(self) -> str:
        return f"{self.mapping_name} ({self.path})"

    def rule(self, column: str) -> ColumnRule:
        return self.rules.get(column, ColumnRule())

    def derived(self, headers: list[str]) -> dict[str, Derived]:
        """Canonical column -> its derived rule and the headers it reads, for the derived
        columns this file can compute (a coalesce needs one of its columns, a date + time
        both); a MappingError when a date + time column is half present."""
        present = {normalise_header(h): h for h in reversed(headers)}
        found: dict[str, Derived] = {}
        for column, rule in self.rules.items():
            if rule.constant is not None:
                found[column] = Derived(rule, ())
            elif rule.coalesce:
                parts = tuple(
                    present[normalise_header(h)]
                    for h in rule.coalesce
                    if normalise_header(h) in present
                )
                if parts:
                    found[column] = Derived(rule, parts)
            elif rule.date is not None and rule.time is not None:
                parts = tuple(present.get(normalise_header(h), "") for h in (rule.date, rule.time))
                if all(parts):
                    found[column] = Derived(rule, parts)
                elif any(parts):
                    missing = rule.date if not parts[0] else rule.time
                    raise MappingError(
                        f"mapping {self.label}: {column} combines {rule.date} and {rule.time}, "
                        f"but the file has no column {missing}"
                    )
        return found

    def sources_of(self, headers: list[str]) -> dict[str, str]:
        """Canonical column -> where its values come from in a file with `headers`, in words:
        the header, a derived rule, a default, or the load day."""
        found: dict[str, str] = dict(self.resolve(headers))
        found |= {column: self.describe(column) for column in self.derived(headers)}
        for column, rule in self.rules.items():
            if column not in found and rule.default is not None:
                found[column] = f"default {rule.default}"
        load_date = self.source.load_date_column
        if load_date is not None and load_date not in found:
            found[load_date] = "the load day"
        return found

    def used_headers(self, headers: list[str]) -> set[str]:
        """The file's headers some canonical column reads."""
        used = set(self.resolve(headers).values())
        for derived in self.derived(headers).values():
            used.update(derived.headers)
        return used

    def aliases(self, column: str) -> tuple[str, ...]:
        return (column, *self.columns.get(column, ()))

    def resolve(self, headers: list[str]) -> dict[str, str]:
        """Canonical column -> the file's header holding it (first alias present wins)."""
        present = {normalise_header(h): h for h in reversed(headers)}
        resolved: dict[str, str] = {}
        for column in self.source.columns:
            if self.rule(column).derived:
                continue
            for alias in self.aliases(column):
                if normalise_header(alias) in present:
                    resolved[column] = present[normalise_header(alias)]
                    break
        return resolved

    def matches(self, headers: list[str]) -> int:
        """How many canonical columns this mapping finds among `headers` (auto-detection)."""
        return len(self.resolve(headers)) + len(self.derived(headers))

    def check_required(self, headers: list[str], file: Path) -> dict[str, str]:
        """The resolved columns; a MappingError naming every missing required column."""
        resolved = self.resolve(headers)
        found = self.sources_of(headers)
        missing = [c for c in self.source.required if c not in found]
        if missing:
            looked_for = "; ".join(f"{c}: {self.describe(c)}" for c in missing)
            raise MappingError(
                f"{file.name}: required column(s) {', '.join(missing)} missing for "
                f"{self.source.name} with mapping {self.label} (looked for {looked_for}); "
                f"the file's columns are: {', '.join(headers) or 'none'}"
            )
        return resolved

    def describe(self, column: str) -> str:
        """Where the mapping looks for `column`, in words (for error messages)."""
        rule = self.rule(column)
        if rule.constant is not None:
            return f"constant {rule.constant}"
        if rule.coalesce:
            return "the first non-empty of " + " / ".join(rule.coalesce)
        if rule.date is not None:
            return f"{rule.date} + {rule.time}"
        return " / ".join(self.aliases(column))


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _value_map(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping of export value to canonical value")
    return {
        str(k).strip(): str(v).strip().lower() if isinstance(v, bool) else str(v).strip()
        for k, v in raw.items()
    }


def _check_formats(formats: tuple[str, ...], where: str) -> tuple[str, ...]:
    for timestamp_format in formats:
        if not DATE_DIRECTIVES.search(timestamp_format):
            raise MappingError(
                f"{where}: timestamp format {timestamp_format!r} has no date (it would read "
                "every value as 1900-01-01); combine the time column with its date column: "
                "{date: <date column>, time: <time column>}"
            )
    return formats


def _column_rule(
    column: str, raw: dict[str, object], where: str
) -> tuple[tuple[str, ...], ColumnRule, dict[str, str]]:
    """Header aliases, rule and value translations of a column written as a mapping."""
    unknown = sorted(set(map(str, raw)) - RULE_KEYS)
    if unknown:
        raise MappingError(
            f"{where}: unknown key(s) {', '.join(unknown)} (a column is a header, a list of "
            f"headers, or a mapping of {', '.join(sorted(RULE_KEYS))})"
        )
    kinds = [k for k in ("header", "constant", "coalesce", "date") if k in raw]
    if len(kinds) > 1:
        raise MappingError(f"{where}: give only one of {', '.join(kinds)}")
    if ("date" in raw) != ("time" in raw):
        raise MappingError(f"{where}: a combined column needs both date and time")
    if not kinds and "default" not in raw:
        raise MappingError(
            f"{where}: say where the value comes from (header, constant, "
            "coalesce, date + time) or give a default"
        )
    code = str(raw.get("code", "keep"))
    if code not in CODE_STYLES:
        raise MappingError(f"{where}: code must be one of {', '.join(CODE_STYLES)}, not {code}")
    formats = _as_tuple(raw.get("formats", raw.get("format")))
    rule = ColumnRule(
        constant=None if raw.get("constant") is None else _scalar(raw["constant"]),
        coalesce=_as_tuple(raw.get("coalesce")),
        date=None if raw.get("date") is None else str(raw["date"]),
        time=None if raw.get("time") is None else str(raw["time"]),
        after=None if raw.get("after") is None else str(raw["after"]),
        default=None if raw.get("default") is None else _scalar(raw["default"]),
        formats=_check_formats(formats, where),
        code=code,
    )
    values = _value_map(raw["values"], f"{where}.values") if "values" in raw else {}
    return _as_tuple(raw.get("header")), rule, values


def _scalar(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value).strip()


def load_mapping(path: Path, source: str) -> SourceMapping:
    """The section of mapping file `path` for `source`; MappingError when it is not usable."""
    text = path.read_bytes()
    try:
        document = yaml.safe_load(text.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MappingError(f"mapping {path} is not valid UTF-8 YAML: {error}") from error
    sections = document.get("sources") or {}
    if source not in SOURCES:
        raise MappingError(f"unknown source {source!r}; choose one of {sorted(SOURCES)}")
    if source not in sections:
        raise MappingError(
            f"mapping {path} has no section for {source} (it maps: "
            f"{', '.join(sections) or 'nothing'})"
        )
    schema = SOURCES[source]
    section = sections[source] or {}
    columns: dict[str, tuple[str, ...]] = {}
    rules: dict[str, ColumnRule] = {}
    values = {
        str(k): _value_map(v, f"{path}: sources.{source}.values.{k}")
        for k, v in (section.get("values") or {}).items()
    }
    for name, raw in (section.get("columns") or {}).items():
        column = str(name)
        if not isinstance(raw, dict):
            columns[column] = _as_tuple(raw)
            continue
        where = f"mapping {path}: sources.{source}.columns.{column}"
        columns[column], rules[column], column_values = _column_rule(column, raw, where)
        values[column] = {**values.get(column, {}), **column_values}
    afters = {r.after for r in rules.values() if r.after is not None}
    unknown = sorted((set(columns) | set(values) | afters) - set(schema.columns))
    if unknown:
        raise MappingError(
            f"mapping {path}, {source}: {', '.join(unknown)} are not canonical columns of "
            f"{source} (see govwh/ingestion/schemas.py)"
        )
    encoding = str(section.get("encoding", document.get("encoding", "auto"))).lower()
    if encoding not in ENCODINGS:
        raise MappingError(f"mapping {path}: encoding must be one of {ENCODINGS}, not {encoding}")
    header_row = section.get("header_row", document.get("header_row"))
    delimiter = section.get("delimiter", document.get("delimiter"))
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    if delimiter not in (None, "auto", *DELIMITERS):
        raise MappingError(
            f"mapping {path}: delimiter must be auto, tab or one of {' '.join(DELIMITERS[::2])} "
            f"{DELIMITERS[3]}, not {delimiter!r}"
        )
    skew = section.get("clock_skew_seconds", document.get("clock_skew_seconds"))
    return SourceMapping(
        mapping_name=str(document.get("name", path.stem)),
        path=path,
        checksum=hashlib.sha256(text).hexdigest(),
        source=schema,
        columns=columns,
        values=values,
        encoding=encoding,
        timezone=str(section.get("timezone", document.get("timezone", DEFAULT_TIMEZONE))),
        sheet=section.get("sheet", document.get("sheet")),
        header_row=None if header_row in (None, "auto") else int(header_row),
        timestamp_formats=_check_formats(
            _as_tuple(section.get("timestamp_formats", document.get("timestamp_formats"))),
            f"mapping {path}",
        ),
        rules=rules,
        delimiter=None if delimiter in (None, "auto") else str(delimiter),
        clock_skew_seconds=DEFAULT_CLOCK_SKEW_SECONDS if skew is None else int(skew),
    )


def builtin_mappings(source: str) -> list[SourceMapping]:
    """The mappings shipped for govwh's own exports (English and Chinese headers)."""
    return [load_mapping(path, source) for path in sorted(MAPPINGS_DIR.glob("*.yaml"))]


def best_mapping(candidates: list[SourceMapping], headers: list[str]) -> SourceMapping:
    """The candidate finding the most canonical columns among `headers` (first on a tie)."""
    return max(candidates, key=lambda mapping: mapping.matches(headers))
