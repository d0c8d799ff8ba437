"""Source freshness: no source may lag the others, so no report is built on stale data.

The expected day is the last working day covered by the freshest source; with
GOVWH_EXPECT_DATA_THROUGH=YYYY-MM-DD (set it in production to yesterday) every source must
also reach that day. The Dagster check around this is dagster_project/ingestion/freshness.py.
"""

from __future__ import annotations

import datetime as dt

from govwh.workdays import is_working_day

EXPECT_THROUGH_ENV = "GOVWH_EXPECT_DATA_THROUGH"
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
