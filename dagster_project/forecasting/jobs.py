"""The forecast job (train, backtest, forecast, republish the serving copy); the daily cycle
starts it when the build succeeds (dagster_project/operations/sensors.py)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from dagster_project.operations.policy import job_tags
from govwh.jobs import FORECAST_JOB

# Forecasts read the marts and write the forecast schema; the serving copy is then published
# again so that the planning dashboard sees them.
forecast_job = define_asset_job(
    name=FORECAST_JOB,
    selection=AssetSelection.groups("forecasting") | AssetSelection.assets("serving_warehouse"),
    tags=job_tags(FORECAST_JOB),
    description="Train, backtest and forecast (arrivals, hall traffic, staffing, backlog), then "
    "republish the serving copy.",
)
