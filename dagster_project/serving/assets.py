"""Publish the read-only serving copy of the warehouse, atomically."""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from dagster_project.resources import DuckDBWarehouse, ServingCopy
from dagster_project.warehouse.assets import govwh_dbt_models
from govwh.warehouse.copies import publish_serving_copy


@asset(
    key=AssetKey(["serving_warehouse"]),
    group_name="serving",
    kinds={"duckdb"},
    deps=list(govwh_dbt_models.keys),
    description="Read-only copy of the warehouse for dashboards and analysts, published "
    "atomically (copy, then rename) after a successful build.",
)
def serving_warehouse(warehouse: DuckDBWarehouse, serving: ServingCopy) -> MaterializeResult:
    size = publish_serving_copy(warehouse.file, serving.file)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(serving.file)), "bytes": MetadataValue.int(size)}
    )
