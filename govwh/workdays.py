"""Is a day a working day? From the calendar seed, so schedules follow the same calendar as
the time limits (make-up weekends work, statutory holidays do not)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import polars as pl

from govwh.calendar import CalendarRangeError
from govwh.settings import CALENDAR_SEED


@cache
def _workdays(seed_path: Path) -> dict[dt.date, bool]:
    calendar = pl.read_csv(seed_path, try_parse_dates=True, columns=["calendar_date", "is_workday"])
    return dict(zip(calendar["calendar_date"], calendar["is_workday"], strict=True))


def is_working_day(day: dt.date, seed_path: Path = CALENDAR_SEED) -> bool:
    """Working day per the calendar seed; a day outside it is an error, never a guess."""
    workdays = _workdays(seed_path)
    if day not in workdays:
        raise CalendarRangeError(
            f"{day.isoformat()} is outside the working-day calendar {seed_path.name}: "
            "extend seeds/calendar.csv (govwh calendar) or load the city's official calendar"
        )
    return workdays[day]
