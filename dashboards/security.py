"""Roles and row-level security: leadership sees everything, a district role its district.

Created by the publisher from the region seed (seeds/regions.csv): one role and one RLS rule
(`county_code = '<code>'`) per county/district, on every dataset that has a county_code
column. All roles get Gamma's permissions plus access to the warehouse database only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards.api import SupersetApi
from dashboards.publish import PublishResult
from govwh.warehouse.connection import connect

LEADERSHIP_ROLE = "govwh_leadership"
DISTRICT_ROLE_PREFIX = "govwh_district_"
DATABASE_NAME = "govwh"
BASE_ROLE = "Gamma"


@dataclass(frozen=True)
class District:
    code: str
    name: str

    @property
    def role(self) -> str:
        return f"{DISTRICT_ROLE_PREFIX}{self.code}"


def districts_from_warehouse(warehouse: Path) -> list[District]:
    """The city's counties and districts (marts.dim_region), one role each."""
    with connect(warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select region_code, region_name from marts.dim_region"
            " where admin_level = 'county' and is_configured order by region_code"
        ).fetchall()
    return [District(code, name) for code, name in rows]


def _role_ids(api: SupersetApi) -> dict[str, int]:
    return {row["name"]: int(row["id"]) for row in api.list_all("security/roles", ["id", "name"])}


def ensure_role(api: SupersetApi, name: str, roles: dict[str, int]) -> int:
    if name not in roles:
        roles[name] = int(api.post("security/roles/", {"name": name})["id"])
    return roles[name]


def _viewer_permissions(api: SupersetApi, roles: dict[str, int]) -> list[int]:
    """Gamma's permission ids plus `database_access` on the warehouse database."""
    base = api.get(f"security/roles/{roles[BASE_ROLE]}/permissions/")["result"]
    ids = {int(row["id"]) for row in base}
    database = api.find_one("database", "database_name", DATABASE_NAME)
    if database is None:
        raise RuntimeError(f"database {DATABASE_NAME} is not in Superset: publish first")
    view_menu = f"[{DATABASE_NAME}].(id:{database['id']})"
    for row in api.list_all("security/permissions-resources"):
        if row["permission"]["name"] == "database_access" and row["view_menu"]["name"] == view_menu:
            ids.add(int(row["id"]))
    return sorted(ids)


def _ensure_rls(api: SupersetApi, name: str, payload: dict[str, Any]) -> None:
    existing = api.find_one("rowlevelsecurity", "name", name)
    if existing is None:
        api.post("rowlevelsecurity/", payload)
    else:
        api.put(f"rowlevelsecurity/{existing['id']}", payload)


def apply_security(
    api: SupersetApi, published: PublishResult, districts: list[District] | None = None
) -> list[District]:
    if districts is None:
        if published.serving_path is None:
            raise ValueError("districts are read from the serving copy the dashboards came from")
        districts = districts_from_warehouse(published.serving_path)
    roles = _role_ids(api)
    permissions = _viewer_permissions(api, roles)
    table_ids = sorted(published.dataset_ids[key] for key in published.county_datasets)
    for name in [LEADERSHIP_ROLE, *(district.role for district in districts)]:
        role_id = ensure_role(api, name, roles)
        api.post(f"security/roles/{role_id}/permissions", {"permission_view_menu_ids": permissions})
    for district in districts:
        _ensure_rls(
            api,
            district.role,
            {
                "name": district.role,
                "description": f"{district.name}: only its own rows",
                "filter_type": "Regular",
                "tables": table_ids,
                "roles": [roles[district.role]],
                "group_key": "county",
                "clause": f"county_code = '{district.code}'",
            },
        )
    return districts


def ensure_user(api: SupersetApi, username: str, password: str, role_names: list[str]) -> int:
    """Create or update a user with exactly these roles (tests, demo accounts)."""
    roles = _role_ids(api)
    payload = {
        "first_name": username,
        "last_name": "govwh",
        "username": username,
        "email": f"{username}@govwh.local",
        "active": True,
        "roles": [roles[name] for name in role_names],
        "password": password,
    }
    existing = api.find_one("security/users", "username", username)
    if existing is None:
        return int(api.post("security/users/", payload)["id"])
    api.put(f"security/users/{existing['id']}", payload)
    return int(existing["id"])
