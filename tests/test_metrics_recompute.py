"""Recompute the headline metrics from the landing files, independently of dbt.

The marts must agree with a straight reading of the metric dictionary applied to the source
files: Parquet read by polars, working days from the `chinese_calendar` package directly (not
the seed, not dim_date), the catalogue as valid on the relevant date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import duckdb
import numpy as np
import polars as pl
import pytest

from dagster_project.settings import Settings

pytestmark = pytest.mark.slow

IN_SCOPE_TYPES = ["licence", "confirmation", "benefit", "adjudication", "award", "other"]


def _read_source(landing_dir: Path, source: str) -> pl.DataFrame:
    return pl.read_parquet(landing_dir / source / "*.parquet")


def _mart(settings: Settings, query: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return pl.from_arrow(connection.execute(query).to_arrow_table())


def _workday_numbers(first: dt.date, last: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Dates (as day ordinals) of the span and the count of working days up to each date."""
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    is_workday = np.array([chinese_calendar.is_workday(day) for day in days])
    ordinals = np.array([day.toordinal() for day in days])
    return ordinals, np.cumsum(is_workday)


def _catalogue_as_of(snapshots: pl.DataFrame, dates: pl.Series) -> pl.Series:
    """For each date, the snapshot valid on it (latest on or before; the first one before)."""
    snapshot_dates = np.array(sorted(d.toordinal() for d in snapshots["snapshot_date"].unique()))
    ordinals = np.array([d.toordinal() for d in dates])
    position = np.searchsorted(snapshot_dates, ordinals, side="right") - 1
    chosen = snapshot_dates[np.clip(position, 0, None)]
    return pl.Series([dt.date.fromordinal(int(o)) for o in chosen], dtype=pl.Date)


def test_online_available_rate_matches_catalogue(built_warehouse: Settings) -> None:
    items = _read_source(built_warehouse.landing_dir, "service_items")
    first, last = items["snapshot_date"].min(), items["snapshot_date"].max()
    # Every month from the first snapshot's to the last snapshot's, read as of its last day.
    month_starts = pl.date_range(first.replace(day=1), last.replace(day=1), "1mo", eager=True)
    month_ends = month_starts.dt.month_end().filter(month_starts.dt.month_end() >= first)
    months = pl.DataFrame(
        {"month_end": month_ends, "snapshot_date": _catalogue_as_of(items, month_ends)}
    )
    expected = (
        months.join(items, on="snapshot_date")
        .filter(pl.col("status") == "active", pl.col("item_type").is_in(IN_SCOPE_TYPES))
        .group_by(pl.col("month_end").dt.month_start().alias("month_start"), "region_code")
        .agg(
            pl.len().alias("active_items"),
            (pl.col("depth_level") >= 2).sum().alias("online_available_items"),
            ((pl.col("depth_level") >= 2) | pl.col("unsuitable_online"))
            .sum()
            .alias("online_available_items_incl_unsuitable"),
        )
        .with_columns(pl.col(pl.UInt32).cast(pl.Int64))
        .sort("month_start", "region_code")
    )
    actual = _mart(
        built_warehouse,
        """
        select month_start, region_code, active_items, online_available_items,
               online_available_items_incl_unsuitable
        from marts.mart_online_available_rate_monthly order by month_start, region_code
        """,
    )
    assert expected.height > 0
    assert actual.to_dicts() == expected.to_dicts()


def _latest_case_versions(landing_dir: Path) -> pl.DataFrame:
    return _read_source(landing_dir, "case_logs").sort("updated_at").group_by("case_id").last()


def test_on_time_and_one_trip_rates_match_case_logs(built_warehouse: Settings) -> None:
    cases = _latest_case_versions(built_warehouse.landing_dir)
    items = _read_source(built_warehouse.landing_dir, "service_items")
    completed = cases.filter(pl.col("status") == "completed").with_columns(
        pl.col("accepted_at").dt.date().alias("acceptance_date"),
        pl.col("completed_at").dt.date().alias("completion_date"),
    )
    completed = completed.with_columns(
        _catalogue_as_of(items, completed["acceptance_date"]).alias("snapshot_date")
    ).join(
        items.select("snapshot_date", "item_code", "promised_limit_days"),
        on=["snapshot_date", "item_code"],
        how="left",
    )

    first = completed["acceptance_date"].min()
    last = completed["completion_date"].max()
    ordinals, workdays_through = _workday_numbers(first, last)

    def workdays_up_to(dates: pl.Series) -> np.ndarray:
        return workdays_through[np.searchsorted(ordinals, [d.toordinal() for d in dates])]

    accepted_on_workday = np.array(
        [chinese_calendar.is_workday(d) for d in completed["acceptance_date"]]
    )
    # Working days after the acceptance date up to completion, net of suspension; the deadline
    # is the N-th working day after acceptance (an instant item accepted on a day off: the next
    # working day).
    after_acceptance = workdays_up_to(completed["completion_date"]) - workdays_up_to(
        completed["acceptance_date"]
    )
    promised = completed["promised_limit_days"].to_numpy()
    suspended = completed["suspended_days"].fill_null(0).to_numpy()
    allowed = np.maximum(promised, np.where(accepted_on_workday, 0, 1)) + suspended
    on_time = after_acceptance <= allowed

    expected = (
        completed.with_columns(
            pl.Series("on_time", on_time),
            pl.col("completion_date").dt.month_start().alias("month_start"),
        )
        .group_by("month_start", "department_code")
        .agg(
            pl.len().cast(pl.Int64).alias("completed_cases"),
            pl.col("on_time").sum().cast(pl.Int64).alias("on_time_cases"),
            (pl.col("trips") <= 1).sum().cast(pl.Int64).alias("one_trip_cases"),
        )
        .sort("month_start", "department_code")
    )
    actual = _mart(
        built_warehouse,
        """
        select month_start, department_code, completed_cases, on_time_cases, one_trip_cases
        from marts.mart_case_completion_monthly order by month_start, department_code
        """,
    )
    assert expected.height > 0
    assert actual.to_dicts() == expected.to_dicts()


def test_headline_metrics_are_ratios_of_sums(built_warehouse: Settings) -> None:
    from dagster_project.headline import headline_metrics

    metrics = {m.name_en: m for m in headline_metrics(built_warehouse.warehouse_path)}
    assert set(metrics) == {"online-available rate", "on-time completion rate", "one-trip rate"}
    on_time = metrics["on-time completion rate"]
    totals = _mart(
        built_warehouse,
        f"""
        select sum(on_time_cases) as n, sum(completed_cases) as d
        from marts.mart_case_completion_monthly where month_start = date '{on_time.period}'
        """,
    ).row(0)
    assert (on_time.numerator, on_time.denominator) == totals
    assert 0.0 <= on_time.value <= 1.0
