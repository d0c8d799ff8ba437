"""Rosters from the staffing plan: every hall-hour covered, no rule broken, cost within the
documented bounds, the same roster from the same plan, and the hall manager's XLSX."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from forecasting.hall_traffic import OpeningHours, hour_slots
from forecasting.roster import (
    RosterRules,
    ShiftTemplate,
    cost_bounds,
    rosters,
    rule_violations,
    slot_needs,
)

HOURS = OpeningHours()


def _plan(seed: int = 1, halls: int = 6, days: int = 5) -> pl.DataFrame:
    """A plan shaped like the demo's: more staff mid-morning and mid-afternoon, fewer at
    lunch, the last half hour quieter; halls of 1 to 30 staff."""
    rng = np.random.default_rng(seed)
    slots = hour_slots(HOURS)
    rows = []
    for hall in range(halls):
        size = rng.integers(1, 30)
        for day in range(days):
            for hour, interval, lunch in slots.iter_rows():
                shape = 0.6 if lunch else (0.7 if hour == 17 else 1.0)
                staff = max(round(size * shape * rng.uniform(0.7, 1.2)), 0)
                rows.append(
                    {
                        "hall_code": f"H{hall}",
                        "date": date(2024, 3, 4) + timedelta(days=day),
                        "hour": hour,
                        "interval_minutes": interval,
                        "staff_needed": staff,
                    }
                )
    return pl.DataFrame(rows)


def test_every_hour_covered_no_rule_broken_and_cost_within_bounds() -> None:
    plan = _plan()
    rules = RosterRules()
    roster, coverage = rosters(plan, rules)
    assert coverage.height == plan.height
    assert (coverage["staff_rostered"] >= coverage["staff_needed"]).all()
    assert rule_violations(roster, coverage, rules) == []
    paid = roster.group_by("hall_code", "date").agg(pl.col("paid_hours").sum())
    bounds = cost_bounds(plan, rules).join(paid, on=["hall_code", "date"])
    assert bounds.height == plan.select("hall_code", "date").n_unique()
    assert (bounds["paid_hours"] >= bounds["plan_staff_hours"] - 1e-9).all()
    assert (bounds["paid_hours"] <= bounds["upper_bound_hours"] + 1e-9).all()
    # well below the upper bound: shifts are mixed to follow the day's shape (these hours jump
    # by up to ±25 % from one to the next; on the demo's smoother plan the roster pays 5 %
    # over its staff-hours)
    assert bounds["paid_hours"].sum() < 1.3 * bounds["plan_staff_hours"].sum()
    assert set(roster["solver_status"]) == {"OPTIMAL"}
    # the lunch half hours are covered by people not on their break
    needs = dict(slot_needs(plan.filter(pl.col("hall_code") == "H0"), HOURS))
    assert needs[12 * 60] > 0
    # the same plan gives the same roster
    again, _ = rosters(plan, rules)
    assert again.equals(roster)


def test_the_checker_sees_a_broken_rule() -> None:
    """The rule check reads the roster, not the solver: an uncovered hour and a shift
    without its break are reported."""
    plan = _plan(halls=1, days=1)
    rules = RosterRules()
    roster, coverage = rosters(plan, rules)
    short = coverage.with_columns(
        pl.when(pl.col("hour") == 10)
        .then(pl.col("staff_needed") - 1)
        .otherwise(pl.col("staff_rostered"))
        .alias("staff_rostered")
    )
    no_break = roster.with_columns(
        pl.lit(None, pl.String).alias("break_start"), pl.lit(None, pl.String).alias("break_end")
    )
    problems = rule_violations(no_break, short, rules)
    assert any("10:00 needs" in p for p in problems)
    assert any("without a 60-minute break" in p for p in problems)


def test_a_template_that_breaks_the_rules_is_refused() -> None:
    long_day = ShiftTemplate("long", time(9, 0), time(17, 30))
    with pytest.raises(ValueError, match=r"long.*without a 60-minute break"):
        rosters(_plan(halls=1, days=1), RosterRules(templates=(long_day,)))


def test_a_day_with_nobody_needed_gets_no_shift() -> None:
    plan = _plan(halls=1, days=1).with_columns(pl.lit(0).alias("staff_needed"))
    roster, coverage = rosters(plan)
    assert roster.is_empty() and (coverage["staff_rostered"] == 0).all()


def test_hall_manager_xlsx_reads_back(tmp_path: Path) -> None:
    from govwh.reports.rosters import write_rosters

    plan = _plan(halls=2, days=3)
    roster, coverage = rosters(plan)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema forecast")
        connection.execute("create schema marts")
        connection.execute("create table forecast.rosters as select * from roster")
        connection.execute("create table forecast.roster_coverage as select * from coverage")
        connection.execute(
            "create table marts.dim_hall as select * from (values ('H0', '东湖区政务服务中心'), "
            "('H1', '西城街道便民服务中心')) t(hall_code, hall_name)"
        )
    export = write_rosters(warehouse, tmp_path / "out")
    assert len(export.files) == 2 and export.days == 3
    first = next(f for f in export.files if "东湖区政务服务中心_H0" in f.name)
    shifts = pl.read_excel(first, sheet_name="排班")
    expected = roster.filter(pl.col("hall_code") == "H0")
    assert shifts["人数"].sum() == expected["staff"].sum()
    assert shifts["工时"].sum() == pytest.approx(expected["paid_hours"].sum())
    grid = pl.read_excel(first, sheet_name="覆盖")
    assert grid.height == 3 and "09时 需/排" in grid.columns
    row = coverage.filter((pl.col("hall_code") == "H0") & (pl.col("hour") == 9)).sort("date")
    assert grid["09时 需/排"].to_list() == [
        f"{n}/{r}" for n, r in zip(row["staff_needed"], row["staff_rostered"], strict=True)
    ]
    # the same roster written again gives the same bytes
    before = first.read_bytes()
    write_rosters(warehouse, tmp_path / "out")
    assert first.read_bytes() == before


def test_a_makeup_working_day_is_rostered_and_a_holiday_is_not() -> None:
    """Spring Festival 2020: Sunday 19 January was a make-up working day, 24 January to
    2 February were off. The plan (working days of the calendar) and so the roster follow."""
    from forecasting.calendar import load_calendar_csv
    from forecasting.run import RunConfig, _staffing
    from forecasting.simulation import SimulationSettings
    from forecasting.staffing import SimulationCache
    from forecasting.warehouse import MartInputs

    root = Path(__file__).resolve().parent.parent
    calendar = load_calendar_csv(root / "seeds" / "calendar.csv")
    days = [date(2020, 1, 17) + timedelta(days=n) for n in range(18)]
    traffic = pl.DataFrame(
        [
            {"hall_code": "H1", "date": day, "hour": hour, "mean": 12.0}
            for day in days
            for hour in range(9, 18)
        ]
    )
    rng = np.random.default_rng(3)
    tickets = pl.DataFrame(
        {
            "hall_code": ["H1"] * 200,
            "service_minutes": rng.lognormal(np.log(7), 0.5, 200),
            "wait_minutes": rng.exponential(4, 200),
            "is_abandoned": [False] * 200,
            "is_served": [True] * 200,
        }
    )
    halls = pl.DataFrame(
        {
            "hall_code": ["H1"],
            "windows_normal": [6],
            "windows_lunch": [3],
            "open_time": ["09:00"],
            "close_time": ["17:30"],
            "lunch_start": ["12:00"],
            "lunch_end": ["13:30"],
        }
    )
    empty = pl.DataFrame()
    inputs = MartInputs(calendar, empty, empty, tickets, halls, empty, days[-1])
    config = RunConfig(simulation=SimulationSettings(target_customers=100))
    plan, _ = _staffing(inputs, traffic, config, SimulationCache())
    roster, _ = rosters(plan, RosterRules())
    rostered = set(roster["date"])
    assert date(2020, 1, 19) in rostered  # the make-up Sunday
    assert date(2020, 1, 18) not in rostered  # an ordinary Saturday
    assert not rostered & {date(2020, 1, 24) + timedelta(days=n) for n in range(10)}
    assert date(2020, 1, 17) in rostered and date(2020, 2, 3) in rostered
