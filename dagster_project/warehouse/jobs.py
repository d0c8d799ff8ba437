"""The build job (load every source, dbt build, serving copy) and its daily schedule: the one
clock of the daily cycle; what follows starts on its success (dagster_project/operations)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from dagster_project.operations.policy import BUSINESS_DAY_TAG, CYCLE_BUILD_TAGS, job_tags
from govwh.jobs import BUILD_WAREHOUSE_JOB

SHANGHAI = ZoneInfo("Asia/Shanghai")

build_warehouse_job = define_asset_job(
    name=BUILD_WAREHOUSE_JOB,
    # the outbox, the bulletin, the public release, the forecasts and the backup run in jobs
    # of their own
    selection=AssetSelection.all()
    - AssetSelection.groups("supervision", "bulletin", "publication", "forecasting", "operations"),
    tags=job_tags(BUILD_WAREHOUSE_JOB),
    description="Load every source, run dbt build (seeds, models, tests), publish the serving "
    "copy.",
)


@schedule(
    name="daily_build",
    job=build_warehouse_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the warehouse every morning at 06:00 Shanghai time; forecasts, the "
    "outbox, the bulletin, the public release and the backup follow its success.",
)
def daily_build_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = context.scheduled_execution_time.astimezone(SHANGHAI).date()
    return RunRequest(
        run_key=f"build-{day}", tags={BUSINESS_DAY_TAG: day.isoformat(), **CYCLE_BUILD_TAGS}
    )
