"""The build job (load every source, dbt build, serving copy) and its daily schedule."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from govwh.jobs import BUILD_WAREHOUSE_JOB

build_warehouse_job = define_asset_job(
    name=BUILD_WAREHOUSE_JOB,
    # the outbox, the bulletin, the public release and the forecasts run in jobs of their own
    selection=AssetSelection.all()
    - AssetSelection.groups("supervision", "bulletin", "publication", "forecasting"),
    description="Load every source, run dbt build (seeds, models, tests), publish the serving "
    "copy.",
)

daily_build_schedule = ScheduleDefinition(
    name="daily_build",
    job=build_warehouse_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the warehouse every morning at 06:00 Shanghai time.",
)
