"""The daily cycle as a rule: which jobs a finished job starts, for which business day.

    build (06:00 daily; publishes the serving copy) → forecast → outbox (working days) or
    serving copy (other days), bulletin (Mondays), backup
    bulletin → public release

The build's success starts the forecast; the forecast's end (success or failure: the outbox and
the bulletin do not need it) starts the rest. The serving copy is published twice a day: by
the build, so that the day's data is seen as soon as it is built (and stays so if the
forecast fails), and by the day's last writer — the outbox, after its sent-log, on working
days; the serving job on the other days — so that it holds the forecasts too. The forecast
does not publish: a copy of the whole file between two writers would be read by nobody.

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
    WEEKLY_BULLETIN_JOB: 30,
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


def next_runs(finished_job: str, business_day: dt.date) -> list[NextRun]:
    """The jobs `finished_job`'s success starts for `business_day` (the day its cycle began)."""
    day = business_day.isoformat()
    if finished_job == BUILD_WAREHOUSE_JOB:
        return [NextRun(FORECAST_JOB, f"forecast-{day}")]
    if finished_job == FORECAST_JOB:
        runs = [NextRun(BACKUP_JOB, f"backup-{day}")]
        if is_working_day(business_day):
            runs.append(NextRun(DAILY_SUPERVISION_JOB, f"supervision-{day}"))
        else:
            runs.append(NextRun(SERVING_JOB, f"serving-{day}"))
        if business_day.isoweekday() == 1:
            week = previous_week(business_day)
            runs.append(NextRun(WEEKLY_BULLETIN_JOB, f"bulletin-{week.label}", week=week.label))
        return runs
    if finished_job == WEEKLY_BULLETIN_JOB:
        return [NextRun(PUBLIC_RELEASE_JOB, f"public-release-{day}")]
    return []
