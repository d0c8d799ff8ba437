"""Assemble Superset's import bundle (a zip of YAML files) from our catalog.

What we add to the hand-written YAML: dataset columns read from the serving copy, each
chart's time filter and saved query context, dashboard layouts and native filters. Datasets
whose tables are not in the serving copy yet are skipped, with their charts, and reported.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import jinja2
import yaml

from dashboards.catalog import Catalog, ChartSpec, DatasetSpec
from dashboards.introspect import Column, ServingCopy
from dashboards.layout import PlacedChart, build_native_filters, build_position
from dashboards.query_context import build_query_context

BUNDLE_ROOT = "govwh_assets"
VERSION = "1.0.0"
REGION_DATASET = "filter_regions"
DEPARTMENT_DATASET = "filter_departments"
RLS_COLUMN = "county_code"
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
# a share to a hundredth of a percentage point, minutes to well under a second
FLOAT_DECIMALS = 4


@dataclass
class Bundle:
    files: dict[str, str] = field(default_factory=dict)
    skipped_datasets: dict[str, list[str]] = field(default_factory=dict)
    skipped_charts: dict[str, list[str]] = field(default_factory=dict)
    chart_uuids: dict[str, str] = field(default_factory=dict)
    dataset_uuids: dict[str, str] = field(default_factory=dict)
    dashboard_uuids: dict[str, str] = field(default_factory=dict)
    county_datasets: set[str] = field(default_factory=set)

    def to_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in sorted(self.files.items()):
                archive.writestr(f"{BUNDLE_ROOT}/{name}", text)
        return buffer.getvalue()


def _dump(config: dict[str, Any]) -> str:
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100)


class _Stub:
    """Superset's Jinja macros with no filter applied: how a dataset reads by default."""

    @staticmethod
    def filter_values(column: str, default: Any = None, remove_filter: bool = False) -> list[Any]:
        return []

    @staticmethod
    def current_user_rls_rules() -> list[str] | None:
        return None  # read as the admin, whom no row-level security restricts

    @staticmethod
    def where_in(values: list[Any]) -> str:
        return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def probe_sql(sql: str) -> str:
    """The dataset SQL as Superset renders it without filters (for introspection)."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["where_in"] = _Stub.where_in
    return environment.from_string(sql).render(
        filter_values=_Stub.filter_values, current_user_rls_rules=_Stub.current_user_rls_rules
    )


def _dataset_problems(serving: ServingCopy, sql: str, dataset: DatasetSpec) -> list[str]:
    """Why a dataset cannot be published against this serving copy (empty when it can)."""
    error = serving.error_of(sql)
    if error:
        return [error]
    problems = []
    for metric in dataset.config.get("metrics", []):
        error = serving.error_of(f"select {metric['expression']} from ({sql}) as dataset")
        if error:
            problems.append(f"metric {metric['metric_name']}: {error}")
    return problems


def _chart_fields(chart: ChartSpec) -> set[str]:
    """Columns and saved metrics a chart names (to skip charts the dataset cannot serve)."""
    params = chart.config.get("params", {})
    names: set[str] = set()
    for single in ("x_axis", "metric", "timeseries_limit_metric", "x_axis_sort"):
        if isinstance(params.get(single), str):
            names.add(params[single])
    for many in ("metrics", "all_columns", "groupby"):
        value = params.get(many) or []
        names.update(
            [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
        )
    names.update(column for column, _ in chart.config.get("order_by", []))
    return names


def _shown_expression(column: Column, values: dict[str, str]) -> str | None:
    """What drill to detail and the charts read for a column: its codes as words (the
    dataset's `values`), a float rounded to FLOAT_DECIMALS places; None for the column as is.
    Metric expressions and SQL filters read the dataset's own columns, unrounded and coded."""
    quoted = f'"{column.name}"'
    if values:
        cases = " ".join(f"WHEN '{code}' THEN '{word}'" for code, word in sorted(values.items()))
        return f"CASE {quoted} {cases} ELSE {quoted} END"
    if column.type.upper() in FLOAT_TYPES:
        return f"ROUND({quoted}, {FLOAT_DECIMALS})"
    return None


def dataset_columns(spec: DatasetSpec, columns: list[Column]) -> list[Column]:
    """The columns a dataset registers in Superset: all but its `hidden` ones (codes the
    dataset's SQL filters and metrics need, but no reader), so drill to detail never shows
    them."""
    hidden = set(spec.config.get("hidden") or [])
    return [column for column in columns if column.name not in hidden]


def _dataset_config(spec: DatasetSpec, columns: list[Column], database_uuid: str) -> dict[str, Any]:
    config = dict(spec.config)
    labels: dict[str, str] = config.pop("labels", {}) or {}
    values: dict[str, dict[str, str]] = config.pop("values", {}) or {}
    drill_by: list[str] | None = config.pop("drill_by", None)
    config.pop("hidden", None)
    metrics = [
        {
            "metric_name": metric["metric_name"],
            "verbose_name": metric.get("verbose_name"),
            "metric_type": None,
            "expression": metric["expression"],
            "description": metric.get("description"),
            "d3format": metric.get("d3format"),
            "extra": {},
            "warning_text": None,
        }
        for metric in config.pop("metrics", [])
    ]
    config.update(
        uuid=spec.uuid,
        database_uuid=database_uuid,
        version=VERSION,
        schema=config.get("schema", "marts"),
        offset=0,
        filter_select_enabled=True,
        is_managed_externally=True,
        metrics=metrics,
        columns=[
            {
                "column_name": column.name,
                "verbose_name": labels.get(column.name),
                "is_dttm": column.is_temporal,
                "is_active": True,
                "type": column.type,
                # drill by offers the groupby columns: a dataset with a drill path offers it
                "groupby": drill_by is None or column.name in drill_by,
                "filterable": True,
                "expression": _shown_expression(column, values.get(column.name, {})),
                "description": None,
                "python_date_format": None,
                "extra": {},
            }
            for column in dataset_columns(spec, columns)
        ],
    )
    return config


def _chart_params(chart: ChartSpec, dataset: DatasetSpec) -> dict[str, Any]:
    config = chart.config
    params: dict[str, Any] = dict(config.get("params", {}))
    viz_type = config["viz_type"]
    adhoc = list(params.get("adhoc_filters", []))
    main_dttm = dataset.config.get("main_dttm_col")
    if main_dttm and config.get("time_filter", True):
        adhoc.append(
            {
                "clause": "WHERE",
                "comparator": "No filter",
                "expressionType": "SIMPLE",
                "operator": "TEMPORAL_RANGE",
                "subject": main_dttm,
            }
        )
    adhoc.extend(
        {"clause": "WHERE", "expressionType": "SQL", "sqlExpression": sql}
        for sql in config.get("filters", [])
    )
    params.update(viz_type=viz_type, adhoc_filters=adhoc)
    if "order_by" in config:
        params["order_by_cols"] = [json.dumps(pair) for pair in config["order_by"]]
    return params


def _chart_config(chart: ChartSpec, dataset: DatasetSpec) -> dict[str, Any]:
    params = _chart_params(chart, dataset)
    query_context = build_query_context(chart.config["viz_type"], params)
    return {
        "slice_name": chart.config["slice_name"],
        "description": chart.config.get("description"),
        "viz_type": chart.config["viz_type"],
        "params": params,
        "query_context": json.dumps(query_context, ensure_ascii=False),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": VERSION,
        "dataset_uuid": dataset.uuid,
        "is_managed_externally": True,
    }


def build_bundle(catalog: Catalog, serving: ServingCopy) -> Bundle:
    bundle = Bundle()
    database_uuid = str(catalog.database["uuid"])
    bundle.files["metadata.yaml"] = _dump(
        {"version": VERSION, "type": "assets", "timestamp": dt.datetime.now(dt.UTC).isoformat()}
    )
    bundle.files[f"databases/{catalog.database['database_name']}.yaml"] = _dump(
        {**catalog.database, "version": VERSION}
    )
    tables = serving.existing_tables()
    dataset_fields: dict[str, set[str]] = {}
    for key, dataset in catalog.datasets.items():
        missing = [table for table in dataset.requires if table not in tables]
        if missing:
            bundle.skipped_datasets[key] = [
                f"{table} is not in the serving copy yet" for table in missing
            ]
            continue
        sql = probe_sql(dataset.config["sql"])
        problems = _dataset_problems(serving, sql, dataset)
        if problems:
            bundle.skipped_datasets[key] = problems
            continue
        columns = serving.columns_of(sql)
        dataset_fields[key] = {column.name for column in dataset_columns(dataset, columns)} | {
            metric["metric_name"] for metric in dataset.config.get("metrics", [])
        }
        bundle.files[f"datasets/govwh/{key}.yaml"] = _dump(
            _dataset_config(dataset, columns, database_uuid)
        )
        bundle.dataset_uuids[key] = dataset.uuid
        if any(column.name == RLS_COLUMN for column in columns):
            bundle.county_datasets.add(key)
    placed: dict[str, PlacedChart] = {}
    for local_id, (key, chart) in enumerate(catalog.charts.items(), start=1):
        if chart.dataset not in bundle.dataset_uuids:
            continue
        dataset = catalog.datasets[chart.dataset]
        unknown = sorted(_chart_fields(chart) - dataset_fields[chart.dataset])
        if unknown:
            bundle.skipped_charts[key] = [f"{chart.dataset} has no {name}" for name in unknown]
            continue
        bundle.files[f"charts/{key}.yaml"] = _dump(_chart_config(chart, dataset))
        bundle.chart_uuids[key] = chart.uuid
        placed[key] = PlacedChart(key, chart.uuid, chart.config["slice_name"], local_id)
    for key, dashboard in catalog.dashboards.items():
        bundle.files[f"dashboards/{key}.yaml"] = _dump(
            _dashboard_config(catalog, dashboard.config, dashboard.uuid, placed)
        )
        bundle.dashboard_uuids[key] = dashboard.uuid
    return bundle


def _dashboard_config(
    catalog: Catalog, config: dict[str, Any], uuid: str, placed: dict[str, PlacedChart]
) -> dict[str, Any]:
    header = config["header"]
    on_board = {
        key: chart
        for row in config["rows"]
        for cell in row
        if (key := cell["chart"] if isinstance(cell, dict) else cell) in placed
        for chart in [placed[key]]
    }
    excluded = {
        name: [on_board[key].local_id for key in keys if key in on_board]
        for name, keys in (config.get("filters_exclude") or {}).items()
    }
    metadata = {
        "native_filter_configuration": build_native_filters(
            catalog.datasets[REGION_DATASET].uuid,
            catalog.datasets[DEPARTMENT_DATASET].uuid,
            excluded,
        ),
        "cross_filters_enabled": False,
        "color_scheme": config.get("color_scheme", "supersetColors"),
        "refresh_frequency": 0,
        "expanded_slices": {},
        "timed_refresh_immune_slices": [],
        "label_colors": config.get("label_colors", {}),
        "shared_label_colors": [],
        "default_filters": "{}",
    }
    return {
        "dashboard_title": f"{header['zh']} {header['title_en']}",
        "description": header["en"],
        "css": config.get("css", ""),
        "slug": config["slug"],
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": uuid,
        "version": VERSION,
        "is_managed_externally": True,
        "metadata": metadata,
        "position": build_position(header, config["rows"], on_board),
    }
