"""`govwh init`: a new city's configuration folder, drafted from the exports already loaded.

What the exports tell is written (the region and department codes they use, the departments'
names as the catalogue gives them, the halls of the queue tickets, the years the data
covers); what they cannot tell is left blank and listed as a gap (region names, halls'
windows and hours, labour costs). Nothing of the demo city is copied: the only rows not taken
from the exports are the national reform targets (the State Council's, for every city) and
the default hall service level, both marked as such in their `basis` column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import yaml

from govwh.city.files import (
    CITY_TABLES,
    DEPARTMENTS,
    HALLS,
    LABOUR_COSTS,
    PROFILE_FILE,
    REGIONS,
    SERVICE_LEVELS,
    TARGETS,
)

# The national targets of the reform documents (../shared/domain.md, basis column): every city
# is held to them until it sets its own.
NATIONAL_TARGETS = Path(__file__).with_name("national_targets.csv")
DEFAULT_TARGET_WAIT_MINUTES = 15


class ScaffoldError(ValueError):
    """The folder cannot be drafted (it exists, or the city's code cannot be told)."""


@dataclass(frozen=True)
class Observed:
    """What the loaded exports say about the city."""

    region_codes: pl.DataFrame  # region_code, admin_level (as the catalogue gives it, or null)
    departments: pl.DataFrame  # department_code, department_name (null where none is given)
    hall_codes: list[str]
    years: tuple[int, int] | None

    @classmethod
    def nothing(cls) -> Observed:
        """No exports loaded yet: a folder of blanks to fill by hand."""
        return cls(
            pl.DataFrame(schema={"region_code": pl.String(), "admin_level": pl.String()}),
            pl.DataFrame(schema={"department_code": pl.String(), "department_name": pl.String()}),
            [],
            None,
        )


def observe(connection: duckdb.DuckDBPyConnection) -> Observed:
    """The codes and period of the raw tables present (a source not loaded adds nothing)."""
    tables = {
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }

    def frame(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        rows = connection.execute(sql).fetchall()
        return pl.DataFrame(rows, schema=schema, orient="row")

    string = pl.String()
    region_parts, department_parts, hall_parts, year_parts = [], [], [], []
    if "service_items" in tables:
        region_parts.append("select region_code, admin_level from raw.service_items")
        department_parts.append("select department_code, department_name from raw.service_items")
        year_parts.append("select year(snapshot_date) as y from raw.service_items")
    if "case_logs" in tables:
        region_parts.append("select region_code, null as admin_level from raw.case_logs")
        department_parts.append(
            "select department_code, null as department_name from raw.case_logs"
        )
        hall_parts.append("select hall_code from raw.case_logs")
        year_parts.append("select year(submitted_at) as y from raw.case_logs")
    if "hall_tickets" in tables:
        department_parts.append(
            "select department_code, null as department_name from raw.hall_tickets"
        )
        hall_parts.append("select hall_code from raw.hall_tickets")
        year_parts.append("select year(ticket_taken_at) as y from raw.hall_tickets")
    if "consultations" in tables:
        region_parts.append("select region_code, null as admin_level from raw.consultations")
        department_parts.append(
            "select department_code, null as department_name from raw.consultations"
        )
        year_parts.append("select year(received_at) as y from raw.consultations")
    if "hotline_calls" in tables:
        year_parts.append("select year(offered_at) as y from raw.hotline_calls")
    if "service_guides" in tables:
        region_parts.append("select region_code, null as admin_level from raw.service_guides")
        department_parts.append("select department_code, department_name from raw.service_guides")
        year_parts.append("select year(published_date) as y from raw.service_guides")

    regions = pl.DataFrame(schema={"region_code": string, "admin_level": string})
    if region_parts:
        regions = frame(
            "select region_code, max(admin_level) from ("
            + " union all ".join(region_parts)
            + ") where region_code is not null group by region_code order by region_code",
            {"region_code": string, "admin_level": string},
        )
    departments = pl.DataFrame(schema={"department_code": string, "department_name": string})
    if department_parts:
        departments = frame(
            "select department_code, mode(department_name) from ("
            + " union all ".join(department_parts)
            + ") where department_code is not null group by department_code "
            "order by department_code",
            {"department_code": string, "department_name": string},
        )
    halls: list[str] = []
    if hall_parts:
        halls = [
            code
            for (code,) in connection.execute(
                "select distinct hall_code from ("
                + " union all ".join(hall_parts)
                + ") where hall_code is not null order by hall_code"
            ).fetchall()
        ]
    years = None
    if year_parts:
        first, last = connection.execute(
            "select min(y), max(y) from (" + " union all ".join(year_parts) + ")"
        ).fetchall()[0]
        years = (first, last) if first is not None else None
    return Observed(regions, departments, halls, years)


def _is_gb_code(code: str, digits: int) -> bool:
    return len(code) == digits and code.isdigit()


def draft_regions(observed: pl.DataFrame, city_code: str | None) -> pl.DataFrame:
    """The region hierarchy the codes imply. GB/T 2260 codes carry their parents: a 6-digit
    code ending in 00 is a prefecture-level city, any other 6-digit code a county of the city
    of its first four digits; a 9-digit code is a township of the county of its first six.
    Other codes become counties of the city, as the exports cannot say more."""
    codes = [c for c in observed["region_code"].to_list() if c]
    if city_code is None:
        prefectures = [c[:4] + "00" for c in codes if _is_gb_code(c, 6) or _is_gb_code(c, 9)]
        if not prefectures:
            raise ScaffoldError(
                "the exports carry no GB/T 2260 region code to tell the city by: "
                "give its code with --region-code"
            )
        city_code = max(set(prefectures), key=prefectures.count)
    rows: dict[str, tuple[str, str | None]] = {city_code: ("city", None)}
    for code in codes:
        if code == city_code:
            continue
        if _is_gb_code(code, 9):
            county = code[:6]
            rows[code] = ("township", county)
            rows.setdefault(county, ("county", city_code))
        elif _is_gb_code(code, 6) and not code.endswith("00"):
            rows[code] = ("county", city_code)
        else:
            rows.setdefault(code, ("county", city_code))
    return pl.DataFrame(
        [(code, None, level, parent) for code, (level, parent) in sorted(rows.items())],
        schema=list(REGIONS.columns),
        orient="row",
    ).sort(
        pl.col("admin_level").replace_strict({"city": 0, "county": 1, "township": 2}), "region_code"
    )


def scaffold_city(
    folder: Path,
    observed: Observed,
    *,
    name: str,
    name_en: str | None = None,
    region_code: str | None = None,
) -> list[Path]:
    """Write the draft folder; return the files written. Refuses a folder that has files."""
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(f"{folder} is not empty: init writes a new city folder")
    regions = draft_regions(observed.region_codes, region_code)
    city_code = regions.filter(pl.col("admin_level") == "city")["region_code"].item()
    departments = observed.departments.with_columns(department_name_en=pl.lit(None, pl.String))
    halls = pl.DataFrame(
        {"hall_code": observed.hall_codes}, schema={"hall_code": pl.String()}
    ).with_columns(*(pl.lit(None, pl.String).alias(column) for column in list(HALLS.columns)[1:]))
    targets = pl.read_csv(NATIONAL_TARGETS, infer_schema=False)
    service_levels = pl.DataFrame(
        [("*", "*", DEFAULT_TARGET_WAIT_MINUTES, "default: review per hall and business type")],
        schema=list(SERVICE_LEVELS.columns),
        orient="row",
    )
    labour_costs = pl.DataFrame(schema=dict.fromkeys(LABOUR_COSTS.columns, pl.String()))
    frames = {
        REGIONS.name: regions,
        DEPARTMENTS.name: departments,
        HALLS.name: halls,
        TARGETS.name: targets,
        LABOUR_COSTS.name: labour_costs,
        SERVICE_LEVELS.name: service_levels,
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    profile: dict[str, object] = {"name": name}
    if name_en:
        profile["name_en"] = name_en
    profile["region_code"] = city_code
    first, last = observed.years or (dt.date.today().year, dt.date.today().year)
    profile["calendar"] = {"first_year": first, "last_year": last}
    path = folder / PROFILE_FILE
    path.write_text(
        "# Drafted by `govwh init` from the exports loaded; see docs/city-configuration.md.\n"
        + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    written.append(path)
    for table in CITY_TABLES:
        path = folder / table.file_name
        frames[table.name].select(list(table.columns)).write_csv(path)
        written.append(path)
    return written
