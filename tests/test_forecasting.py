"""Unit tests of the forecasting package: calendar features, metrics, baselines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecasting.baselines import last_year_same_workday, seasonal_naive
from forecasting.calendar import calendar_features, load_calendar_csv, require_covered
from forecasting.metrics import coverage, mase, mase_scale, wape
from forecasting.panel import build_panel

CALENDAR_CSV = Path(__file__).resolve().parent.parent / "seeds" / "calendar.csv"


@pytest.fixture(scope="module")
def calendar() -> pl.DataFrame:
    return load_calendar_csv(CALENDAR_CSV)


@pytest.fixture(scope="module")
def features(calendar: pl.DataFrame) -> pl.DataFrame:
    return calendar_features(calendar)


def _row(features: pl.DataFrame, day: date) -> dict:
    return features.filter(pl.col("calendar_date") == day).row(0, named=True)


def test_national_day_2019_distances_and_makeup_days(features: pl.DataFrame) -> None:
    # 2019: holiday 1–7 Oct, make-up working days Sun 29 Sep and Sat 12 Oct
    sun = _row(features, date(2019, 9, 29))
    assert sun["is_makeup"] == 1 and sun["is_workday"] == 1 and sun["iso_dow"] == 7
    assert sun["days_to_holiday"] == 2  # 29 Sep → 1 Oct
    assert _row(features, date(2019, 10, 1))["days_to_holiday"] == 0
    assert _row(features, date(2019, 10, 1))["is_holiday"] == 1
    back = _row(features, date(2019, 10, 8))
    assert back["days_after_holiday"] == 1
    assert back["workdays_after_holiday"] == 1
    assert back["is_first_workday_after_break"] == 1
    assert back["last_holiday_code"] == 7  # National Day
    assert _row(features, date(2019, 10, 9))["workdays_after_holiday"] == 2
    sat = _row(features, date(2019, 10, 12))
    assert sat["is_makeup"] == 1 and sat["workdays_after_holiday"] == 5
    assert _row(features, date(2019, 9, 30))["is_last_workday_before_break"] == 1
    # an ordinary Friday before a weekend is not the last day before a (≥ 3-day) break
    assert _row(features, date(2019, 10, 18))["is_last_workday_before_break"] == 0


def test_month_end_working_days(features: pl.DataFrame) -> None:
    # September 2019: last working days are Fri 27, Sun 29 (make-up) and Mon 30
    assert _row(features, date(2019, 9, 30))["workdays_to_month_end"] == 0
    assert _row(features, date(2019, 9, 29))["workdays_to_month_end"] == 1
    assert _row(features, date(2019, 9, 27))["workdays_to_month_end"] == 2
    assert _row(features, date(2019, 9, 2))["workday_of_month"] == 1
    assert _row(features, date(2019, 9, 1))["workday_of_month"] == 0  # Sunday, off


def test_spring_festival_code_and_next_holiday(features: pl.DataFrame) -> None:
    row = _row(features, date(2019, 1, 20))
    assert row["next_holiday_code"] == 2  # Spring Festival 2019-02-04…10
    assert row["days_to_holiday"] == 15


def test_dates_outside_calendar_are_refused(calendar: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="outside the working-day calendar"):
        require_covered(calendar, date(2020, 1, 1), date(2031, 1, 1))


def test_metrics_on_hand_computed_examples() -> None:
    history = np.array([10, 12, 14, 16, 18, 11, 13, 15, 17, 19])  # seasonal diffs all 1
    assert mase_scale(history) == pytest.approx(1.0)
    actual = np.array([10.0, 20.0, 30.0, 40.0])
    forecast = np.array([12.0, 18.0, 33.0, 40.0])
    assert mase(actual, forecast, 2.0) == pytest.approx((2 + 2 + 3 + 0) / 4 / 2.0)
    assert wape(actual, forecast) == pytest.approx(7 / 100)
    assert coverage(actual, actual - 1, actual + np.array([1, -1, 0, 2])) == pytest.approx(0.75)
    assert np.isnan(mase(actual, forecast, 0.0))
    assert np.isnan(wape(np.zeros(3), np.ones(3)))
    assert np.isnan(mase_scale(np.ones(5)))


def test_seasonal_naive_steps_over_holidays_by_working_day(calendar: pl.DataFrame) -> None:
    dates = pl.date_range(date(2019, 9, 2), date(2019, 10, 31), "1d", eager=True)
    obs = pl.DataFrame({"series_id": "s", "date": dates, "y": np.arange(len(dates), dtype=float)})
    panel = build_panel(obs, calendar, end=date(2019, 9, 30), future_days=31)
    origin = panel.day_index(date(2019, 9, 30))
    fc = seasonal_naive(panel, origin, 20)[0]
    # Tue 8 Oct is the 1st working day after the origin; 5 working days before it are
    # 30 Sep, Sun 29 Sep (make-up), 27, 26 and 25 Sep: the forecast is 25 Sep's value
    day = panel.day_index(date(2019, 10, 8))
    assert fc[day - origin - 1] == panel.values[0, panel.day_index(date(2019, 9, 25))]
    # Wed 16 Oct is the 7th working day ahead: lag 10 lands on 27 Sep
    day = panel.day_index(date(2019, 10, 16))
    assert fc[day - origin - 1] == panel.values[0, panel.day_index(date(2019, 9, 27))]
    # a holiday gets the last day off at or before the origin (Sat 28 Sep)
    hol = panel.day_index(date(2019, 10, 3))
    assert fc[hol - origin - 1] == panel.values[0, panel.day_index(date(2019, 9, 28))]


def test_last_year_same_working_day(calendar: pl.DataFrame) -> None:
    dates = pl.date_range(date(2018, 1, 1), date(2019, 3, 31), "1d", eager=True)
    obs = pl.DataFrame({"series_id": "s", "date": dates, "y": np.arange(len(dates), dtype=float)})
    panel = build_panel(obs, calendar, end=date(2019, 3, 1), future_days=30)
    origin = panel.day_index(date(2019, 3, 1))
    fc = last_year_same_workday(panel, origin, 10)[0]
    # Mon 4 Mar 2019 ← Mon 5 Mar 2018 (364 days earlier, a working day)
    assert fc[2] == panel.values[0, panel.day_index(date(2018, 3, 5))]


def test_backtest_summary_and_check_on_a_hand_made_frame() -> None:
    from forecasting.backtest import check_against_baseline, summarise

    forecasts = pl.DataFrame(
        {
            "series_id": ["a", "a", "b", "b"],
            "horizon": [1, 8, 1, 8],
            "day_type": ["workday"] * 4,
            "actual": [10.0, 20.0, 4.0, 0.0],
            "yhat": [11.0, 18.0, 4.0, 1.0],
            "lo80": [9.0, 19.0, 3.0, 0.0],
            "hi80": [12.0, 19.5, 5.0, 2.0],
            "lo95": [8.0, 15.0, 2.0, 0.0],
            "hi95": [13.0, 25.0, 6.0, 3.0],
            "seasonal_naive": [14.0, 14.0, 2.0, 2.0],
            "last_year": [10.0, 10.0, 4.0, 4.0],
        }
    )
    scales = pl.DataFrame({"series_id": ["a", "b"], "scale": [2.0, 1.0]})
    m = summarise(forecasts, scales)

    def get(series: str, method: str, col: str, week: int = 0) -> float:
        row = m.filter(
            pl.col("series_id") == series,
            pl.col("method") == method,
            pl.col("horizon_week") == week,
        )
        return row[col][0]

    assert get("a", "model", "mase") == pytest.approx((1 + 2) / 2 / 2.0)
    assert get("b", "model", "mase") == pytest.approx((0 + 1) / 2 / 1.0)
    assert get("a", "seasonal_naive", "mase") == pytest.approx((4 + 6) / 2 / 2.0)
    assert get("ALL", "model", "mase") == pytest.approx((0.75 + 0.5) / 2)
    assert get("ALL", "model", "wape") == pytest.approx(4 / 34)
    assert get("ALL", "model", "coverage80") == pytest.approx(0.75)  # 20 is outside 19–19.5
    assert get("a", "model", "mase", week=2) == pytest.approx(2 / 2.0)
    assert get("a", "seasonal_naive", "coverage80") is None
    check = check_against_baseline(m, required_improvement=0.2)
    # seasonal naive: a 2.5, b 2.0 → 2.25; model 0.625 → 72 % better
    assert check.passed and check.improvement == pytest.approx(1 - 0.625 / 2.25)
    assert not check_against_baseline(m, required_improvement=0.8).passed
