"""The daily supervision run follows the working-day calendar; the bulletin runs Mondays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dagster import RunRequest, SkipReason, build_schedule_context

from dagster_project.reports.assets import weekly_bulletin_schedule
from dagster_project.supervision.assets import daily_supervision_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _evaluate(schedule, day: dt.date, hour: int = 7):
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(
            day.year, day.month, day.day, hour, 30, tzinfo=SHANGHAI
        )
    )
    return schedule(context)


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        # Spring Festival 2019: 4–10 February off, Saturday 2 and Sunday 3 February worked.
        (dt.date(2019, 2, 1), True),
        (dt.date(2019, 2, 2), True),  # make-up working Saturday
        (dt.date(2019, 2, 3), True),  # make-up working Sunday
        (dt.date(2019, 2, 4), False),
        (dt.date(2019, 2, 5), False),  # Chinese New Year
        (dt.date(2019, 2, 8), False),
        (dt.date(2019, 2, 9), False),
        (dt.date(2019, 2, 10), False),
        (dt.date(2019, 2, 11), True),
        # National Day 2019: make-up Saturday 12 October, ordinary Sunday 13 October.
        (dt.date(2019, 10, 12), True),
        (dt.date(2019, 10, 13), False),
    ],
)
def test_supervision_runs_on_working_days_only(day: dt.date, runs: bool) -> None:
    result = _evaluate(daily_supervision_schedule, day)
    assert isinstance(result, RunRequest if runs else SkipReason)
    if runs:
        assert result.run_key == f"supervision-{day}"


def test_supervision_refuses_days_outside_the_calendar() -> None:
    with pytest.raises(Exception, match="outside the working-day calendar"):
        _evaluate(daily_supervision_schedule, dt.date(2027, 3, 1))


def test_bulletin_on_monday_covers_the_previous_iso_week() -> None:
    request = _evaluate(weekly_bulletin_schedule, dt.date(2019, 6, 10), hour=6)
    assert request.run_config == {"ops": {"weekly_bulletin": {"config": {"week": "2019-W23"}}}}
    # across a year boundary: ISO week 2020-W01 runs from Monday 30 December 2019
    request = _evaluate(weekly_bulletin_schedule, dt.date(2020, 1, 6), hour=6)
    assert request.run_key == "bulletin-2020-W01"
