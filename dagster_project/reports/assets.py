"""每周通报 and 政务公开: the weekly bulletin and the public release, each an asset with its own
job and Monday schedule.

The bulletin is built every Monday morning for the week before, from the marts, and refuses
stale data (govwh.reports.bulletin does the work). An hour later the public release (open
data for the government portal: the latest complete month and ISO week, small cells
withheld) is written from marts.mart_public_release (govwh.reports.publication does the work).
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
from govwh.jobs import PUBLIC_RELEASE_JOB, WEEKLY_BULLETIN_JOB
from govwh.reports.bulletin import build_weekly_bulletin, parse_iso_week
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.reports.publication import parse_month, write_public_release

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


class PublicReleaseConfig(Config):
    month: str = ""  # 2019-06; empty = the latest complete month (and ISO week)


@asset(
    key=AssetKey(["public_release"]),
    group_name="publication",
    deps=[AssetKey(["marts", "mart_public_release"])],
    description="政务公开: the public release for the government portal (CSV with BOM, JSON, "
    "datapackage.json, kpi.schema.json, an offline Chinese index.html) of the latest complete "
    "month and ISO week, small cells withheld; every figure from marts.mart_public_release.",
)
def public_release(
    config: PublicReleaseConfig, warehouse: DuckDBWarehouse, reports: ReportFolders
) -> MaterializeResult:
    release = write_public_release(
        warehouse.file,
        Path(reports.public),
        month=parse_month(config.month) if config.month else None,
    )
    return MaterializeResult(
        metadata={
            "periods": MetadataValue.text(", ".join(p.label for p in release.periods)),
            "data_as_of": MetadataValue.text(str(release.data_as_of)),
            "page": MetadataValue.path(str(release.page_path)),
            "figures": MetadataValue.int(sum(p.records for p in release.periods)),
            "withheld": MetadataValue.int(sum(p.suppressed for p in release.periods)),
        }
    )


public_release_job = define_asset_job(
    name=PUBLIC_RELEASE_JOB,
    selection=AssetSelection.assets(AssetKey(["public_release"])),
    description="Write the public release (open data) from the marts.",
)


@schedule(
    job=public_release_job,
    cron_schedule="0 7 * * 1",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Mondays 07:00, an hour after the bulletin: the public release of the latest "
    "complete month and ISO week.",
)
def public_release_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    today = context.scheduled_execution_time.astimezone(SHANGHAI).date()
    return RunRequest(run_key=f"public-release-{today}")


report_assets = [weekly_bulletin, public_release]
report_jobs = [weekly_bulletin_job, public_release_job]
report_schedules = [weekly_bulletin_schedule, public_release_schedule]
