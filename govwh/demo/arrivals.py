"""When cases arrive: item × day intensities from the working-day calendar, the long-term
trend and the item's depth (which decides how much of its demand comes in online)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from govwh.demo.calendar_arrays import WorkingCalendar
from govwh.demo.params import CaseParams

REFORM_START = (dt.date(2017, 1, 1) - dt.date(1970, 1, 1)).days
WEEKDAY_FACTOR = np.array([1.12, 1.05, 1.0, 0.98, 0.9, 1.0, 1.0])  # Mon..Sun (working weekends)


@dataclass(frozen=True)
class DayFactors:
    """Per day: demand on a working day relative to an ordinary one, and for days off the
    online demand that remains (0 for hall channels)."""

    workday: np.ndarray  # bool
    holiday: np.ndarray  # statutory holiday
    offline: np.ndarray  # factor for hall/mail/other channels (0 on days off)
    online: np.ndarray  # factor for online channels


def _surge_after(
    calendar: WorkingCalendar, days: np.ndarray, holiday: str, size: float, length: int = 6
) -> np.ndarray:
    """1 + size, decaying over the first `length` working days after the holiday ends."""
    index = calendar.index(days)
    lookback = 16
    first = max(int(index.min()) - lookback, 0)
    names = calendar.holiday_name[first : int(index.max()) + 1]
    in_holiday = calendar.is_holiday[first : int(index.max()) + 1] & (names == holiday)
    positions = np.where(in_holiday, np.arange(first, first + in_holiday.size), -(10**6))
    last_holiday_day = np.maximum.accumulate(positions)[index - first]
    since = calendar.workday_seq[index] - calendar.workday_seq[np.maximum(last_holiday_day, 0)]
    recent = (index - last_holiday_day) <= lookback
    ramp = np.clip(1 - (since - 1) / length, 0, 1)
    return 1 + size * np.where(recent & (since >= 1), ramp, 0.0)


def day_factors(calendar: WorkingCalendar, days: np.ndarray, p: CaseParams) -> DayFactors:
    index = calendar.index(days)
    workday = calendar.is_workday[index]
    holiday = calendar.is_holiday[index]
    weekday = (days + 3) % 7
    dates = days.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    days_in_month = (
        (month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")
    ).astype(int)
    day_of_month = (dates - month_start.astype("datetime64[D]")).astype(int) + 1
    month = month_start.astype(int) % 12 + 1
    years = (days - REFORM_START) / 365.25
    base = (1 + p.trend_per_year) ** years
    factor = base * np.where(calendar.is_makeup[index], 1.0, WEEKDAY_FACTOR[weekday])
    factor = factor * np.where(day_of_month > days_in_month - 4, 1 + p.month_end_factor, 1.0)
    factor = factor * np.where((month == 12) & (day_of_month >= 15), 1 + p.year_end_factor, 1.0)
    factor = factor * _surge_after(calendar, days, "Spring Festival", p.post_spring_festival_surge)
    factor = factor * _surge_after(calendar, days, "National Day", p.post_national_day_surge)
    off = base * np.where(holiday, p.holiday_online_factor, p.weekend_online_factor)
    return DayFactors(
        workday=workday,
        holiday=holiday,
        offline=np.where(workday, factor, 0.0),
        online=np.where(workday, factor, off),
    )


def online_share(depth: np.ndarray, days: np.ndarray, p: CaseParams) -> np.ndarray:
    """Share of an item's demand filed online, by its depth and the adoption of the year."""
    years = (np.asarray(days) - REFORM_START) / 365.25
    adoption = p.adoption_start + (1 - p.adoption_start) * np.clip(years / 4.0, 0.0, 1.0)
    by_depth = np.asarray(p.online_share_by_depth)[np.clip(depth, 1, 4) - 1]
    return np.where(depth >= 4, 1.0, by_depth * adoption)


def expected_arrivals(
    popularity: np.ndarray,
    active: np.ndarray,
    depth: np.ndarray,
    days: np.ndarray,
    factors: DayFactors,
    p: CaseParams,
) -> tuple[np.ndarray, np.ndarray]:
    """(offline, online) expected cases per item (rows) and day (columns)."""
    share = online_share(depth, days[None, :], p)
    rate = popularity[:, None] * active
    return rate * factors.offline[None, :] * (1 - share), rate * factors.online[None, :] * share
