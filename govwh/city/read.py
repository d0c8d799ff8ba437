"""Read and check a city folder: every problem named by file, row and column, all at once.

Nothing is loaded from a folder with a problem: a city's reference data decides where every
case is counted, so half a configuration would be worse than the last good one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from govwh.city.files import (
    ADMIN_LEVELS,
    CHANNEL_GROUPS,
    CITY_TABLES,
    DEPARTMENTS,
    HALLS,
    LABOUR_COSTS,
    PROFILE_FILE,
    REGIONS,
    SERVICE_LEVELS,
    TARGETS,
    TIME_OF_DAY_COLUMNS,
    WILDCARD,
    CityTable,
)

_POLARS_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "integer": pl.Int32(),
    "double": pl.Float64(),
    "date": pl.Date(),
}
_TIME_OF_DAY = r"^([01]?\d|2[0-3]):[0-5]\d$"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # the line of the file (the header is line 1); None: the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class CityConfigError(ValueError):
    """The folder cannot be loaded; `problems` names each one."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        self.folder = folder
        self.problems = problems
        listed = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"city configuration {folder} has {len(problems)} problem(s):\n{listed}")


@dataclass(frozen=True)
class CityProfile:
    name: str
    name_en: str | None
    region_code: str
    calendar_first_year: int | None
    calendar_last_year: int | None
    issuing_office: str | None = None  # who issues the weekly 通报 (its header)


@dataclass(frozen=True)
class CityConfig:
    folder: Path
    profile: CityProfile
    tables: dict[str, pl.DataFrame]  # table name → typed frame, columns as CityTable.columns
    checksum: str  # of city.yml and every CSV: a change means the marts are rebuilt whole


