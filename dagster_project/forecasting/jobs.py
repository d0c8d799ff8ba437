"""The forecast job (train, backtest, forecast); the daily cycle starts it when the build
succeeds, and the outbox or the serving job after it publishes what it wrote
(govwh.operations.cycle)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from dagster_project.operations.policy import job_tags
from govwh.jobs import FORECAST_JOB

# Forecasts read the marts and write the forecast schema. The job does not publish the
# serving copy: the day's last writer does (`govwh forecast` publishes after it).
forecast_job = define_asset_job(
    name=FORECAST_JOB,
    selection=AssetSelection.groups("forecasting"),
    tags=job_tags(FORECAST_JOB),
    description="Train, backtest and forecast (arrivals, hall traffic, staffing, backlog).",
)
