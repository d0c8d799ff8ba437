"""The placeholders our asset files may use: `[[ sqlalchemy_uri ]]`, `[[ ancestors ]]`,
`[[ metric_ratio('online_case_share') ]]`, ...

Region scoping is written once here; a metric's formula is never written in a dataset: the
registry's (dim_metric in the serving copy) is summed, `SUM(numerator) / SUM(denominator)`.
Superset renders the `{{ ... }}` parts at query time: `filter_values('region_name')` holds
the region picked in the dashboard's region filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dashboards.uuids import asset_uuid
from govwh.settings import DBT_PROJECT_DIR
from govwh.warehouse.connection import connect

# Each district-level row belongs to two regions: its district and the city. Joining these
# pairs and keeping the picked region reads a district's rows once, or every row once.
ANCESTORS_CTE = """ancestors as (
    select county.region_code as county_code, ancestor.region_name as region_name,
           ancestor.admin_level as region_level
    from marts.dim_region as county
    join marts.dim_region as ancestor
      on ancestor.region_code in (county.region_code, county.city_code)
    where county.admin_level = 'county'
    union all
    select region_code, region_name, admin_level
    from marts.dim_region
    where admin_level = 'city'
)"""


def scope_clause(region_column: str, level_column: str) -> str:
    """Rows of the picked region; when none is picked, the widest scope the user may see: the
    city's rows, or a district user's own district rows.

    A district role's row-level security keeps its county_code only, which removes the city
    rows: without the second branch its charts would show "No results" until a region is
    applied (Superset does not apply a select filter's first-item default before the charts'
    first queries)."""
    return (
        "{% if filter_values('region_name') %}"
        f"{region_column} in {{{{ filter_values('region_name') | where_in }}}}"
        "{% elif current_user_rls_rules() %}"
        f"{level_column} = 'county'"
        "{% else %}"
        f"{level_column} = 'city'"
        "{% endif %}"
    )


def departments_or_scope_clause(region_column: str, level_column: str) -> str:
    """For datasets with city, county and department rows: the department rows when the
    department filter holds any (their city-wide figures), else scope_clause's region rows."""
    return (
        "{% if filter_values('department_name') %}"
        f"{level_column} = 'department'"
        "{% else %}"
        f"{level_column} in ('city', 'county') and {scope_clause(region_column, level_column)}"
        "{% endif %}"
    )


def ancestors_clause(alias: str = "ancestors") -> str:
    return scope_clause(f"{alias}.region_name", f"{alias}.region_level")


@dataclass(frozen=True)
class RegistryMetric:
    numerator_sql: str
    denominator_sql: str
    display_format: str


def metric_registry(serving_path: Path) -> dict[str, RegistryMetric]:
    """The metric registry: dim_metric of the serving copy; before any build (rendering the
    assets offline) the dbt project's own registry, which dim_metric is generated from."""
    if serving_path.exists():
        with connect(serving_path, read_only=True) as connection:
            rows = connection.execute(
                "select metric_code, numerator_sql, denominator_sql, display_format"
                " from marts.dim_metric"
            ).fetchall()
        return {code: RegistryMetric(num, den, fmt) for code, num, den, fmt in rows}
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {
        metric["metric_code"]: RegistryMetric(
            metric["numerator"], metric["denominator"], metric["display_format"]
        )
        for metric in project["vars"]["metric_registry"]
    }


def metric_ratio_of(registry: dict[str, RegistryMetric]) -> Callable[[str], str]:
    def metric_ratio(metric_code: str) -> str:
        """A Superset metric expression: the registry's parts summed over the rows shown."""
        if metric_code not in registry:
            raise KeyError(f"metric {metric_code} is not in the metric registry (dim_metric)")
        metric = registry[metric_code]
        return (
            f"SUM(CAST({metric.numerator_sql} AS DOUBLE))"
            f" / NULLIF(SUM({metric.denominator_sql}), 0)"
        )

    return metric_ratio


def template_context(serving_path: Path) -> dict[str, Any]:
    registry = metric_registry(serving_path)
    return {
        "metric_ratio": metric_ratio_of(registry),
        "metric_format": lambda code: registry[code].display_format,
        "database_uuid": asset_uuid("database", "govwh"),
        "sqlalchemy_uri": f"duckdb:///{serving_path.resolve()}",
        "ancestors": ANCESTORS_CTE,
        "scope_clause": scope_clause,
        "departments_or_scope_clause": departments_or_scope_clause,
        "ancestors_clause": ancestors_clause,
    }
