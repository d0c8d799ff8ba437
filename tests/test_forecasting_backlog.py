"""Backlog projection arithmetic on hand-made cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecasting.backlog import MAX_AGE, completion_profile, project_backlog, project_department
from forecasting.calendar import load_calendar_csv

CALENDAR_CSV = Path(__file__).resolve().parent.parent / "seeds" / "calendar.csv"


def test_completion_profile_is_kaplan_meier() -> None:
    # 4 cases done at age 3, due at age 1; one open case censored at age 1
    completed = np.array([3, 3, 3, 3, -1])
    observed = np.array([50, 50, 50, 50, 1])
    due = np.array([1, 1, 1, 1, 1])
    p = completion_profile(completed, observed, due)
    assert p.survival[:4] == pytest.approx([1, 1, 1, 0])
    # past due from age 2 on while still open: only age 2 has open cases past due
    assert p.overdue[:4] == pytest.approx([0, 0, 1, 0])
    # censoring: half done at age 1 among 2 at risk, the other still open when last seen
    q = completion_profile(np.array([1, -1]), np.array([10, 1]), np.array([5, 5]))
    assert q.survival[0] == 1 and q.survival[1] == pytest.approx(0.5)


def _share_late_by_matrix(
    completed: np.ndarray, observed: np.ndarray, due: np.ndarray
) -> np.ndarray:
    """The share past due per age as first written: one (cases × ages) matrix per condition.
    Exact and plain, but GBs at province scale; the profile now counts it in one pass."""
    done = completed >= 0
    event = done & (completed <= observed)
    duration = np.clip(np.where(event, completed, observed), 0, MAX_AGE)
    ages = np.arange(MAX_AGE + 1)[None, :]
    risk = ((~event[:, None]) | (duration[:, None] > ages)) & (observed[:, None] > ages)
    late = risk & (due[:, None] < ages)
    return np.where(risk.sum(0) > 0, late.sum(0) / np.maximum(risk.sum(0), 1), 0.0)


def test_the_overdue_share_is_the_matrix_count_exactly() -> None:
    """Open and completed cases, ages beyond the last one kept, due dates before acceptance
    and never: the one-pass count equals the matrix, so the projection is unchanged."""
    rng = np.random.default_rng(7)
    n = 5000
    observed = rng.integers(0, MAX_AGE + 60, n)
    completed = np.where(rng.random(n) < 0.7, rng.integers(-3, MAX_AGE + 30, n), -1)
    due = rng.integers(-2, 40, n)
    due[rng.random(n) < 0.05] = MAX_AGE  # no due date
    profile = completion_profile(completed, observed, due)
    expected = _share_late_by_matrix(completed, observed, due)
    assert expected.max() > 0.1  # the draw has overdue cases at many ages
    assert np.array_equal(profile.overdue, profile.survival * expected)


def test_projection_ages_cohorts_and_existing_cases() -> None:
    p = completion_profile(np.array([3, 3]), np.array([50, 50]), np.array([1, 1]))
    open_cases, overdue = project_department(
        p, open_age=np.array([1]), open_due_age=np.array([1]), arrivals=np.array([10.0, 0, 0, 0])
    )
    # the 10 new cases stay open 3 working days and are overdue on the 3rd;
    # the existing case (age 1, due at age 1) is open and overdue tomorrow, done after
    assert open_cases == pytest.approx([11, 10, 10, 0])
    assert overdue == pytest.approx([1, 0, 10, 0])


def test_project_backlog_frames_and_weekend_arrivals() -> None:
    calendar = load_calendar_csv(CALENDAR_CSV)
    as_of = date(2021, 12, 24)  # Friday
    acc = [date(2021, 11, d) for d in (1, 2, 3, 8, 9, 10, 15, 16, 17, 22)]
    cases = pl.DataFrame(
        {
            "department_code": "D",
            "acceptance_date": acc,
            "end_date": [date(2021, 11, d + 2) for d in (1, 2, 3, 8, 9, 10, 15, 16, 17, 22)],
            "due_date": [date(2021, 11, 30)] * 10,
        }
    )
    arrivals = pl.DataFrame(
        {
            "department_code": "D",
            "date": [date(2021, 12, 25), date(2021, 12, 27)],  # Saturday → Monday
            "expected": [4.0, 6.0],
        }
    )
    out = project_backlog(cases, arrivals, calendar, as_of)
    first = out.filter(pl.col("workdays_ahead") == 1).row(0, named=True)
    assert first["date"] == date(2021, 12, 27)
    assert first["expected_accepted"] == pytest.approx(10.0)
    assert first["open_cases_today"] == 0
    assert out.height == 20
    assert out["open_cases"].max() == pytest.approx(10.0)


def test_hour_slots_and_hourly_split() -> None:
    from datetime import time

    from forecasting.hall_traffic import OpeningHours, hour_slots, split_into_hours

    slots = hour_slots(OpeningHours(time(9), time(17, 30), time(12), time(13, 30)))
    assert slots["hour"].to_list() == list(range(9, 18))
    assert slots.filter(pl.col("hour") == 17)["interval_minutes"][0] == 30
    assert slots.filter(pl.col("hour") == 12)["lunch_minutes"][0] == 60
    assert slots.filter(pl.col("hour") == 13)["lunch_minutes"][0] == 30
    daily = pl.DataFrame(
        {
            "series_id": ["H1"],
            "date": [date(2022, 1, 4)],
            "horizon": [1],
            "yhat": [100.0],
            "mean": [100.0],
            "lo80": [80.0],
            "hi80": [120.0],
            "lo95": [70.0],
            "hi95": [130.0],
            "model_version": ["v"],
        }
    )
    profile = pl.DataFrame({"hall_code": ["H1", "H1"], "hour": [9, 10], "share": [0.25, 0.75]})
    hourly = split_into_hours(daily, profile)
    assert hourly["mean"].to_list() == pytest.approx([25.0, 75.0])
    # sd: day sd 20/1.2816 shared by share, plus Poisson noise of the hour
    sd9 = np.sqrt((0.25 * 20 / 1.2816) ** 2 + 25)
    assert hourly["hi80"][0] == pytest.approx(25 + 1.2816 * sd9)
    assert (hourly["lo95"] >= 0).all()
