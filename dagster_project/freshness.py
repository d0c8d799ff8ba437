"""Source freshness: no source may lag the others, so no report is built on stale data.

The check runs after all three raw tables are loaded (it is attached to raw/case_logs with
the other two as additional dependencies) and blocks dbt: a missing daily file fails the run
with a message that names the source and the day it stops at. The expected day is the last
working day covered by the freshest source; with GOVWH_EXPECT_DATA_THROUGH=YYYY-MM-DD (set it
in production to yesterday) the run also fails when every source is behind that day.
"""

from __future__ import annotations

import datetime as dt
import os

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from dagster_project.resources import DuckDBWarehouse
from dagster_project.supervision.workdays import is_working_day

EXPECT_THROUGH_ENV = "GOVWH_EXPECT_DATA_THROUGH"
CATALOGUE_MAX_AGE_DAYS = 31  # the catalogue is published at least monthly

_LAST_DAYS = """
    select
        (select max(cast(updated_at as date)) from raw.case_logs),
        (select max(cast(ticket_taken_at as date)) from raw.hall_tickets),
        (select max(snapshot_date) from raw.service_items)
"""


def last_working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def stale_sources(
    case_day: dt.date | None,
    ticket_day: dt.date | None,
    snapshot_day: dt.date | None,
    expect_through: dt.date | None = None,
) -> tuple[dt.date | None, list[str]]:
    """The day every source must reach, and the sources that stop before it."""
    latest = [d for d in (case_day, ticket_day) if d is not None]
    if not latest:
        return None, ["case_logs (no data)", "hall_tickets (no data)"]
    expected = last_working_day_on_or_before(max([*latest, *filter(None, [expect_through])]))
    stale = [
        f"{name} stops at {day or 'no data'}, expected data through {expected}"
        for name, day in (("case_logs", case_day), ("hall_tickets", ticket_day))
        if day is None or day < expected
    ]
    if snapshot_day is None or (expected - snapshot_day).days > CATALOGUE_MAX_AGE_DAYS:
        stale.append(
            f"service_items: latest catalogue snapshot {snapshot_day or 'none'} is more than "
            f"{CATALOGUE_MAX_AGE_DAYS} days before {expected}"
        )
    return expected, stale


@asset_check(
    asset=AssetKey(["raw", "case_logs"]),
    additional_deps=[AssetKey(["raw", "hall_tickets"]), AssetKey(["raw", "service_items"])],
    name="sources_are_fresh",
    description="Every source reaches the last working day covered by the freshest one (and "
    f"${EXPECT_THROUGH_ENV} when set); the catalogue is at most a month old.",
    blocking=True,
)
def sources_are_fresh(warehouse: DuckDBWarehouse) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as connection:
        case_day, ticket_day, snapshot_day = connection.sql(_LAST_DAYS).fetchall()[0]
    configured = os.environ.get(EXPECT_THROUGH_ENV)
    expect_through = dt.date.fromisoformat(configured) if configured else None
    expected, stale = stale_sources(case_day, ticket_day, snapshot_day, expect_through)
    return AssetCheckResult(
        passed=not stale,
        severity=AssetCheckSeverity.ERROR,
        description="; ".join(stale) if stale else f"all sources reach {expected}",
        metadata={
            "expected_through": MetadataValue.text(str(expected)),
            "case_logs_through": MetadataValue.text(str(case_day)),
            "hall_tickets_through": MetadataValue.text(str(ticket_day)),
            "catalogue_snapshot": MetadataValue.text(str(snapshot_day)),
        },
    )
