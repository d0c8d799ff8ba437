"""What a city's configuration folder holds: `city.yml` and one CSV per reference table.

A city is configuration, not code (docs/city-configuration.md): the same models serve every
city, and what differs — its regions, departments, halls with their hours and windows,
targets, labour costs and service-level targets — is read from the folder that
`GOVWH_CITY_DIR` names. The demo city (seeds/cities/demo) is one such folder.

Each table is loaded into the warehouse's `city` schema under the file's stem; the dbt
sources of schema `city` (models/staging/_sources.yml) read them.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN_LEVELS = ("city", "county", "township", "village")
CHANNEL_GROUPS = ("online", "self_service", "hall", "other")
WILDCARD = "*"  # "every region / department / hall / business type" in a rule table


@dataclass(frozen=True)
class CityTable:
    """One CSV of a city folder: its columns (name → SQL type) in order, the columns that may
    not be blank, the key, and whether the folder may leave the file out (an empty table)."""

    name: str
    columns: dict[str, str]
    required: tuple[str, ...]
    key: tuple[str, ...]
    description: str
    optional_file: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def table(self) -> str:
        return f"city.{self.name}"


REGIONS = CityTable(
    name="regions",
    columns={
        "region_code": "varchar",
        "region_name": "varchar",
        "admin_level": "varchar",
        "parent_region_code": "varchar",
    },
    required=("region_code", "admin_level"),
    key=("region_code",),
    description="行政区划: exactly one city row, then counties, townships and villages, each "
    "with its parent. A blank name is shown as the code.",
)
DEPARTMENTS = CityTable(
    name="departments",
    columns={
        "department_code": "varchar",
        "department_name": "varchar",
        "department_name_en": "varchar",
    },
    required=("department_code",),
    key=("department_code",),
    description="部门 that decide service items, as the exports code them.",
)
HALLS = CityTable(
    name="halls",
    columns={
        "hall_code": "varchar",
        "hall_name": "varchar",
        "region_code": "varchar",
        "hall_level": "varchar",
        "windows_normal": "integer",
        "windows_lunch": "integer",
        # HH:MM text: Spark has no time-of-day type, and forecasting parses the text
        "open_time": "varchar",
        "close_time": "varchar",
        "lunch_start": "varchar",
        "lunch_end": "varchar",
    },
    required=("hall_code",),
    key=("hall_code",),
    description="政务服务中心 with their windows and opening hours (HH:MM). A hall without "
    "hours or windows is counted but not staffed by the planning forecasts.",
)
TARGETS = CityTable(
    name="targets",
    columns={
        "metric_code": "varchar",
        "admin_level": "varchar",
        "region_code": "varchar",
        "target_value": "double",
        "due_date": "date",
        "basis": "varchar",
    },
    required=("metric_code", "admin_level", "region_code", "target_value", "due_date"),
    key=("metric_code", "admin_level", "region_code", "due_date"),
    description='Reform targets: a metric of the registry, the admin level, a region or "*", '
    "the value (a rate 0–1), the due date and the policy basis.",
    optional_file=True,
)
LABOUR_COSTS = CityTable(
    name="labour_costs",
    columns={
        "department_code": "varchar",
        "channel_group": "varchar",
        "staff_cost_per_hour_cny": "double",
        "overhead_uplift": "double",
        "back_office_minutes_per_case": "double",
        "front_office_minutes_per_case": "double",
        "basis": "varchar",
    },
    required=(
        "department_code",
        "channel_group",
        "staff_cost_per_hour_cny",
        "overhead_uplift",
        "back_office_minutes_per_case",
        "front_office_minutes_per_case",
    ),
    key=("department_code", "channel_group"),
    description='Cost assumptions per channel group and department ("*" = every department). '
    "Without them the cost-per-transaction mart is empty.",
    optional_file=True,
)
SERVICE_LEVELS = CityTable(
    name="service_levels",
    columns={
        "hall_code": "varchar",
        "business_type": "varchar",
        "target_wait_minutes": "integer",
        "basis": "varchar",
    },
    required=("hall_code", "business_type", "target_wait_minutes"),
    key=("hall_code", "business_type"),
    description="The wait within which a ticket meets the service level, per hall and business "
    'type ("*" = every one); the most specific row applies. Without a matching row the '
    "project default (dbt var hall_target_wait_minutes) applies.",
    optional_file=True,
)

CITY_TABLES: tuple[CityTable, ...] = (
    REGIONS,
    DEPARTMENTS,
    HALLS,
    TARGETS,
    LABOUR_COSTS,
    SERVICE_LEVELS,
)
# columns holding a time of day, written HH:MM
TIME_OF_DAY_COLUMNS = ("open_time", "close_time", "lunch_start", "lunch_end")
PROFILE_FILE = "city.yml"
PROFILE_TABLE = "city.city_profile"
