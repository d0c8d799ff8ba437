"""The daily cycle as a rule: which jobs a finished job starts, for which business day.

    build (06:00 daily) → forecast → backup, and outbox (working days) or serving copy (other
    days) → bulletin (Mondays) → public release

The build's success starts the forecast; the forecast's end (success or failure: the outbox
does not need it) starts the backup and the day's last writer — the outbox, after its
sent-log, on working days; the serving job on the other days — which publishes the serving
copy once, with the day's data, forecasts and sent-log. The bulletin reads the serving copy,
so it follows the publication; an outbox that fails still has the serving job publish.

A build the cycle starts (the schedule, the landing-folder sensor) does not publish: a copy of
the whole file (21 GB at province scale, 30-40 s) replaced a few minutes later by the last
writer's was half of the province cycle's copying. A build started by hand (`govwh build`,
the UI) publishes at its end, as nothing may follow it.

Jobs start on the success of what they need, never on a clock offset; the run queue runs them
one at a time (DuckDB admits one writer), the highest priority first, so jobs fired together
still run in this order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from govwh.jobs import (
    BACKUP_JOB,
    BUILD_WAREHOUSE_JOB,
    DAILY_SUPERVISION_JOB,
    FORECAST_JOB,
    PUBLIC_RELEASE_JOB,
    SERVING_JOB,
    WEEKLY_BULLETIN_JOB,
)
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.workdays import is_working_day

# The run queue launches the highest priority first: the order of the cycle.
PRIORITY = {
    BUILD_WAREHOUSE_JOB: 50,
    FORECAST_JOB: 40,
    DAILY_SUPERVISION_JOB: 30,
    SERVING_JOB: 30,
    WEEKLY_BULLETIN_JOB: 25,  # after the publication it reads, when fired together
    PUBLIC_RELEASE_JOB: 20,
    BACKUP_JOB: 10,
}


@dataclass(frozen=True)
class NextRun:
    job: str
    run_key: str
    week: str | None = None  # the bulletin's ISO week
    reasons: list[str] = field(default_factory=list)


def previous_week(day: dt.date) -> IsoWeek:
    """The last complete ISO week before `day`."""
    return IsoWeek.containing(day - dt.timedelta(days=7))


def next_runs(finished_job: str, business_day: dt.date, succeeded: bool = True) -> list[NextRun]:
    """The jobs `finished_job`'s end starts for `business_day` (the day its cycle began):
    its success, or (``succeeded`` false) its failure where the cycle goes on without it."""
    day = business_day.isoformat()
    publish = NextRun(SERVING_JOB, f"serving-{day}")
    if finished_job == FORECAST_JOB:  # either way: the outbox and the copy do not need it
        runs = [NextRun(BACKUP_JOB, f"backup-{day}")]
        if is_working_day(business_day):
            runs.append(NextRun(DAILY_SUPERVISION_JOB, f"supervision-{day}"))
        else:
            runs.append(publish)
        return runs
    if finished_job == DAILY_SUPERVISION_JOB and not succeeded:
        return [publish]  # the day's data and forecasts are published all the same
    if not succeeded:
        return []
    if finished_job == BUILD_WAREHOUSE_JOB:
        return [NextRun(FORECAST_JOB, f"forecast-{day}")]
    if finished_job in (DAILY_SUPERVISION_JOB, SERVING_JOB) and business_day.isoweekday() == 1:
        week = previous_week(business_day)
        return [NextRun(WEEKLY_BULLETIN_JOB, f"bulletin-{week.label}", week=week.label)]
    if finished_job == WEEKLY_BULLETIN_JOB:
        return [NextRun(PUBLIC_RELEASE_JOB, f"public-release-{day}")]
    return []
