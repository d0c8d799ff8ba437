"""The forecast job (train, backtest, forecast, republish the serving copy) and its schedule."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from govwh.jobs import FORECAST_JOB

# Forecasts read the marts and write the forecast schema; the serving copy is then published
# again so that the planning dashboard sees them.
forecast_job = define_asset_job(
    name=FORECAST_JOB,
    selection=AssetSelection.groups("forecasting") | AssetSelection.assets("serving_warehouse"),
    description="Train, backtest and forecast (arrivals, hall traffic, staffing, backlog), then "
    "republish the serving copy.",
)

daily_forecast_schedule = ScheduleDefinition(
    name="daily_forecast",
    job=forecast_job,
    cron_schedule="30 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Retrain and forecast every morning at 06:30, after the daily build.",
)
