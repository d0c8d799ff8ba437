"""Jobs: one selection materializes the warehouse (the reports have jobs of their own)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

BUILD_WAREHOUSE_JOB = "build_warehouse_job"

build_warehouse_job = define_asset_job(
    name=BUILD_WAREHOUSE_JOB,
    # the outbox and the bulletin run on their own schedules (supervision/definitions.py)
    selection=AssetSelection.all()
    - AssetSelection.groups("supervision", "bulletin", "forecasting"),
    description="Load every source, run dbt build (seeds, models, tests), publish the serving "
    "copy.",
)

FORECAST_JOB = "forecast_job"

# Forecasts read the marts and write the forecast schema; the serving copy is then published
# again so that the planning dashboard sees them.
forecast_job = define_asset_job(
    name=FORECAST_JOB,
    selection=AssetSelection.groups("forecasting") | AssetSelection.keys("serving_warehouse"),
    description="Train, backtest and forecast (arrivals, hall traffic, staffing, backlog), then "
    "republish the serving copy.",
)
