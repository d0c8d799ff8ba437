"""Publish the read-only serving copy of the warehouse, atomically.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from dagster_project.operations.policy import PUBLISH_BY_LAST_WRITER, PUBLISH_TAG, job_tags
from dagster_project.resources import DuckDBWarehouse, ServingCopy
from dagster_project.warehouse.assets import govwh_dbt_models, govwh_report_marts
from govwh.jobs import SERVING_JOB
from govwh.warehouse.copies import publish_serving_copy

# the tag Dagster puts on a re-executed run (dagster._core.storage.tags.PARENT_RUN_ID_TAG)
REEXECUTION_TAG = "dagster/parent_run_id"


@asset(
    key=AssetKey(["serving_warehouse"]),
    group_name="serving",
    kinds={"duckdb"},
    deps=[*govwh_dbt_models.keys, *govwh_report_marts.keys],
    description="Read-only copy of the warehouse for dashboards and analysts, published "
    "atomically (copy, then rename) after a successful build; a build the daily cycle starts "
    "leaves it to the day's last writer (the outbox, else the serving job).",
    # not materialized by a cycle's build (govwh/publish = last_writer)
    output_required=False,
)
def serving_warehouse(
    context: AssetExecutionContext, warehouse: DuckDBWarehouse, serving: ServingCopy
) -> Iterator[MaterializeResult]:
    # a re-execution (from the UI) copies the cycle's tags, but the cycle may have moved on:
    # it publishes, as a build by hand does
    reexecuted = REEXECUTION_TAG in context.run.tags
    if context.run.tags.get(PUBLISH_TAG) == PUBLISH_BY_LAST_WRITER and not reexecuted:
        # the forecasts and the outbox follow this build, and the last of them publishes: a
        # copy of the whole file now would be replaced within minutes (17-21 GB at province)
        context.log.info("serving copy left to the day's last writer (outbox or serving job)")
        return
    size = publish_serving_copy(warehouse.file, serving.file)
    yield MaterializeResult(
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