def read_city(folder: Path, calendar_years: set[int] | None = None) -> CityConfig:
    """The typed tables and profile of `folder`, or CityConfigError listing every problem.

    `calendar_years`: the years the working-day calendar covers; the profile's calendar
    range must lie within them."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CityConfigError(folder, [Problem(str(folder), None, None, "no such folder")])
    problems: list[Problem] = []
    profile = _read_profile(folder / PROFILE_FILE, problems, calendar_years)
    tables = {table.name: _read_table(folder, table, problems) for table in CITY_TABLES}
    if not problems:
        _check_references(tables, profile, problems)
    if problems or profile is None:
        raise CityConfigError(folder, problems)
    return CityConfig(folder=folder, profile=profile, tables=tables, checksum=_checksum(folder))


def _checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in (PROFILE_FILE, *(table.file_name for table in CITY_TABLES)):
        path = folder / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()


def _read_profile(
    path: Path, problems: list[Problem], calendar_years: set[int] | None
) -> CityProfile | None:
    if not path.exists():
        problems.append(Problem(path.name, None, None, "missing (the city's name and code)"))
        return None
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        problems.append(Problem(path.name, None, None, f"not valid YAML: {error}"))
        return None
    if not isinstance(document, dict):
        problems.append(Problem(path.name, None, None, "must be a mapping of keys to values"))
        return None
    known = {"name", "name_en", "region_code", "calendar", "issuing_office"}
    for key in sorted(set(document) - known):
        problems.append(Problem(path.name, None, key, f"unknown key (known: {sorted(known)})"))
    for key in ("name", "region_code"):
        if not str(document.get(key) or "").strip():
            problems.append(Problem(path.name, None, key, "required"))
    calendar = document.get("calendar") or {}
    years: list[int | None] = []
    for key in ("first_year", "last_year"):
        value = calendar.get(key) if isinstance(calendar, dict) else None
        if value is not None and not isinstance(value, int):
            problems.append(Problem(path.name, None, f"calendar.{key}", "must be a year"))
            value = None
        years.append(value)
    first, last = years
    if first is not None and last is not None:
        if first > last:
            problems.append(Problem(path.name, None, "calendar", f"{first} is after {last}"))
        elif calendar_years is not None:
            missing = sorted(set(range(first, last + 1)) - calendar_years)
            if missing:
                problems.append(
                    Problem(
                        path.name,
                        None,
                        "calendar",
                        f"the working-day calendar lacks {missing[0]}–{missing[-1]}: run "
                        f"`govwh calendar --first-year {first} --last-year {last}` or load "
                        "the city's official calendar",
                    )
                )
    if any(p.file == path.name for p in problems):
        return None
    return CityProfile(
        name=str(document["name"]).strip(),
        name_en=(str(document["name_en"]).strip() or None) if document.get("name_en") else None,
        region_code=str(document["region_code"]).strip(),
        calendar_first_year=first,
        calendar_last_year=last,
        issuing_office=str(document.get("issuing_office") or "").strip() or None,
    )


def _empty(table: CityTable) -> pl.DataFrame:
    columns = {c: _POLARS_TYPES[t] for c, t in table.columns.items()}
    return pl.DataFrame(schema={"line": pl.UInt32(), **columns})


def _read_table(folder: Path, table: CityTable, problems: list[Problem]) -> pl.DataFrame:
    path = folder / table.file_name
    if not path.exists():
        if not table.optional_file:
            problems.append(Problem(table.file_name, None, None, f"missing: {table.description}"))
        return _empty(table)
    try:
        text = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as error:
        problems.append(Problem(table.file_name, None, None, f"not a UTF-8 CSV file: {error}"))
        return _empty(table)
    header_problems = [
        Problem(table.file_name, 1, column, "missing column")
        for column in table.columns
        if column not in text.columns
    ] + [
        Problem(table.file_name, 1, column, f"unknown column (expected {list(table.columns)})")
        for column in text.columns
        if column not in table.columns
    ]
    if header_problems:
        problems.extend(header_problems)
        return _empty(table)
    text = text.select(
        pl.col(column).str.strip_chars().replace("", None) for column in table.columns
    ).with_row_index("line", offset=2)
    typed = text.select(
        "line",
        *(
            pl.col(column).cast(_POLARS_TYPES[kind], strict=False)
            if kind != "date"
            else pl.col(column).str.to_date("%Y-%m-%d", strict=False)
            for column, kind in table.columns.items()
        ),
    )
    for column, kind in table.columns.items():
        blank = text.filter(pl.col(column).is_null())["line"]
        if column in table.required:
            problems.extend(Problem(table.file_name, line, column, "blank") for line in blank)
        unreadable = text.filter(pl.col(column).is_not_null() & typed[column].is_null())
        expected = {"integer": "a whole number", "double": "a number", "date": "a date YYYY-MM-DD"}
        problems.extend(
            Problem(table.file_name, line, column, f"{value!r} is not {expected.get(kind, kind)}")
            for line, value in unreadable.select("line", column).iter_rows()
        )
        if column in TIME_OF_DAY_COLUMNS:
            bad = text.filter(
                pl.col(column).is_not_null() & ~pl.col(column).str.contains(_TIME_OF_DAY)
            )
            problems.extend(
                Problem(table.file_name, line, column, f"{value!r} is not a time HH:MM")
                for line, value in bad.select("line", column).iter_rows()
            )
    duplicated = text.filter(pl.struct(table.key).is_duplicated())
    problems.extend(
        Problem(table.file_name, line, ", ".join(table.key), "duplicate key")
        for line in duplicated["line"]
    )
    return typed


def _check_references(
    tables: dict[str, pl.DataFrame], profile: CityProfile | None, problems: list[Problem]
) -> None:
    """The rows agree with each other: one city, parents and halls in known regions, rule
    tables over known levels, channel groups, departments and halls."""
    regions = tables[REGIONS.name]
    cities = regions.filter(pl.col("admin_level") == "city")
    if cities.height != 1:
        message = f"needs exactly one city row, has {cities.height}"
        problems.append(Problem(REGIONS.file_name, None, "admin_level", message))
    elif profile is not None and cities["region_code"].item() != profile.region_code:
        message = (
            f"{profile.region_code!r} is not the city row of regions.csv "
            f"({cities['region_code'].item()!r})"
        )
        problems.append(Problem(PROFILE_FILE, None, "region_code", message))
    for table, column, broken, message in _row_rules(tables):
        rows = tables[table.name].filter(broken).select("line", column).iter_rows()
        problems.extend(
            Problem(table.file_name, line, column, message.format(value=value))
            for line, value in rows
        )


def _row_rules(tables: dict[str, pl.DataFrame]) -> list[tuple[CityTable, str, pl.Expr, str]]:
    """(table, column, condition of a broken row, message): the checks of one row against
    the other files."""
    regions = tables[REGIONS.name]["region_code"].to_list()
    departments = tables[DEPARTMENTS.name]["department_code"].to_list()
    halls = tables[HALLS.name]["hall_code"].to_list()
    not_region = "{value!r} is not a region of regions.csv"

    def not_one_of(values: tuple[str, ...]) -> str:
        return f"{{value!r}} is not one of {list(values)}"

    def neither_wildcard_nor(column: str, known: list[str]) -> pl.Expr:
        return (pl.col(column) != WILDCARD) & ~pl.col(column).is_in(known)

    is_city = pl.col("admin_level") == "city"
    parent = pl.col("parent_region_code")
    return [
        (
            REGIONS,
            "admin_level",
            ~pl.col("admin_level").is_in(ADMIN_LEVELS),
            not_one_of(ADMIN_LEVELS),
        ),
        (
            REGIONS,
            "parent_region_code",
            is_city & parent.is_not_null(),
            "the city has no parent (found {value!r})",
        ),
        (
            REGIONS,
            "parent_region_code",
            ~is_city & (parent.is_null() | ~parent.is_in(regions)),
            not_region,
        ),
        (
            HALLS,
            "region_code",
            pl.col("region_code").is_not_null() & ~pl.col("region_code").is_in(regions),
            not_region,
        ),
        (
            TARGETS,
            "admin_level",
            ~pl.col("admin_level").is_in(ADMIN_LEVELS),
            not_one_of(ADMIN_LEVELS),
        ),
        (
            TARGETS,
            "region_code",
            neither_wildcard_nor("region_code", regions),
            '{value!r} is neither "*" nor a region of regions.csv',
        ),
        (
            TARGETS,
            "target_value",
            ~pl.col("target_value").is_between(0, 1),
            "{value} is not a rate between 0 and 1",
        ),
        (
            LABOUR_COSTS,
            "channel_group",
            ~pl.col("channel_group").is_in(CHANNEL_GROUPS),
            not_one_of(CHANNEL_GROUPS),
        ),
        (
            LABOUR_COSTS,
            "department_code",
            neither_wildcard_nor("department_code", departments),
            '{value!r} is neither "*" nor a department of departments.csv',
        ),
        (
            SERVICE_LEVELS,
            "hall_code",
            neither_wildcard_nor("hall_code", halls),
            '{value!r} is neither "*" nor a hall of halls.csv',
        ),
        (
            SERVICE_LEVELS,
            "target_wait_minutes",
            pl.col("target_wait_minutes") <= 0,
            "{value} minutes: a target wait must be positive",
        ),
    ]


def calendar_years(calendar_csv: Path) -> set[int]:
    """The years the working-day calendar seed covers (every day of the year present)."""
    days = pl.read_csv(calendar_csv, columns=["calendar_date"], try_parse_dates=True)
    per_year = days.group_by(year=pl.col("calendar_date").dt.year()).agg(
        days=pl.len(), leap=pl.col("calendar_date").dt.is_leap_year().first()
    )
    full = per_year.filter(pl.col("days") == pl.when("leap").then(366).otherwise(365))
    return set(full["year"].to_list())
