"""The parameters that shape the demo city, per scale, in one place (docs/demo-data.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleParams:
    name: str
    start: dt.date
    end: dt.date
    cases_per_workday: float  # city-wide arrivals on an ordinary working day in the start year
    county_items: int  # service items each county implements (in scope)
    county_public_items: int  # public-service items each county implements
    township_items: int  # items each township implements
    city_public_items: int  # city-level public-service items


SCALES: dict[str, ScaleParams] = {
    "tiny": ScaleParams("tiny", dt.date(2018, 11, 1), dt.date(2019, 3, 31), 60, 8, 3, 2, 20),
    "small": ScaleParams("small", dt.date(2017, 1, 1), dt.date(2019, 12, 31), 420, 40, 15, 4, 100),
    "city": ScaleParams(
        "city", dt.date(2017, 1, 1), dt.date(2021, 12, 31), 5600, 250, 100, 10, 400
    ),
    "province": ScaleParams(
        "province", dt.date(2017, 1, 1), dt.date(2021, 12, 31), 36000, 250, 100, 10, 400
    ),
}

# The 2017 calibration target (Zhengzhou): city-level administrative items by depth level.
CALIBRATION_DATE = dt.date(2017, 12, 31)
CITY_ITEMS_BY_DEPTH = {1: 297, 2: 79, 3: 4, 4: 3}  # 383 in all

# Reform trajectory: mean years after the calibration date until an item moves up one level,
# scaled per department and per county by a "pace" factor (laggards move slower).
YEARS_TO_UPGRADE = {1: 1.6, 2: 2.6, 3: 3.0}
PACE_RANGE = (0.55, 2.2)  # multiplier on the mean; > 1 is a laggard

# Demand.
ANNUAL_GROWTH = 0.06
HOLIDAY_ONLINE_FACTOR = 0.25  # online filings on statutory holidays vs a working day
WEEKEND_ONLINE_FACTOR = 0.35
POST_HOLIDAY_SURGE = 1.35  # first working days after Spring Festival / National Day
MONTH_END_PEAK = 1.15
YEAR_END_PEAK = 1.2
NOT_ACCEPTED_SHARE = 0.02
WITHDRAWN_SHARE = 0.015
DENIED_SHARE = 0.02
SUSPENDED_SHARE = 0.05  # of cases with a limit of at least 10 working days
RATED_SHARE = 0.25
DEFAULT_RATING_SHARE = 0.1

# Halls.
CONSULTATION_SHARE = 0.35  # tickets without a case, as a share of case tickets
NO_SHOW_SHARE = 0.04  # of consultation tickets called
SERVICE_MINUTES_MEAN = 11.0
PATIENCE_MINUTES_MEAN = 45.0
