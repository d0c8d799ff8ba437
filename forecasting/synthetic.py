"""Synthetic daily arrivals on the real working-day calendar, for tests and examples.

Weekday profile (Monday busiest), nothing in the hall on days off and a fraction online,
surges after the Spring Festival and National Day, month-end peaks, yearly growth and
Poisson noise: the shape of the demo city, without needing a warehouse.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from forecasting.calendar import calendar_features

WEEKDAY_FACTOR = {1: 1.25, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.9, 6: 1.0, 7: 1.0}


def synthetic_arrivals(
    calendar: pl.DataFrame,
    *,
    start: date,
    end: date,
    levels: dict[str, float],
    online_offday_share: float = 0.3,
    growth_per_year: float = 0.1,
    seed: int = 0,
) -> pl.DataFrame:
    """``(series_id, date, y, group)``; a series id ending in ``:online`` gets weekend demand."""
    feats = calendar_features(calendar).filter(pl.col("calendar_date").is_between(start, end))
    rng = np.random.default_rng(seed)
    n = len(feats)
    work = feats["is_workday"].to_numpy().astype(bool)
    dow = feats["iso_dow"].to_numpy()
    wd_after = feats["workdays_after_holiday"].to_numpy()
    last_hol = feats["last_holiday_code"].to_numpy()
    to_month_end = feats["workdays_to_month_end"].to_numpy()
    t_years = np.arange(n) / 365.25

    weekday = np.vectorize(WEEKDAY_FACTOR.get)(dow)
    surge = np.where((last_hol == 2) & (wd_after <= 6), 1 + 0.45 * (7 - wd_after) / 6, 1.0)
    surge *= np.where((last_hol == 7) & (wd_after <= 4), 1.3, 1.0)
    month_end = np.where(work & (to_month_end < 3), 1.18, 1.0)
    base = weekday * surge * month_end * (1 + growth_per_year) ** t_years

    frames = []
    for sid, level in levels.items():
        online = sid.endswith(":online")
        day = np.where(work, 1.0, online_offday_share if online else 0.0)
        y = rng.poisson(level * base * day)
        frames.append(
            pl.DataFrame(
                {
                    "series_id": sid,
                    "date": feats["calendar_date"],
                    "y": y.astype(np.float64),
                    "group": "online" if online else "hall",
                }
            )
        )
    return pl.concat(frames)
