"""Working-day arithmetic on arrays of day numbers, from the calendar seed (or, when the seed
is missing, the same calendar built from `chinese_calendar`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from govwh.settings import CALENDAR_SEED

EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class WorkingCalendar:
    first_day: int  # day number (days since 1970-01-01) of the first calendar date
    is_workday: np.ndarray  # bool per day
    is_holiday: np.ndarray  # statutory holiday (day off)
    is_makeup: np.ndarray  # weekend working day (调休)
    holiday_name: np.ndarray  # str per day ("" when none)
    workday_seq: np.ndarray  # working days up to and including the day
    workdays: np.ndarray  # day numbers of the working days, by sequence (index 0 = seq 1)

    @classmethod
    def from_frame(cls, calendar: pl.DataFrame) -> WorkingCalendar:
        calendar = calendar.sort("calendar_date")
        days = calendar["calendar_date"].cast(pl.Int64).to_numpy()  # days since 1970-01-01
        is_workday = calendar["is_workday"].to_numpy()
        return cls(
            first_day=int(days[0]),
            is_workday=is_workday,
            is_holiday=calendar["is_statutory_holiday"].to_numpy(),
            is_makeup=calendar["is_makeup_workday"].to_numpy(),
            holiday_name=calendar["holiday_name"].fill_null("").to_numpy().astype(str),
            workday_seq=np.cumsum(is_workday),
            workdays=days[is_workday],
        )

    @classmethod
    def from_seed(cls, path: Path = CALENDAR_SEED) -> WorkingCalendar:
        if not path.exists():
            from govwh.calendar import build_calendar

            return cls.from_frame(build_calendar())
        return cls.from_frame(pl.read_csv(path, try_parse_dates=True))

    @property
    def last_day(self) -> int:
        return self.first_day + len(self.is_workday) - 1

    def index(self, day: np.ndarray | int) -> np.ndarray:
        position = np.asarray(day) - self.first_day
        if np.any(position < 0) or np.any(position >= len(self.is_workday)):
            raise ValueError("a generated date falls outside the working-day calendar seed")
        return position

    def seq(self, day: np.ndarray | int) -> np.ndarray:
        return self.workday_seq[self.index(day)]

    def workday_at(self, seq: np.ndarray) -> np.ndarray:
        """Day number of the working day with this sequence number (clipped to the calendar)."""
        return self.workdays[np.clip(np.asarray(seq) - 1, 0, len(self.workdays) - 1)]

    def next_workday(self, day: np.ndarray) -> np.ndarray:
        """The day itself when it is a working day, else the next working day."""
        seq = self.seq(day)
        return np.where(self.is_workday[self.index(day)], day, self.workday_at(seq + 1))

    def nth_workday_after(self, day: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after `day` (the day itself for n = 0)."""
        n = np.asarray(n)
        return np.where(n > 0, self.workday_at(self.seq(day) + n), day)


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days
