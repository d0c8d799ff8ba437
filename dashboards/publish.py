"""Publish the dashboards: build the bundle from the serving copy, import it, secure it.

Idempotent: every asset has a stable uuid, and Superset's asset import overwrites by uuid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from dashboards.api import SupersetApi
from dashboards.bundle import Bundle, build_bundle
from dashboards.catalog import load_catalog
from dashboards.introspect import open_serving_copy
from dashboards.settings import ASSETS_DIR
from dashboards.templates import template_context

logger = logging.getLogger(__name__)


@dataclass
class PublishResult:
    datasets: int
    charts: int
    dashboards: int
    skipped: dict[str, list[str]]
    skipped_charts: dict[str, list[str]] = field(default_factory=dict)
    dashboard_ids: dict[str, int] = field(default_factory=dict)
    chart_ids: dict[str, int] = field(default_factory=dict)
    dataset_ids: dict[str, int] = field(default_factory=dict)
    county_datasets: set[str] = field(default_factory=set)
    serving_path: Path | None = None  # the warehouse copy the dashboards read


def make_bundle(serving_path: Path, assets_dir: Path = ASSETS_DIR) -> Bundle:
    catalog = load_catalog(assets_dir, template_context(serving_path))
    with open_serving_copy(serving_path) as serving:
        return build_bundle(catalog, serving)


def publish(api: SupersetApi, serving_path: Path, assets_dir: Path = ASSETS_DIR) -> PublishResult:
    bundle = make_bundle(serving_path, assets_dir)
    for dataset, tables in bundle.skipped_datasets.items():
        logger.warning("dataset %s skipped: %s", dataset, "; ".join(tables))
    for chart, reasons in bundle.skipped_charts.items():
        logger.warning("chart %s skipped: %s", chart, "; ".join(reasons))
    api.import_bundle(bundle.to_zip())
    charts = api.ids_by_uuid("chart")
    datasets = api.ids_by_uuid("dataset")
    dashboards = api.ids_by_uuid("dashboard")
    return PublishResult(
        datasets=len(bundle.dataset_uuids),
        charts=len(bundle.chart_uuids),
        dashboards=len(bundle.dashboard_uuids),
        skipped=bundle.skipped_datasets,
        skipped_charts=bundle.skipped_charts,
        dashboard_ids={key: dashboards[uuid] for key, uuid in bundle.dashboard_uuids.items()},
        chart_ids={key: charts[uuid] for key, uuid in bundle.chart_uuids.items()},
        dataset_ids={key: datasets[uuid] for key, uuid in bundle.dataset_uuids.items()},
        county_datasets=bundle.county_datasets,
        serving_path=serving_path,
    )
