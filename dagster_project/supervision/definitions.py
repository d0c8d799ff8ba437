"""Dagster pieces of the daily supervision run and the weekly bulletin.

The supervision run refreshes the warehouse and writes the alert outbox every working day
(make-up weekends included, statutory holidays skipped); the bulletin is built every Monday
morning for the week before, and refuses stale data.
"""

# No `from __future__ import annotations`: Dagster reads the config annotations at runtime.

import datetime as dt
import os
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
    SkipReason,
    asset,
    define_asset_job,
    schedule,
)

from dagster_project.bulletin import build_weekly_bulletin, parse_iso_week
from dagster_project.bulletin.weeks import IsoWeek
from dagster_project.resources import DuckDBWarehouse
from dagster_project.settings import REPO_ROOT
from dagster_project.supervision.outbox import write_alert_outbox
from dagster_project.supervision.workdays import is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
OUTBOX_ENV = "GOVWH_OUTBOX_DIR"
BULLETIN_ENV = "GOVWH_BULLETIN_DIR"


def _folder(env_var: str, default: str) -> Path:
    path = Path(os.environ.get(env_var, default)).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


class OutboxConfig(Config):
    file_format: str = "xlsx"


@asset(
    key=AssetKey(["supervision_alert_outbox"]),
    group_name="supervision",
    deps=[AssetKey(["serving_warehouse"])],
    description="Today's new red/yellow alerts per department (CSV/XLSX, one file each, plus a "
    "summary) in the outbox folder; each case is reported once per alert level.",
)
def supervision_alert_outbox(config: OutboxConfig, warehouse: DuckDBWarehouse) -> MaterializeResult:
    result = write_alert_outbox(
        warehouse.file, _folder(OUTBOX_ENV, "data/outbox"), file_format=config.file_format
    )
    return MaterializeResult(
        metadata={
            "as_of_date": MetadataValue.text(str(result.as_of_date)),
            "folder": MetadataValue.path(str(result.folder)),
            "alerts_open": MetadataValue.int(result.alerts_total),
            "alerts_new": MetadataValue.int(result.alerts_new),
            "department_files": MetadataValue.int(len(result.department_files)),
        }
    )


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
def weekly_bulletin(config: BulletinConfig, warehouse: DuckDBWarehouse) -> MaterializeResult:
    week = (
        parse_iso_week(config.week)
        if config.week
        else previous_week(dt.datetime.now(SHANGHAI).date())
    )
    result = build_weekly_bulletin(warehouse.file, week, _folder(BULLETIN_ENV, "data/bulletins"))
    return MaterializeResult(
        metadata={
            "week": MetadataValue.text(week.label),
            "html": MetadataValue.path(str(result.html_path)),
            "pdf": MetadataValue.path(str(result.pdf_path)),
            "data_as_of": MetadataValue.text(str(result.data.freshness.as_of)),
        }
    )


# The supervision run refreshes everything the alerts depend on, then writes the outbox.
daily_supervision_job = define_asset_job(
    name="daily_supervision_job",
    selection=AssetSelection.all() - AssetSelection.groups("bulletin"),
    description="Refresh the day's data and write the alert outbox.",
)
weekly_bulletin_job = define_asset_job(
    name="weekly_bulletin_job",
    selection=AssetSelection.keys(AssetKey(["weekly_bulletin"])),
    description="Build last week's bulletin from the marts.",
)


def supervision_run_request(day: dt.date) -> RunRequest | SkipReason:
    """Run on working days of the official calendar; skip holidays and ordinary weekends."""
    if not is_working_day(day):
        return SkipReason(f"{day} is not a working day: no supervision run")
    return RunRequest(run_key=f"supervision-{day}", tags={"business_date": str(day)})


@schedule(
    job=daily_supervision_job,
    cron_schedule="30 7 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every morning at 07:30; runs only on working days (make-up weekends included).",
)
def daily_supervision_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    return supervision_run_request(context.scheduled_execution_time.astimezone(SHANGHAI).date())


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


supervision_assets = [supervision_alert_outbox, weekly_bulletin]
supervision_jobs = [daily_supervision_job, weekly_bulletin_job]
supervision_schedules = [daily_supervision_schedule, weekly_bulletin_schedule]
