"""电子监察: the daily supervision outbox asset, its job and its working-day schedule.

The supervision run refreshes the warehouse and writes the alert outbox every working day
(make-up weekends included, statutory holidays skipped); govwh.reports.outbox does the work.
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
    SkipReason,
    asset,
    define_asset_job,
    schedule,
)

from dagster_project.resources import DuckDBWarehouse, ReportFolders
from govwh.jobs import DAILY_SUPERVISION_JOB
from govwh.reports.outbox import write_alert_outbox
from govwh.workdays import is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


class OutboxConfig(Config):
    file_format: str = "xlsx"


@asset(
    key=AssetKey(["supervision_alert_outbox"]),
    group_name="supervision",
    deps=[AssetKey(["serving_warehouse"])],
    description="Today's new red/yellow alerts per department and per district (CSV/XLSX, one "
    "file each, plus the two summaries with their totals) in the outbox folder, the day's folder "
    "rewritten whole; each case is reported once per alert level, and a rerun of the day "
    "writes the same files.",
)
def supervision_alert_outbox(
    config: OutboxConfig, warehouse: DuckDBWarehouse, reports: ReportFolders
) -> MaterializeResult:
    result = write_alert_outbox(
        warehouse.file, Path(reports.outbox), file_format=config.file_format
    )
    return MaterializeResult(
        metadata={
            "as_of_date": MetadataValue.text(str(result.as_of_date)),
            "folder": MetadataValue.path(str(result.folder)),
            "alerts_open": MetadataValue.int(result.alerts_total),
            "alerts_new": MetadataValue.int(result.alerts_new),
            "department_files": MetadataValue.int(len(result.department_files)),
            "district_files": MetadataValue.int(len(result.district_files)),
        }
    )


# The supervision run refreshes everything the alerts depend on, then writes the outbox.
daily_supervision_job = define_asset_job(
    name=DAILY_SUPERVISION_JOB,
    selection=AssetSelection.all() - AssetSelection.groups("bulletin", "publication"),
    description="Refresh the day's data and write the alert outbox.",
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


supervision_assets = [supervision_alert_outbox]
supervision_jobs = [daily_supervision_job]
supervision_schedules = [daily_supervision_schedule]
