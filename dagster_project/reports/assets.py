"""每周通报 and 政务公开: the weekly bulletin and the public release, each an asset with its own
job, both read from the serving copy.

The daily cycle builds the bulletin on Mondays for the week before, once the build and the
forecasts have succeeded; it refuses stale data (govwh.reports.bulletin does the work). When
the bulletin succeeds the public release (open data for the government portal: the latest
complete month and ISO week, small cells withheld) is written from marts.mart_public_release
(govwh.reports.publication does the work).
"""

# No `from __future__ import annotations`: Dagster reads the config annotations at runtime.

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetSelection,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from dagster_project.operations.policy import job_tags
from dagster_project.resources import ReportFolders, ServingCopy
from govwh.jobs import PUBLIC_RELEASE_JOB, WEEKLY_BULLETIN_JOB
from govwh.operations.cycle import previous_week
from govwh.reports.bulletin import build_weekly_bulletin, parse_iso_week
from govwh.reports.publication import parse_month, write_public_release

SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVING = AssetKey(["serving_warehouse"])


class BulletinConfig(Config):
    week: str = ""  # 2019-W23; empty = the ISO week before the run date (Shanghai)


@asset(
    key=AssetKey(["weekly_bulletin"]),
    group_name="bulletin",
    deps=[SERVING],
    description="每周通报: the weekly bulletin as HTML and PDF, every number from the marts; "
    "fails (and publishes nothing) when a source does not cover the week.",
)
def weekly_bulletin(
    config: BulletinConfig, serving: ServingCopy, reports: ReportFolders
) -> MaterializeResult:
    week = (
        parse_iso_week(config.week)
        if config.week
        else previous_week(dt.datetime.now(SHANGHAI).date())
    )
    # readers read the serving copy: never the file a build may be writing
    result = build_weekly_bulletin(serving.file, week, Path(reports.bulletins))
    return MaterializeResult(
        metadata={
            "week": MetadataValue.text(week.label),
            "html": MetadataValue.path(str(result.html_path)),
            "pdf": MetadataValue.path(str(result.pdf_path)),
            "data_as_of": MetadataValue.text(str(result.data.freshness.as_of)),
        }
    )


# A report's job builds the report's marts (dbt, tagged in dbt_project.yml), publishes the
# serving copy with them and writes the report from it: the daily build leaves them out.
weekly_bulletin_job = define_asset_job(
    name=WEEKLY_BULLETIN_JOB,
    selection=AssetSelection.groups("bulletin") | AssetSelection.assets(SERVING),
    tags=job_tags(WEEKLY_BULLETIN_JOB),
    description="Build the bulletin's marts, publish the serving copy, write last week's "
    "bulletin from it.",
)


class PublicReleaseConfig(Config):
    month: str = ""  # 2019-06; empty = the latest complete month (and ISO week)


@asset(
    key=AssetKey(["public_release"]),
    group_name="publication",
    # marts.mart_public_release, read from the serving copy published after it was built
    deps=[SERVING],
    description="政务公开: the public release for the government portal (CSV with BOM, JSON, "
    "datapackage.json, kpi.schema.json, an offline Chinese index.html) of the latest complete "
    "month and ISO week, small cells withheld; every figure from marts.mart_public_release.",
)
def public_release(
    config: PublicReleaseConfig, serving: ServingCopy, reports: ReportFolders
) -> MaterializeResult:
    release = write_public_release(
        serving.file,
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
    selection=AssetSelection.groups("publication") | AssetSelection.assets(SERVING),
    tags=job_tags(PUBLIC_RELEASE_JOB),
    description="Build the release's mart, publish the serving copy, write the public release "
    "(open data) from it.",
)


report_assets = [weekly_bulletin, public_release]
