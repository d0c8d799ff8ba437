"""The demo city's realism: the Zhengzhou calibration, the reform trajectory, on-time rate,
the working-day calendar in arrivals and hall traffic, the channel shift, queue waits."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govwh.demo import generate_demo_city
from govwh.demo.catalogue import build_items, catalogue_snapshot
from govwh.demo.city import City
from govwh.demo.params import CALIBRATION_DATE, scale_params
from govwh.demo.queue import simulate_queues

ONLINE = ("online_web", "mobile_app", "self_service")
IN_SCOPE = pl.col("item_type") != "public_service"


def online_available_rate(snapshot: pl.DataFrame) -> float:
    active = snapshot.filter(
        (pl.col("status") == "active") & IN_SCOPE & pl.col("admin_level").is_in(["city", "county"])
    )
    return float((active["depth_level"] >= 2).mean())


@pytest.mark.parametrize("scale", ["tiny", "small", "city"])
@pytest.mark.parametrize("seed", [1, 42])
def test_2017_snapshot_has_the_zhengzhou_shape(scale: str, seed: int) -> None:
    items = build_items(np.random.default_rng([seed, 0]), scale_params(scale), City.from_folder())
    city_items = catalogue_snapshot(items, CALIBRATION_DATE).filter(
        (pl.col("admin_level") == "city") & IN_SCOPE & (pl.col("status") == "active")
    )
    shape = city_items["depth_level"].value_counts().sort("depth_level")["count"].to_list()
    assert shape == [297, 79, 4, 3]


def test_online_available_rate_follows_the_reform() -> None:
    items = build_items(np.random.default_rng([42, 0]), scale_params("city"), City.from_folder())
    rate = {
        day: online_available_rate(catalogue_snapshot(items, dt.date.fromisoformat(day)))
        for day in ("2017-12-31", "2018-06-30", "2019-12-31", "2021-12-31")
    }
    assert rate["2017-12-31"] < 0.5 and rate["2018-06-30"] < 0.5
    assert rate["2019-12-31"] > 0.5  # the 50% target passed during 2018–2019
    assert rate["2021-12-31"] >= 0.85
    # unevenly: some departments lag well behind the others
    end = catalogue_snapshot(items, dt.date(2019, 12, 31)).filter(
        (pl.col("status") == "active") & IN_SCOPE
    )
    by_department = end.group_by("department_code").agg((pl.col("depth_level") >= 2).mean())
    assert by_department["depth_level"].max() - by_department["depth_level"].min() > 0.3


def test_deliberate_data_quality_errors_are_few() -> None:
    items = build_items(np.random.default_rng([42, 0]), scale_params("small"), City.from_folder())
    end = catalogue_snapshot(items, dt.date(2019, 12, 31))
    depth4 = end.filter(pl.col("depth_level") == 4)
    assert 1 <= (depth4["required_trips"] > 0).sum() <= 5
    assert (end.filter(pl.col("depth_level") == 3)["required_trips"] == 1).all()
    assert end.filter(pl.col("promised_limit_days") > pl.col("legal_limit_days")).is_empty()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    generate_demo_city(folder, seed=42, scale="tiny")
    return folder


def test_on_time_rate_is_around_96_percent(tiny: Path) -> None:
    cases = pl.read_parquet(tiny / "case_logs")
    items = pl.read_parquet(tiny / "service_items").unique("item_code")
    workdays = (
        pl.read_csv("seeds/calendar.csv", try_parse_dates=True)
        .filter(pl.col("is_workday"))
        .with_row_index("seq")
        .select("calendar_date", "seq")
    )
    completed = (
        cases.filter(pl.col("status") == "completed")
        .with_columns(
            accepted=pl.col("accepted_at").dt.date(), completed=pl.col("completed_at").dt.date()
        )
        .join(items.select("item_code", "promised_limit_days"), on="item_code")
        .join(workdays.rename({"calendar_date": "accepted", "seq": "a"}), on="accepted")
        .join(workdays.rename({"calendar_date": "completed", "seq": "c"}), on="completed")
        .with_columns(
            on_time=pl.col("c") - pl.col("a") - pl.col("suspended_days")
            <= pl.col("promised_limit_days")
        )
    )
    assert 0.94 <= completed["on_time"].mean() <= 0.98
    by_department = completed.group_by("department_code").agg(pl.col("on_time").mean(), pl.len())
    busy = by_department.filter(pl.col("len") >= 100)
    assert busy["on_time"].max() - busy["on_time"].min() > 0.01


def test_working_day_calendar_shapes_arrivals_and_tickets(tiny: Path) -> None:
    cases = pl.read_parquet(tiny / "case_logs").with_columns(day=pl.col("submitted_at").dt.date())
    tickets = pl.read_parquet(tiny / "hall_tickets").with_columns(
        day=pl.col("ticket_taken_at").dt.date()
    )
    calendar = pl.read_csv("seeds/calendar.csv", try_parse_dates=True).rename(
        {"calendar_date": "day"}
    )
    hall_daily = (
        cases.filter(pl.col("channel") == "hall_window")
        .group_by("day")
        .len("hall_cases")
        .join(tickets.group_by("day").len("tickets"), on="day", how="full", coalesce=True)
        .join(calendar, on="day", how="right")
        .fill_null(0)
        .filter(pl.col("day").dt.year() == 2018)
    )
    holidays = hall_daily.filter(pl.col("is_statutory_holiday"))
    assert holidays["tickets"].sum() == 0 and holidays["hall_cases"].sum() == 0
    assert hall_daily.filter(~pl.col("is_workday"))["tickets"].sum() == 0
    ordinary = hall_daily.filter(pl.col("is_workday") & ~pl.col("is_makeup_workday"))
    for makeup in (dt.date(2018, 2, 11), dt.date(2018, 9, 29)):
        row = hall_daily.filter(pl.col("day") == makeup)
        assert row["is_makeup_workday"].item()
        assert row["tickets"].item() > 0.5 * ordinary["tickets"].mean()
    # surge after the Spring Festival (2018-02-15 .. 02-21)
    after = hall_daily.filter(pl.col("day").is_between(dt.date(2018, 2, 22), dt.date(2018, 2, 28)))
    assert after["hall_cases"].mean() > ordinary["hall_cases"].mean()
    # month-end peaks: the last working days of a month are busier than mid-month
    workdays = hall_daily.filter(pl.col("is_workday")).with_columns(
        month_end=pl.col("day").dt.day() > pl.col("day").dt.month_end().dt.day() - 4,
        mid=pl.col("day").dt.day().is_between(8, 20),
    )
    month_end = workdays.filter(pl.col("month_end"))["hall_cases"].mean()
    assert month_end > workdays.filter(pl.col("mid"))["hall_cases"].mean()
    # online filings go on during the holidays
    on_holidays = cases.join(calendar, on="day").filter(pl.col("is_statutory_holiday"))
    assert on_holidays.height > 0 and on_holidays["channel"].is_in(ONLINE).all()


def test_hall_traffic_by_hour_has_peaks_and_a_lunch_dip(tiny: Path) -> None:
    tickets = pl.read_parquet(tiny / "hall_tickets")
    by_hour = dict(
        tickets.group_by(pl.col("ticket_taken_at").dt.hour().alias("hour")).len().iter_rows()
    )
    assert set(by_hour) <= set(range(9, 18))
    assert by_hour[10] > by_hour[12] < by_hour[15]


def test_online_share_rises_over_time(tmp_path: Path) -> None:
    generate_demo_city(
        tmp_path, seed=3, scale="tiny", start=dt.date(2017, 1, 1), end=dt.date(2020, 12, 31)
    )
    cases = pl.read_parquet(tmp_path / "case_logs")
    share = (
        cases.group_by(pl.col("submitted_at").dt.year().alias("year"))
        .agg(pl.col("channel").is_in(ONLINE).mean().alias("online"), pl.col("trips").mean())
        .sort("year")
    )
    online = share["online"].to_list()
    assert all(b > a for a, b in itertools.pairwise(online))
    trips = share["trips"].to_list()
    assert trips[-1] < trips[0]


def test_waits_grow_when_windows_fall() -> None:
    rng = np.random.default_rng(0)
    n, queues, slots = 20_000, 40, 20
    queue = rng.integers(0, queues, n)
    arrival = 540 + rng.uniform(0, 500, n)
    service = rng.lognormal(np.log(10), 0.5, n)
    patience = np.where(rng.random(n) < 0.5, rng.lognormal(np.log(40), 0.5, n), np.inf)
    no_show = rng.random(n) < 0.03
    waits, abandoned = [], []
    for windows in (5, 4, 3):
        staffing = np.full((queues, slots), windows)
        result = simulate_queues(
            queue, arrival, service, patience, no_show, staffing, np.full(queues, 540.0)
        )
        waits.append(np.nanmean(result.called_minute - arrival))
        abandoned.append((result.outcome == "abandoned").mean())
        assert np.all(result.called_minute[~np.isnan(result.called_minute)] >= 540)
    assert waits[0] < waits[1] < waits[2]
    assert abandoned[0] < abandoned[2]


def _late_reply_share_by_year(scale: str, seed: int) -> dict[int, float]:
    """Orders still unanswered at the end of the 5th working day after the received day,
    over orders received (withdrawn ones without a reply left out), by received year."""
    from govwh.demo.calendar_arrays import WorkingCalendar
    from govwh.demo.consultations import generate_consultations

    params = scale_params(scale)
    city = City.from_folder()
    items = build_items(np.random.default_rng([seed, 0]), params, city)
    orders = generate_consultations(seed, params, city, items).orders
    latest = orders.sort("updated_at").group_by("order_id").last()
    calendar = WorkingCalendar.from_seed()
    received = latest["received_at"].dt.date().cast(pl.Int64).to_numpy()
    due = calendar.nth_workday_after(received, np.full(len(received), 5))
    judged = latest.with_columns(
        pl.Series("due", due),
        pl.col("first_reply_at").dt.date().cast(pl.Int64).alias("reply_day"),
        pl.col("received_at").dt.year().alias("year"),
    ).filter(
        (pl.col("status") != "withdrawn")
        & (pl.col("due") < pl.col("updated_at").max().dt.date().cast(pl.Int64))
    )
    shares = judged.group_by("year").agg(
        (pl.col("reply_day").is_null() | (pl.col("reply_day") > pl.col("due"))).mean()
    )
    return dict(shares.iter_rows())


def test_2017_consultations_have_the_inspections_late_reply_share() -> None:
    """38 % of 2017's consultations unanswered after 5 working days (the State Council's
    inspection), improving every year to about 10 % in 2021; the small city read back from
    its marts: tests/test_metrics_recompute.py."""
    shares = _late_reply_share_by_year("city", 42)
    assert shares[2017] == pytest.approx(0.38, abs=0.01)
    assert shares[2021] == pytest.approx(0.10, abs=0.01)
    assert [shares[y] for y in range(2017, 2022)] == sorted(
        (shares[y] for y in range(2017, 2022)), reverse=True
    )
    small = _late_reply_share_by_year("small", 1)
    assert small[2017] == pytest.approx(0.38, abs=0.02)
