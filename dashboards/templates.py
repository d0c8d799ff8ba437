"""The placeholders our asset files may use: `[[ sqlalchemy_uri ]]`, `[[ ancestors ]]`, ...

Region scoping is written once here. Superset renders the `{{ ... }}` parts at query time:
`filter_values('region_name')` holds the region picked in the dashboard's region filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboards.uuids import asset_uuid

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
    """Rows of the picked region; the city's when no region is picked."""
    return (
        "{% if filter_values('region_name') %}"
        f"{region_column} in {{{{ filter_values('region_name') | where_in }}}}"
        "{% else %}"
        f"{level_column} = 'city'"
        "{% endif %}"
    )


def ancestors_clause(alias: str = "ancestors") -> str:
    return scope_clause(f"{alias}.region_name", f"{alias}.region_level")


def template_context(serving_path: Path) -> dict[str, Any]:
    return {
        "database_uuid": asset_uuid("database", "govwh"),
        "sqlalchemy_uri": f"duckdb:///{serving_path.resolve()}",
        "ancestors": ANCESTORS_CTE,
        "scope_clause": scope_clause,
        "ancestors_clause": ancestors_clause,
    }
