"""What a city's configuration still lacks, and what each gap costs in the marts.

A gap is not an error: the warehouse builds without it, and these lines say which figures
are missing or approximate until it is filled (printed by `govwh init` and `govwh city
check`, and attached to the Dagster asset)."""

from __future__ import annotations

import polars as pl

from govwh.city.files import DEPARTMENTS, HALLS, LABOUR_COSTS, REGIONS, SERVICE_LEVELS, TARGETS
from govwh.city.read import CityConfig


def configuration_gaps(config: CityConfig) -> list[str]:
    tables = config.tables
    gaps: list[str] = []
    if config.profile.issuing_office is None:
        gaps.append(
            "city.yml: no issuing_office: the weekly 通报's masthead names "
            f"'{config.profile.name}政务服务管理部门'"
        )
    unnamed_regions = tables[REGIONS.name].filter(pl.col("region_name").is_null())
    if unnamed_regions.height:
        gaps.append(
            f"{REGIONS.file_name}: {unnamed_regions.height} region(s) without a name "
            f"(shown by code): {_sample(unnamed_regions['region_code'])}"
        )
    if tables[REGIONS.name].filter(pl.col("admin_level") == "county").is_empty():
        gaps.append(
            f"{REGIONS.file_name}: no county: every case and item counts in the unknown "
            "county, and the district rankings are empty"
        )
    departments = tables[DEPARTMENTS.name]
    if departments.is_empty():
        gaps.append(
            f"{DEPARTMENTS.file_name}: no department: departments are named as the exports "
            "code them"
        )
    unnamed = departments.filter(pl.col("department_name").is_null())
    if unnamed.height:
        gaps.append(
            f"{DEPARTMENTS.file_name}: {unnamed.height} department(s) without a name: "
            f"{_sample(unnamed['department_code'])}"
        )
    halls = tables[HALLS.name]
    unstaffed = halls.filter(
        pl.any_horizontal(pl.col("windows_normal", "open_time", "close_time").is_null())
    )
    if unstaffed.height:
        gaps.append(
            f"{HALLS.file_name}: {unstaffed.height} hall(s) without windows or opening hours: "
            f"the staffing plan and window occupancy leave them out: "
            f"{_sample(unstaffed['hall_code'])}"
        )
    if tables[TARGETS.name].is_empty():
        gaps.append(f"{TARGETS.file_name}: no target: mart_target_progress is empty")
    if tables[LABOUR_COSTS.name].is_empty():
        gaps.append(
            f"{LABOUR_COSTS.file_name}: no cost assumption: mart_cost_per_transaction is empty"
        )
    if tables[SERVICE_LEVELS.name].is_empty():
        gaps.append(
            f"{SERVICE_LEVELS.file_name}: no service-level target: every hall uses the "
            "project default wait (dbt var hall_target_wait_minutes)"
        )
    return gaps


def _sample(values: pl.Series, shown: int = 5) -> str:
    listed = ", ".join(str(v) for v in values.head(shown).to_list())
    return listed + (f" … ({values.len()} in all)" if values.len() > shown else "")
