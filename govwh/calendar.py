"""The mainland-China working-day calendar, built from `chinese_calendar` into a dbt seed.

Time limits count working days: statutory holidays are excluded and the make-up working
weekends (调休) count. The seed is data so that a city can override it with its official
calendar for later years; a date outside the covered range is an error, never a weekday.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import polars as pl

CALENDAR_FIRST_YEAR = 2016
CALENDAR_LAST_YEAR = 2026

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarRangeError(ValueError):
    """A date lies outside the years the working-day calendar covers."""


def _day_row(day: dt.date) -> dict[str, object]:
    try:
        is_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError as exc:  # the package's way of saying "year not covered"
        raise CalendarRangeError(f"no working-day calendar for {day.isoformat()}: {exc}") from exc
    is_weekend = day.weekday() >= 5
    is_workday = not is_holiday
    # A statutory holiday has a name and is off; a make-up workday is a weekend that works and
    # carries the name of the holiday it pays back.
    return {
        "calendar_date": day,
        "is_workday": is_workday,
        "is_statutory_holiday": bool(is_holiday and holiday_name),
        "is_makeup_workday": bool(is_workday and is_weekend),
        "holiday_name": holiday_name,
        "holiday_name_zh": HOLIDAY_NAMES_ZH.get(holiday_name) if holiday_name else None,
    }


def build_calendar(
    first_year: int = CALENDAR_FIRST_YEAR, last_year: int = CALENDAR_LAST_YEAR
) -> pl.DataFrame:
    """One row per day of the years, with working-day flags from `chinese_calendar`."""
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    days = pl.date_range(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), eager=True)
    return pl.DataFrame(
        [_day_row(day) for day in days],
        schema_overrides={"holiday_name": pl.String, "holiday_name_zh": pl.String},
    )


def write_calendar_seed(
    path: Path, first_year: int = CALENDAR_FIRST_YEAR, last_year: int = CALENDAR_LAST_YEAR
) -> int:
    """Write the calendar seed CSV; returns the number of days written."""
    calendar = build_calendar(first_year, last_year)
    path.parent.mkdir(parents=True, exist_ok=True)
    calendar.write_csv(path)
    return calendar.height
