"""Schedules: the daily build."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from dagster_project.jobs import build_warehouse_job, forecast_job

daily_build_schedule = ScheduleDefinition(
    name="daily_build",
    job=build_warehouse_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the warehouse every morning at 06:00 Shanghai time.",
)

daily_forecast_schedule = ScheduleDefinition(
    name="daily_forecast",
    job=forecast_job,
    cron_schedule="30 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Retrain and forecast every morning at 06:30, after the daily build.",
)
