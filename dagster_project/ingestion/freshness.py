"""Source freshness: no source may lag the others, so no report is built on stale data.

The check runs after all three raw tables are loaded (it is attached to raw/case_logs with
the other two as additional dependencies) and blocks dbt: a missing daily file fails the run
with a message that names the source and the day it stops at. The expected day is the last
working day covered by the freshest source; with GOVWH_EXPECT_DATA_THROUGH=YYYY-MM-DD (set it
in production to yesterday) the run also fails when every source is behind that day. A source
with no rows at all is absent, named in the result, and does not fail it; GOVWH_FRESHNESS=warn
turns a lag into a warning (govwh/freshness.py).
"""

from __future__ import annotations

import datetime as dt
import os

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from dagster_project.resources import DuckDBWarehouse, LandingFolder
from govwh.freshness import EXPECT_THROUGH_ENV, FRESHNESS_ENV, absent_sources, stale_sources
from govwh.ingestion.schemas import SOURCES

_LAST_DAYS = """
    select
        (select max(cast(updated_at as date)) from raw.case_logs),
        (select max(cast(ticket_taken_at as date)) from raw.hall_tickets),
        (select max(snapshot_date) from raw.service_items)
"""


@asset_check(
    asset=AssetKey(["raw", "case_logs"]),
    additional_deps=[AssetKey(["raw", "hall_tickets"]), AssetKey(["raw", "service_items"])],
    name="sources_are_fresh",
    description="Every source reaches the last working day covered by the freshest one (and "
    f"${EXPECT_THROUGH_ENV} when set); the catalogue is at most a month old.",
    blocking=True,
)
def sources_are_fresh(warehouse: DuckDBWarehouse, landing: LandingFolder) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as connection:
        case_day, ticket_day, snapshot_day = connection.sql(_LAST_DAYS).fetchall()[0]
        # every source's raw table, the newer ones too: empty everywhere is an empty warehouse
        loaded = sum(
            connection.sql(
                f"select count(*) from (select 1 from {source.raw_table} limit 1)"
            ).fetchall()[0][0]
            for source in SOURCES.values()
        )
    configured = os.environ.get(EXPECT_THROUGH_ENV)
    expect_through = dt.date.fromisoformat(configured) if configured else None
    expected, stale = stale_sources(case_day, ticket_day, snapshot_day, expect_through)
    absent = absent_sources(case_day, ticket_day, snapshot_day)
    warn_only = os.environ.get(FRESHNESS_ENV, "error").lower() == "warn"
    notes = [*stale, *(f"{name} absent (no rows loaded): its marts are empty" for name in absent)]
    if not loaded:  # nothing at all: an empty warehouse helps no one
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"no source has any rows: drop the exports into {landing.folder} "
            "(service_items/, case_logs/, hall_tickets/) or run `govwh generate`",
        )
    return AssetCheckResult(
        passed=not stale,
        severity=AssetCheckSeverity.WARN if warn_only else AssetCheckSeverity.ERROR,
        description="; ".join(notes) if notes else f"all sources reach {expected}",
        metadata={
            "expected_through": MetadataValue.text(str(expected)),
            "case_logs_through": MetadataValue.text(str(case_day)),
            "hall_tickets_through": MetadataValue.text(str(ticket_day)),
            "catalogue_snapshot": MetadataValue.text(str(snapshot_day)),
            "absent_sources": MetadataValue.text(", ".join(absent) or "none"),
        },
    )
