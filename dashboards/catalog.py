"""Read the dashboard definitions under assets/: Jinja-rendered YAML, one file per asset.

Our placeholders use `[[ name ]]` and `[% ... %]`, so that Superset's own Jinja in dataset SQL
(`{{ filter_values('region_name') }}`) passes through untouched.

Layout (Superset's export-bundle folders): databases/, datasets/, charts/<dashboard>/,
dashboards/. A file's stem is its key; charts name their dataset by key, dashboards lay out
charts by key. The uuid of every asset derives from its key unless the file sets one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from dashboards.uuids import asset_uuid


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    uuid: str
    config: dict[str, Any]
    requires: tuple[str, ...]


@dataclass(frozen=True)
class ChartSpec:
    key: str
    uuid: str
    dataset: str
    config: dict[str, Any]


@dataclass(frozen=True)
class DashboardSpec:
    key: str
    uuid: str
    config: dict[str, Any]


@dataclass(frozen=True)
class Catalog:
    database: dict[str, Any]
    datasets: dict[str, DatasetSpec] = field(default_factory=dict)
    charts: dict[str, ChartSpec] = field(default_factory=dict)
    dashboards: dict[str, DashboardSpec] = field(default_factory=dict)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
    )


def _render_values(value: Any, environment: jinja2.Environment, context: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return environment.from_string(value).render(**context) if "[[" in value else value
    if isinstance(value, dict):
        return {key: _render_values(item, environment, context) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_values(item, environment, context) for item in value]
    return value


def _render(path: Path, context: Mapping[str, Any]) -> dict[str, Any]:
    """The YAML of `path`, each string value rendered (placeholders never break the YAML)."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping")
    rendered: dict[str, Any] = _render_values(loaded, _environment(), context)
    return rendered


def load_catalog(assets_dir: Path, context: Mapping[str, Any]) -> Catalog:
    """Every asset under `assets_dir`, rendered with `context` (database uri and uuid)."""
    database_files = sorted((assets_dir / "databases").glob("*.yaml"))
    if len(database_files) != 1:
        raise ValueError(f"expected exactly one database file in {assets_dir / 'databases'}")
    catalog = Catalog(database=_render(database_files[0], context))
    for path in sorted((assets_dir / "datasets").glob("*.yaml")):
        config = _render(path, context)
        requires = tuple(config.pop("requires", ()))
        uuid = str(config.pop("uuid", asset_uuid("dataset", path.stem)))
        catalog.datasets[path.stem] = DatasetSpec(path.stem, uuid, config, requires)
    for path in sorted((assets_dir / "charts").glob("*/*.yaml")):
        config = _render(path, context)
        if path.stem in catalog.charts:
            raise ValueError(f"chart key {path.stem} is defined twice")
        dataset = config.pop("dataset")
        if dataset not in catalog.datasets:
            raise ValueError(f"{path}: unknown dataset {dataset}")
        uuid = str(config.pop("uuid", asset_uuid("chart", path.stem)))
        catalog.charts[path.stem] = ChartSpec(path.stem, uuid, dataset, config)
    for path in sorted((assets_dir / "dashboards").glob("*.yaml")):
        config = _render(path, context)
        uuid = str(config.pop("uuid", asset_uuid("dashboard", path.stem)))
        catalog.dashboards[path.stem] = DashboardSpec(path.stem, uuid, config)
    return catalog
