"""The saved query context of a chart, derived from its form data (params).

Superset's frontend stores one whenever a chart is saved; charts imported from a bundle need
it for `GET /api/v1/chart/{id}/data` (reports, tests, the API). This builds the one query each
of our chart types asks for; the datasource id is rewritten by Superset on import.
"""

from __future__ import annotations

import json
from typing import Any

TIME_SERIES = {"echarts_timeseries_line", "echarts_timeseries_bar", "echarts_area", "big_number"}
DEFAULT_ROW_LIMIT = 10000


def _filters(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    simple: list[dict[str, Any]] = []
    where: list[str] = []
    for adhoc in params.get("adhoc_filters", []):
        if adhoc.get("expressionType") == "SQL":
            where.append(f"({adhoc['sqlExpression']})")
        else:
            simple.append(
                {"col": adhoc["subject"], "op": adhoc["operator"], "val": adhoc["comparator"]}
            )
    return simple, " AND ".join(where)


def _metrics(params: dict[str, Any]) -> list[Any]:
    metrics = list(params.get("metrics") or [])
    for single in ("metric", "secondary_metric", "size"):
        if params.get(single):
            metrics.append(params[single])
    return metrics


def _columns(viz_type: str, params: dict[str, Any]) -> list[Any]:
    columns: list[Any] = []
    x_axis = params.get("x_axis")
    if x_axis and viz_type in TIME_SERIES:
        columns.append(
            {
                "timeGrain": params.get("time_grain_sqla"),
                "columnType": "BASE_AXIS",
                "sqlExpression": x_axis,
                "label": x_axis,
                "expressionType": "SQL",
            }
        )
    elif x_axis:
        columns.append(x_axis)
    groupby = params.get("groupby") or []
    columns.extend([groupby] if isinstance(groupby, str) else groupby)
    return columns


def build_query_context(viz_type: str, params: dict[str, Any]) -> dict[str, Any]:
    """One query of the chart, as the frontend would send it (without post-processing)."""
    filters, where = _filters(params)
    query: dict[str, Any] = {
        "filters": filters,
        "extras": {"having": "", "where": where},
        "applied_time_extras": {},
        "annotation_layers": [],
        "row_limit": params.get("row_limit") or DEFAULT_ROW_LIMIT,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if viz_type in ("table", "handlebars") and params.get("query_mode") == "raw":
        query["columns"] = list(params.get("all_columns") or [])
        query["metrics"] = None  # raw records: no GROUP BY
        query["orderby"] = [json.loads(pair) for pair in params.get("order_by_cols", [])]
    else:
        query["columns"] = _columns(viz_type, params)
        query["metrics"] = _metrics(params)
        if params.get("timeseries_limit_metric"):
            query["orderby"] = [
                [params["timeseries_limit_metric"], not params.get("order_desc", True)]
            ]
        elif query["metrics"] and viz_type not in TIME_SERIES:
            query["orderby"] = [[query["metrics"][0], False]]
    return {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
