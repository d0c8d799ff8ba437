"""Source freshness: no source may lag the others, so no report is built on stale data.

Each source is compared at its own cadence: the case logs and hall tickets daily, to the last
working day covered by the freshest of them (with GOVWH_EXPECT_DATA_THROUGH=YYYY-MM-DD, set in
production to yesterday, to that day too); the catalogue monthly. A source the city has not
loaded at all is absent, not stale: a city with one source builds what that source supports.
GOVWH_FRESHNESS=warn (for historical exports covering different periods while onboarding)
reports a lag without stopping the build. The Dagster check around this is
dagster_project/ingestion/freshness.py.
"""

from __future__ import annotations

import datetime as dt

from govwh.workdays import is_working_day

EXPECT_THROUGH_ENV = "GOVWH_EXPECT_DATA_THROUGH"
FRESHNESS_ENV = "GOVWH_FRESHNESS"  # "error" (default): a lag stops the build; "warn": reported
CATALOGUE_MAX_AGE_DAYS = 31  # the catalogue is published at least monthly


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
    """The day every daily source must reach, and the loaded sources that stop before it
    (absent sources are not stale: see absent_sources)."""
    latest = [d for d in (case_day, ticket_day, expect_through) if d is not None]
    if not latest:
        return None, []
    expected = last_working_day_on_or_before(max(latest))
    stale = [
        f"{name} stops at {day}, expected data through {expected}"
        for name, day in (("case_logs", case_day), ("hall_tickets", ticket_day))
        if day is not None and day < expected
    ]
    if snapshot_day is not None and (expected - snapshot_day).days > CATALOGUE_MAX_AGE_DAYS:
        stale.append(
            f"service_items: latest catalogue snapshot {snapshot_day or 'none'} is more than "
            f"{CATALOGUE_MAX_AGE_DAYS} days before {expected}"
        )
    return expected, stale


def absent_sources(
    case_day: dt.date | None, ticket_day: dt.date | None, snapshot_day: dt.date | None
) -> list[str]:
    """The sources with no rows at all: the marts built on them are empty."""
    days = {"service_items": snapshot_day, "case_logs": case_day, "hall_tickets": ticket_day}
    return [name for name, day in days.items() if day is None]
