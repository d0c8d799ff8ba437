"""电子监察: the daily supervision outbox asset and its job.

The daily cycle starts the job every working day (make-up weekends included, statutory
holidays skipped) after the build and the forecasts; govwh.reports.outbox does the work.
"""

# No `from __future__ import annotations`: Dagster reads the config annotations at runtime.

from pathlib import Path

from dagster import (
    AssetKey,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from dagster_project.operations.policy import job_tags
from dagster_project.resources import DuckDBWarehouse, ReportFolders, ServingCopy
from govwh.jobs import DAILY_SUPERVISION_JOB
from govwh.reports.outbox import write_alert_outbox
from govwh.warehouse.copies import publish_serving_copy


class OutboxConfig(Config):
    file_format: str = "xlsx"


@asset(
    key=AssetKey(["supervision_alert_outbox"]),
    group_name="supervision",
    deps=[AssetKey(["serving_warehouse"])],
    description="Today's new red/yellow alerts per department and per district (CSV/XLSX, one "
    "file each, plus the two summaries with their totals), the new red/yellow consultation "
    "orders and the new gaps of the service guides per department, in the outbox folder, the "
    "day's folder "
    "rewritten whole; each case is reported once per alert level, and a rerun of the day "
    "writes the same files.",
)
def supervision_alert_outbox(
    config: OutboxConfig, warehouse: DuckDBWarehouse, serving: ServingCopy, reports: ReportFolders
) -> MaterializeResult:
    # the outbox reads the warehouse because it writes the sent-log there (which case was
    # reported at which level); the serving copy is published after, so readers see it too
    result = write_alert_outbox(
        warehouse.file, Path(reports.outbox), file_format=config.file_format
    )
    publish_serving_copy(warehouse.file, serving.file)
    return MaterializeResult(
        metadata={
            "as_of_date": MetadataValue.text(str(result.as_of_date)),
            "folder": MetadataValue.path(str(result.folder)),
            "alerts_open": MetadataValue.int(result.alerts_total),
            "alerts_new": MetadataValue.int(result.alerts_new),
            "department_files": MetadataValue.int(len(result.department_files)),
            "district_files": MetadataValue.int(len(result.district_files)),
            **{
                f"{name}_new": MetadataValue.int(count)
                for name, count in result.listing_new.items()
            },
        }
    )


# The outbox alone: the daily cycle starts it on working days once the build and the forecasts
# have succeeded (govwh.operations.cycle), so it never rebuilds what they just built.
daily_supervision_job = define_asset_job(
    name=DAILY_SUPERVISION_JOB,
    selection=[AssetKey(["supervision_alert_outbox"])],
    tags=job_tags(DAILY_SUPERVISION_JOB),
    description="Write the day's alert outbox (and its sent-log), then republish the serving copy.",
)


supervision_assets = [supervision_alert_outbox]
