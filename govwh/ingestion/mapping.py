"""Source mappings: a YAML file per source system that maps its export onto the canonical schema.

A mapping names, for each canonical column, the headers a system uses for it (Chinese or
English, several spellings allowed) and, per column, how its values translate into our
vocabularies (渠道, 状态, 好差评 words, depth codes, yes/no words). A new city or vendor is
onboarded with such a file, not with code; docs/ingestion.md shows how to write one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govwh.ingestion.schemas import SOURCES, SourceSchema

MAPPINGS_DIR = Path(__file__).with_name("mappings")
ENCODINGS = ("auto", "utf-8", "gb18030")
DEFAULT_TIMEZONE = "Asia/Shanghai"


class MappingError(ValueError):
    """A mapping file is malformed, or does not fit the file it is applied to."""


def normalise_header(header: str) -> str:
    """Headers compare without surrounding blanks, BOM, full-width spaces or case."""
    return header.replace("\ufeff", "").replace("\u3000", " ").strip().lower()


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

    @property
    def label(self) -> str:
        return f"{self.mapping_name} ({self.path})"

    def aliases(self, column: str) -> tuple[str, ...]:
        return (column, *self.columns.get(column, ()))

    def resolve(self, headers: list[str]) -> dict[str, str]:
        """Canonical column -> the file's header holding it (first alias present wins)."""
        present = {normalise_header(h): h for h in reversed(headers)}
        resolved: dict[str, str] = {}
        for column in self.source.columns:
            for alias in self.aliases(column):
                if normalise_header(alias) in present:
                    resolved[column] = present[normalise_header(alias)]
                    break
        return resolved

    def matches(self, headers: list[str]) -> int:
        """How many canonical columns this mapping finds among `headers` (auto-detection)."""
        return len(self.resolve(headers))

    def check_required(self, headers: list[str], file: Path) -> dict[str, str]:
        """The resolved columns; a MappingError naming every missing required column."""
        resolved = self.resolve(headers)
        missing = [c for c in self.source.required if c not in resolved]
        if missing:
            looked_for = "; ".join(f"{c}: {' / '.join(self.aliases(c))}" for c in missing)
            raise MappingError(
                f"{file.name}: required column(s) {', '.join(missing)} missing for "
                f"{self.source.name} with mapping {self.label} (looked for {looked_for}); "
                f"the file's columns are: {', '.join(headers) or 'none'}"
            )
        return resolved


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
    columns = {str(k): _as_tuple(v) for k, v in (section.get("columns") or {}).items()}
    values = {
        str(k): _value_map(v, f"{path}: sources.{source}.values.{k}")
        for k, v in (section.get("values") or {}).items()
    }
    unknown = sorted((set(columns) | set(values)) - set(schema.columns))
    if unknown:
        raise MappingError(
            f"mapping {path}, {source}: {', '.join(unknown)} are not canonical columns of "
            f"{source} (see govwh/ingestion/schemas.py)"
        )
    encoding = str(section.get("encoding", document.get("encoding", "auto"))).lower()
    if encoding not in ENCODINGS:
        raise MappingError(f"mapping {path}: encoding must be one of {ENCODINGS}, not {encoding}")
    header_row = section.get("header_row", document.get("header_row"))
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
        timestamp_formats=_as_tuple(
            section.get("timestamp_formats", document.get("timestamp_formats"))
        ),
    )


def builtin_mappings(source: str) -> list[SourceMapping]:
    """The mappings shipped for govwh's own exports (English and Chinese headers)."""
    return [load_mapping(path, source) for path in sorted(MAPPINGS_DIR.glob("*.yaml"))]


def best_mapping(candidates: list[SourceMapping], headers: list[str]) -> SourceMapping:
    """The candidate finding the most canonical columns among `headers` (first on a tie)."""
    return max(candidates, key=lambda mapping: mapping.matches(headers))
