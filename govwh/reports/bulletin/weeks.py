"""ISO weeks as the bulletin names them (2019-W23)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_ISO_WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def previous(self) -> IsoWeek:
        year, week, _ = (self.start - dt.timedelta(days=7)).isocalendar()
        return IsoWeek(year, week)

    @classmethod
    def containing(cls, day: dt.date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)


def parse_iso_week(text: str) -> IsoWeek:
    """Parse '2019-W23'; a clear error for anything else."""
    match = _ISO_WEEK.match(text.strip())
    if not match:
        raise ValueError(f"week must look like 2019-W23, got {text!r}")
    year, week = int(match["year"]), int(match["week"])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a week of {year}: {exc}") from exc
    return IsoWeek(year, week)
