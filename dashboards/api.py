"""Our thin layer over superset-client: login, bundle import, lookups by uuid, security.

superset-client's `assets.import_file` opens the bundle by its bare file name (relative to the
working directory) and never closes it, so the import is posted here through its
authenticated session; endpoints it lacks (roles, users, row-level security, chart data by
id) go through the same session.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlparse

from supersetapiclient.client import SupersetClient

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SupersetApiError(RuntimeError):
    """Superset answered with an error status."""


def _check(response: Any, what: str) -> Any:
    if response.status_code >= 400:
        raise SupersetApiError(f"{what}: HTTP {response.status_code}: {response.text[:2000]}")
    return response.json() if response.content else {}


def _rison_eq(column: str, value: str) -> str:
    escaped = value.replace("!", "!!").replace("'", "!'")
    return f"(filters:!((col:{column},opr:eq,value:'{escaped}')),page_size:100)"


class SupersetApi:
    """One logged-in user of one Superset."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url.rstrip("/")
        if urlparse(self.url).hostname in LOOPBACK_HOSTS:
            # superset-client's OAuth2 session refuses plain HTTP; ours never leaves the machine.
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        self._client = SupersetClient(host=self.url, username=username, password=password)

    @property
    def session(self) -> Any:
        return self._client.session

    def _endpoint(self, path: str) -> str:
        return f"{self.url}/api/v1/{path.lstrip('/')}"

    def get(self, path: str, **params: Any) -> Any:
        return _check(self.session.get(self._endpoint(path), params=params), f"GET {path}")

    def post(self, path: str, payload: dict[str, Any]) -> Any:
        return _check(self.session.post(self._endpoint(path), json=payload), f"POST {path}")

    def put(self, path: str, payload: dict[str, Any]) -> Any:
        return _check(self.session.put(self._endpoint(path), json=payload), f"PUT {path}")

    def delete(self, path: str) -> Any:
        return _check(self.session.delete(self._endpoint(path)), f"DELETE {path}")

    # assets -------------------------------------------------------------------------------

    def import_bundle(self, zip_bytes: bytes) -> None:
        """POST /api/v1/assets/import/: overwrites every asset with the same uuid."""
        response = self.session.post(
            self._endpoint("assets/import/"),
            files={"bundle": ("govwh_assets.zip", zip_bytes, "application/zip")},
            data={"passwords": json.dumps({})},
        )
        _check(response, "import bundle")

    def list_all(self, resource: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 0
        selected = f"columns:!({','.join(columns)})," if columns else ""
        while True:
            query = f"({selected}page:{page},page_size:100)"
            result = self.get(f"{resource}/", q=query)
            rows.extend(result["result"])
            if len(rows) >= result["count"] or not result["result"]:
                return rows
            page += 1

    def ids_by_uuid(self, resource: str) -> dict[str, int]:
        return {str(row["uuid"]): int(row["id"]) for row in self.list_all(resource, ["id", "uuid"])}

    def chart_data(self, chart_id: int, force: bool = True) -> dict[str, Any]:
        """The saved query of a chart, run now: GET /api/v1/chart/{id}/data/."""
        params = {"force": "true"} if force else {}
        return self.get(f"chart/{chart_id}/data/", **params)

    def drill_detail(
        self, dataset_id: int, filters: list[dict[str, Any]], row_limit: int = 1000
    ) -> dict[str, Any]:
        """The rows drill to detail shows for these filters: the chart-data query of result
        type drill_detail, which selects every registered column of the dataset (what the
        dashboard's 查看明细 reads through /datasource/samples, a cookie-session endpoint)."""
        result = self.post(
            "chart/data",
            {
                "datasource": {"id": dataset_id, "type": "table"},
                "queries": [{"filters": filters, "columns": [], "row_limit": row_limit}],
                "result_format": "json",
                "result_type": "drill_detail",
                "force": True,
            },
        )
        return result["result"][0]

    def find_one(self, resource: str, column: str, value: str) -> dict[str, Any] | None:
        result = self.get(f"{resource}/", q=_rison_eq(column, value))["result"]
        return result[0] if result else None
