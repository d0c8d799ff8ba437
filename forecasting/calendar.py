"""The working-day calendar as model features: one row per date, no lookups at run time.

Input is the calendar seed (``seeds/calendar.csv``) or ``marts.dim_date``: columns
``calendar_date, is_workday, is_statutory_holiday, is_makeup_workday, holiday_name``.
Every feature of a date is known in advance, so all of them are valid at any horizon.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

CALENDAR_COLUMNS = (
    "calendar_date",
    "is_workday",
    "is_statutory_holiday",
    "is_makeup_workday",
    "holiday_name",
)

#: distances to/after holidays are capped here (a holiday further away has no effect)
DISTANCE_CAP = 30

#: holiday names in a fixed order, so the categorical codes never change between runs
HOLIDAY_CODES: dict[str, int] = {
    "New Year's Day": 1,
    "Spring Festival": 2,
    "Tomb-sweeping Day": 3,
    "Labour Day": 4,
    "Dragon Boat Festival": 5,
    "Mid-autumn Festival": 6,
    "National Day": 7,
}

FEATURE_COLUMNS = (
    "iso_dow",
    "is_workday",
    "is_holiday",
    "is_makeup",
    "month",
    "day_of_month",
    "day_of_year",
    "workday_of_month",
    "workdays_to_month_end",
    "days_to_holiday",
    "days_after_holiday",
    "workdays_after_holiday",
    "next_holiday_code",
    "last_holiday_code",
    "is_first_workday_after_break",
    "is_last_workday_before_break",
)


def load_calendar_csv(path: Path) -> pl.DataFrame:
    """Read the calendar seed CSV into the canonical calendar columns."""
    frame = pl.read_csv(path, try_parse_dates=True)
    return normalise_calendar(frame)


def normalise_calendar(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the canonical columns with their types, sorted by date, gaps refused."""
    missing = [c for c in CALENDAR_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"calendar lacks columns {missing}")
    out = (
        frame.select(CALENDAR_COLUMNS)
        .with_columns(
            pl.col("calendar_date").cast(pl.Date),
            *(pl.col(c).cast(pl.Boolean) for c in CALENDAR_COLUMNS[1:4]),
            pl.col("holiday_name").cast(pl.String),
        )
        .sort("calendar_date")
    )
    days = out["calendar_date"].to_numpy().astype("datetime64[D]")
    if len(days) > 1 and not np.all(np.diff(days).astype(int) == 1):
        raise ValueError("calendar has gaps: every date between the first and last is needed")
    return out


def calendar_range(calendar: pl.DataFrame) -> tuple[date, date]:
    dates = calendar["calendar_date"]
    return dates.min(), dates.max()  # type: ignore[return-value]


def require_covered(calendar: pl.DataFrame, first: date, last: date) -> None:
    """Refuse dates outside the calendar instead of treating them as plain weekdays."""
    lo, hi = calendar_range(calendar)
    if first < lo or last > hi:
        raise ValueError(
            f"dates {first}..{last} are outside the working-day calendar {lo}..{hi}; "
            "extend seeds/calendar.csv (govwh calendar) first"
        )


def _run_distance(flags: np.ndarray, *, forward: bool, cap: int) -> np.ndarray:
    """Days until the next True (forward) or since the last True (backward), 0 on a True."""
    n = len(flags)
    out = np.full(n, cap, dtype=np.int64)
    idx = np.arange(n)
    marks = np.where(flags, idx, -1 if not forward else n + cap)
    if forward:
        nxt = np.minimum.accumulate(marks[::-1])[::-1]
        out = np.minimum(nxt - idx, cap)
    else:
        last = np.maximum.accumulate(marks)
        out = np.where(last >= 0, np.minimum(idx - last, cap), cap)
    return out.astype(np.int64)


def _holiday_code(names: pl.Series) -> np.ndarray:
    return (
        names.replace_strict(HOLIDAY_CODES, default=8, return_dtype=pl.Int64)
        .fill_null(0)
        .to_numpy()
    )


