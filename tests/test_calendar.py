"""The working-day calendar seed and its range guard."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

from govwh.calendar import CalendarRangeError, build_calendar
from govwh.settings import (
    CALENDAR_SEED,
    DBT_PROFILES_DIR,
    DBT_PROJECT_DIR,
    Settings,
    dbt_executable,
)


def test_seed_is_what_the_package_says() -> None:
    seed = pl.read_csv(CALENDAR_SEED, try_parse_dates=True)
    assert seed.equals(build_calendar(), null_equal=True)
    assert seed["calendar_date"].min() == dt.date(2016, 1, 1)
    assert seed["calendar_date"].max() == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("day", "is_workday", "is_makeup", "holiday"),
    [
        (dt.date(2018, 2, 11), True, True, "Spring Festival"),  # make-up Sunday
        (dt.date(2018, 2, 16), False, False, "Spring Festival"),  # Chinese New Year
        (dt.date(2019, 9, 29), True, True, "National Day"),  # make-up Sunday
        (dt.date(2019, 10, 1), False, False, "National Day"),
        (dt.date(2019, 10, 12), True, True, "National Day"),  # make-up Saturday
        (dt.date(2019, 10, 13), False, False, None),  # an ordinary Sunday
        (dt.date(2019, 10, 14), True, False, None),  # an ordinary Monday
    ],
)
def test_holidays_and_makeup_workdays(
    day: dt.date, is_workday: bool, is_makeup: bool, holiday: str | None
) -> None:
    row = (
        build_calendar(day.year, day.year).filter(pl.col("calendar_date") == day).row(0, named=True)
    )
    assert (row["is_workday"], row["is_makeup_workday"], row["holiday_name"]) == (
        is_workday,
        is_makeup,
        holiday,
    )


def test_years_outside_the_package_are_an_error() -> None:
    with pytest.raises(CalendarRangeError, match="2027"):
        build_calendar(2026, 2027)


@pytest.mark.slow
def test_dbt_fails_on_a_case_outside_the_calendar(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    """A case dated after the calendar's last year fails `dbt build` with a named test."""
    warehouse = tmp_path / "out_of_range.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            """
            insert into raw.case_logs by name
            select * replace (
                'OUT-OF-RANGE' as case_id,
                timestamp '2027-01-04 09:00:00' as submitted_at,
                timestamp '2027-01-04 09:30:00' as accepted_at
            )
            from raw.case_logs limit 1
            """
        )
    result = subprocess.run(
        [
            dbt_executable(),
            "test",
            "--select",
            "assert_case_dates_within_calendar",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(tmp_path / "target"),
        ],
        env={**os.environ, "GOVWH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "assert_case_dates_within_calendar" in result.stdout
    assert "FAIL 1" in result.stdout


def test_the_calendar_command_refuses_years_the_package_does_not_know() -> None:
    from typer.testing import CliRunner

    from govwh.cli import app
    from govwh.settings import CALENDAR_SEED

    before = CALENDAR_SEED.read_bytes()
    result = CliRunner().invoke(app, ["calendar", "--last-year", "2030"])
    assert result.exit_code == 1
    assert "2027" in result.output and "2004–2026" in result.output  # the first year missing
    assert CALENDAR_SEED.read_bytes() == before  # nothing written
