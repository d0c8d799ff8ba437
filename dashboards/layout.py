"""A dashboard's position JSON and native filters, from the compact form of our YAML.

header: {zh: 领导驾驶舱, en: Leadership cockpit}
rows:
  - [chart_a, chart_b]                        # equal widths on the 12-column grid
  - [{chart: chart_c, width: 8, height: 60}, chart_d]
filters: {region_excluded: [chart_x]}         # charts the region filter leaves alone
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GRID_COLUMNS = 12
DEFAULT_HEIGHT = 50
HEADER_HEIGHT = 14


@dataclass(frozen=True)
class PlacedChart:
    key: str
    uuid: str
    slice_name: str
    local_id: int


def _cells(row: list[Any]) -> list[dict[str, Any]]:
    cells = [cell if isinstance(cell, dict) else {"chart": cell} for cell in row]
    free = [cell for cell in cells if "width" not in cell]
    taken = sum(int(cell["width"]) for cell in cells if "width" in cell)
    for index, cell in enumerate(free):
        share, rest = divmod(GRID_COLUMNS - taken, len(free))
        cell["width"] = share + (1 if index < rest else 0)
    return cells


def build_position(
    header: Mapping[str, str], rows: list[list[Any]], charts: Mapping[str, PlacedChart]
) -> dict[str, Any]:
    """Superset's v2 layout: a markdown header row (Chinese title, English subtitle), then rows.

    Cells naming charts not in `charts` (skipped datasets) are left out.
    """
    title = header["zh"]
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": title}},
    }
    grid = position["GRID_ID"]["children"]

    def add_row(index: int) -> str:
        row_id = f"ROW-{index}"
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        grid.append(row_id)
        return row_id

    header_row = add_row(0)
    position["MARKDOWN-header"] = {
        "type": "MARKDOWN",
        "id": "MARKDOWN-header",
        "children": [],
        "parents": ["ROOT_ID", "GRID_ID", header_row],
        "meta": {
            "code": f"## {title}\n{header['en']}",
            "height": HEADER_HEIGHT,
            "width": GRID_COLUMNS,
        },
    }
    position[header_row]["children"].append("MARKDOWN-header")
    for index, row in enumerate(rows, start=1):
        cells = [cell for cell in _cells(row) if cell["chart"] in charts]
        if not cells:
            continue
        row_id = add_row(index)
        for cell in cells:
            chart = charts[cell["chart"]]
            chart_id = f"CHART-{chart.key}"
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": chart.local_id,
                    "uuid": chart.uuid,
                    "sliceName": chart.slice_name,
                    "width": int(cell["width"]),
                    "height": int(cell.get("height", DEFAULT_HEIGHT)),
                },
            }
            position[row_id]["children"].append(chart_id)
    return position


def _filter(
    filter_id: str,
    name: str,
    filter_type: str,
    targets: list[dict[str, Any]],
    control_values: dict[str, Any],
    excluded: list[int],
    description: str,
) -> dict[str, Any]:
    return {
        "id": filter_id,
        "name": name,
        "filterType": filter_type,
        "type": "NATIVE_FILTER",
        "targets": targets,
        "controlValues": control_values,
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
        "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
        "description": description,
    }


def build_native_filters(
    region_dataset_uuid: str,
    department_dataset_uuid: str,
    excluded: Mapping[str, list[int]],
) -> list[dict[str, Any]]:
    """Date range, region and department: the three filters every dashboard carries.

    Region is single-select and defaults to the first region the user may see, sorted by
    code: the city for leadership, its own district for a district role (row-level security
    applies to the filter's values too).
    """
    return [
        _filter(
            "NATIVE_FILTER-date_range",
            "日期范围 Date range",
            "filter_time",
            [{}],
            {"enableEmptyFilter": False},
            excluded.get("date", []),
            "Period shown; charts of today's state ignore it.",
        ),
        _filter(
            "NATIVE_FILTER-region",
            "区域 Region",
            "filter_select",
            [{"column": {"name": "region_name"}, "datasetUuid": region_dataset_uuid}],
            {
                "enableEmptyFilter": True,
                "defaultToFirstItem": True,
                "multiSelect": False,
                "inverseSelection": False,
                "searchAllOptions": False,
                "sortAscending": True,
                "sortMetric": "region_order",
            },
            excluded.get("region", []),
            "The city or one district (a district role sees only its own).",
        ),
        _filter(
            "NATIVE_FILTER-department",
            "部门 Department",
            "filter_select",
            [{"column": {"name": "department_name"}, "datasetUuid": department_dataset_uuid}],
            {
                "enableEmptyFilter": False,
                "defaultToFirstItem": False,
                "multiSelect": True,
                "inverseSelection": False,
                "searchAllOptions": False,
            },
            excluded.get("department", []),
            "One or more departments; empty means all.",
        ),
    ]