def calendar_features(calendar: pl.DataFrame) -> pl.DataFrame:
    """One row per calendar date with the features in ``FEATURE_COLUMNS``.

    Distances count calendar days to the next / since the last statutory holiday (0 on the
    holiday itself, capped at ``DISTANCE_CAP``); ``workdays_after_holiday`` counts working
    days since the last holiday (1 on the first working day back), which is how post-holiday
    surges fade. Make-up working days (调休) are working days on a weekend.
    """
    cal = normalise_calendar(calendar)
    work = cal["is_workday"].to_numpy().astype(bool)
    hol = cal["is_statutory_holiday"].to_numpy().astype(bool)
    makeup = cal["is_makeup_workday"].to_numpy().astype(bool)
    dates = cal["calendar_date"]
    n = len(cal)

    to_hol = _run_distance(hol, forward=True, cap=DISTANCE_CAP)
    after_hol = _run_distance(hol, forward=False, cap=DISTANCE_CAP)

    # working days since the last holiday: cumulative workdays minus those at the holiday
    cum_work = np.cumsum(work)
    idx = np.arange(n)
    last_hol = np.maximum.accumulate(np.where(hol, idx, -1))
    wd_after = np.where(last_hol >= 0, cum_work - cum_work[np.maximum(last_hol, 0)], DISTANCE_CAP)
    wd_after = np.minimum(wd_after, DISTANCE_CAP)

    names = cal["holiday_name"].to_numpy()
    hol_names = pl.Series(np.where(hol, names, None), dtype=pl.String)
    next_name = hol_names.fill_null(strategy="backward")
    last_name = hol_names.fill_null(strategy="forward")

    # breaks: any run of non-working days; first/last working day around a break of ≥ 3 days
    off = ~work
    prev_off_run = np.zeros(n, dtype=np.int64)
    next_off_run = np.zeros(n, dtype=np.int64)
    run = 0
    for i in range(n):  # short loop over ~4k dates
        prev_off_run[i] = run
        run = run + 1 if off[i] else 0
    run = 0
    for i in range(n - 1, -1, -1):
        next_off_run[i] = run
        run = run + 1 if off[i] else 0

    frame = cal.select("calendar_date").with_columns(
        iso_dow=dates.dt.weekday().cast(pl.Int64),
        is_workday=pl.Series(work.astype(np.int64)),
        is_holiday=pl.Series(hol.astype(np.int64)),
        is_makeup=pl.Series(makeup.astype(np.int64)),
        month=dates.dt.month().cast(pl.Int64),
        day_of_month=dates.dt.day().cast(pl.Int64),
        day_of_year=dates.dt.ordinal_day().cast(pl.Int64),
        days_to_holiday=pl.Series(to_hol),
        days_after_holiday=pl.Series(after_hol),
        workdays_after_holiday=pl.Series(wd_after.astype(np.int64)),
        next_holiday_code=pl.Series(_holiday_code(next_name)),
        last_holiday_code=pl.Series(_holiday_code(last_name)),
        is_first_workday_after_break=pl.Series((work & (prev_off_run >= 3)).astype(np.int64)),
        is_last_workday_before_break=pl.Series((work & (next_off_run >= 3)).astype(np.int64)),
        _work=pl.Series(work.astype(np.int64)),
    )
    month_key = dates.dt.truncate("1mo")
    frame = frame.with_columns(_m=month_key).with_columns(
        workday_of_month=pl.col("_work").cum_sum().over("_m") * pl.col("_work"),
        workdays_to_month_end=(
            pl.col("_work").sum().over("_m") - pl.col("_work").cum_sum().over("_m")
        ),
    )
    return frame.select("calendar_date", *FEATURE_COLUMNS)


def workday_sequence(calendar: pl.DataFrame) -> np.ndarray:
    """Cumulative count of working days up to and including each date (dim_date.workday_seq)."""
    return np.cumsum(calendar["is_workday"].cast(pl.Int64).to_numpy())
