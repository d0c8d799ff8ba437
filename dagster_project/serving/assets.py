"""Publish the read-only serving copy of the warehouse, atomically."""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, MetadataValue, asset, define_asset_job

from dagster_project.operations.policy import job_tags
from dagster_project.resources import DuckDBWarehouse, ServingCopy
from dagster_project.warehouse.assets import govwh_dbt_models
from govwh.jobs import SERVING_JOB
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


# The publication alone: the daily cycle runs it after the forecasts on days without an outbox
# (the outbox publishes on working days), so that the dashboards see the day's forecasts.
serving_job = define_asset_job(
    name=SERVING_JOB,
    selection=[AssetKey(["serving_warehouse"])],
    tags=job_tags(SERVING_JOB),
    description="Publish the serving copy (checkpoint, copy, atomic rename).",
)
