"""Jobs: one selection materializes everything."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

BUILD_WAREHOUSE_JOB = "build_warehouse_job"

build_warehouse_job = define_asset_job(
    name=BUILD_WAREHOUSE_JOB,
    selection=AssetSelection.all(),
    description="Load every source, run dbt build (seeds, models, tests), publish the serving "
    "copy.",
)
