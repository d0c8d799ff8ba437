"""Publish the read-only serving copy of the warehouse, atomically."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from dagster_project.resources import DuckDBWarehouse, ServingCopy
from dagster_project.warehouse.assets import govwh_dbt_models


def publish_serving_copy(warehouse: DuckDBWarehouse, target: Path) -> int:
    """Checkpoint the warehouse, copy it beside the target, then rename over the target.

    A reader (Superset, an analyst) sees either the old copy or the new one, never a half
    written file, and never holds a lock on the file the pipeline writes. Returns the size.
    """
    with warehouse.connect() as connection:
        connection.execute("checkpoint")  # everything in the main file, nothing left in the WAL
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")  # same folder: rename stays atomic
    try:
        shutil.copyfile(warehouse.file, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


@asset(
    key=AssetKey(["serving_warehouse"]),
    group_name="serving",
    kinds={"duckdb"},
    deps=list(govwh_dbt_models.keys),
    description="Read-only copy of the warehouse for dashboards and analysts, published "
    "atomically (copy, then rename) after a successful build.",
)
def serving_warehouse(warehouse: DuckDBWarehouse, serving: ServingCopy) -> MaterializeResult:
    size = publish_serving_copy(warehouse, serving.file)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(serving.file)), "bytes": MetadataValue.int(size)}
    )
