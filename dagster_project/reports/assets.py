"""每周通报: the weekly bulletin asset, its job and its Monday schedule.

The bulletin is built every Monday morning for the week before, from the marts, and refuses
stale data (govwh.reports.bulletin does the work).
"""

# No `from __future__ import annotations`: Dagster reads the config annotations at runtime.

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    asset,
    define_asset_job,
    schedule,
)

from dagster_project.resources import DuckDBWarehouse, ReportFolders
from govwh.jobs import WEEKLY_BULLETIN_JOB
from govwh.reports.bulletin import build_weekly_bulletin, parse_iso_week
from govwh.reports.bulletin.weeks import IsoWeek

SHANGHAI = ZoneInfo("Asia/Shanghai")


class BulletinConfig(Config):
    week: str = ""  # 2019-W23; empty = the ISO week before the run date (Shanghai)


def previous_week(today: dt.date) -> IsoWeek:
    return IsoWeek.containing(today - dt.timedelta(days=7))


@asset(
    key=AssetKey(["weekly_bulletin"]),
    group_name="bulletin",
    deps=[AssetKey(["serving_warehouse"])],
    description="每周通报: the weekly bulletin as HTML and PDF, every number from the marts; "
    "fails (and publishes nothing) when a source does not cover the week.",
)
def weekly_bulletin(
    config: BulletinConfig, warehouse: DuckDBWarehouse, reports: ReportFolders
) -> MaterializeResult:
    week = (
        parse_iso_week(config.week)
        if config.week
        else previous_week(dt.datetime.now(SHANGHAI).date())
    )
    result = build_weekly_bulletin(warehouse.file, week, Path(reports.bulletins))
    return MaterializeResult(
        metadata={
            "week": MetadataValue.text(week.label),
            "html": MetadataValue.path(str(result.html_path)),
            "pdf": MetadataValue.path(str(result.pdf_path)),
            "data_as_of": MetadataValue.text(str(result.data.freshness.as_of)),
        }
    )


weekly_bulletin_job = define_asset_job(
    name=WEEKLY_BULLETIN_JOB,
    selection=AssetSelection.assets(AssetKey(["weekly_bulletin"])),
    description="Build last week's bulletin from the marts.",
)


@schedule(
    job=weekly_bulletin_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Mondays 06:00: the bulletin of the week before.",
)
def weekly_bulletin_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    today = context.scheduled_execution_time.astimezone(SHANGHAI).date()
    week = previous_week(today)
    return RunRequest(
        run_key=f"bulletin-{week.label}",
        run_config={"ops": {"weekly_bulletin": {"config": {"week": week.label}}}},
    )


report_assets = [weekly_bulletin]
report_jobs = [weekly_bulletin_job]
report_schedules = [weekly_bulletin_schedule]
