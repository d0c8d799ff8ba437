"""Source freshness: a source a day behind fails the run before dbt and the reports."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from dagster_project.runner import open_instance, run_job
from govwh.freshness import stale_sources
from govwh.settings import Settings

D = dt.date


@pytest.mark.parametrize(
    ("cases", "tickets", "stale"),
    [
        (D(2019, 3, 29), D(2019, 3, 29), []),  # both through Friday
        (D(2019, 3, 31), D(2019, 3, 29), []),  # online filings on Sunday; halls shut
        (D(2019, 3, 29), D(2019, 3, 28), ["hall_tickets"]),  # tickets a day behind
        (D(2019, 3, 28), D(2019, 3, 29), ["case_logs"]),
        (D(2018, 12, 30), D(2018, 12, 29), []),  # 29 Dec 2018: a make-up working Saturday
        (D(2018, 12, 30), D(2018, 12, 28), ["hall_tickets"]),
        (D(2019, 2, 10), D(2019, 2, 3), []),  # Spring Festival: last working day Sun 3 Feb
    ],
)
def test_sources_must_reach_the_last_working_day(
    cases: dt.date, tickets: dt.date, stale: list[str]
) -> None:
    _, problems = stale_sources(cases, tickets, cases.replace(day=1) - dt.timedelta(days=1))
    assert [p.split()[0] for p in problems] == stale


def test_an_old_catalogue_is_stale_and_an_expected_day_can_be_demanded() -> None:
    _, problems = stale_sources(D(2019, 3, 29), D(2019, 3, 29), D(2019, 1, 31))
    assert problems and problems[0].startswith("service_items")
    _, problems = stale_sources(D(2019, 3, 29), D(2019, 3, 29), D(2019, 3, 31), D(2019, 4, 1))
    assert {p.split()[0] for p in problems} == {"case_logs", "hall_tickets"}


@pytest.mark.slow
def test_a_missing_day_of_tickets_fails_the_run_before_dbt(
    built_warehouse: Settings,
    isolated_settings: Settings,
    point_environment_at: Callable[[Settings, Path], None],
    tmp_path: Path,
) -> None:
    shutil.copytree(built_warehouse.landing_dir, isolated_settings.landing_dir)
    last_file = sorted((isolated_settings.landing_dir / "hall_tickets").glob("*.parquet"))[-1]
    tickets = pl.read_parquet(last_file)
    last_day = tickets["ticket_taken_at"].dt.date().max()
    tickets.filter(pl.col("ticket_taken_at").dt.date() < last_day).write_parquet(last_file)
    point_environment_at(isolated_settings, tmp_path / "dagster_home")

    result = run_job(isolated_settings, instance=open_instance(tmp_path / "dagster_home"))

    assert not result.success
    assert "raw/case_logs: sources_are_fresh" in result.failed_checks
    # nothing was built on the stale data: no marts, no serving copy
    assert not isolated_settings.serving_path.exists()
