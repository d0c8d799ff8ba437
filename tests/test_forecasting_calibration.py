"""The queue model against the queue it models: zones found from the tickets, and the
predicted service level per hall-hour within 5 points of the measured one on the demo."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from forecasting.calibration import calibrate
from forecasting.erlang import erlang_c, erlang_c_level
from forecasting.queues import queue_keys
from forecasting.warehouse import read_queue_log
from govwh.settings import Settings


def _tickets(hall: str, windows_by_type: dict[str, list[str]]) -> list[dict]:
    start = datetime(2024, 3, 4, 9)
    rows = []
    for business, windows in windows_by_type.items():
        for number in range(30):
            rows.append(
                {
                    "hall_code": hall,
                    "business_type": business,
                    "window_no": windows[number % len(windows)],
                    "ticket_taken_at": start + timedelta(minutes=number),
                }
            )
    return rows


def test_zones_are_found_from_the_windows_that_call_each_business_type() -> None:
    rows = [
        # 分区叫号: every window calls one business type
        *_tickets("ZONED", {"tax": ["A01", "A02"], "consultation": ["B01"]}),
        # one queue: every window calls everyone
        *_tickets("SHARED", {"tax": ["01", "02"], "consultation": ["01", "02"]}),
        # an integrated zone of two types beside a zone of its own
        *_tickets("MIXED", {"tax": ["1", "2"], "social": ["2", "3"], "pickup": ["9"]}),
    ]
    keys = queue_keys(pl.DataFrame(rows)).sort("hall_code", "business_type")
    assert keys.rows() == [
        ("MIXED", "pickup", "pickup", True),
        ("MIXED", "social", "social+tax", True),
        ("MIXED", "tax", "social+tax", True),
        ("SHARED", "consultation", "consultation+tax", False),
        ("SHARED", "tax", "consultation+tax", False),
        ("ZONED", "consultation", "consultation", True),
        ("ZONED", "tax", "tax", True),
    ]


def test_fast_erlang_c_level_is_pyworkforce_erlang_c() -> None:
    for arrivals, aht, windows, target, interval in [(30, 8, 6, 15, 60), (5, 3, 1, 15, 30)]:
        exact = erlang_c(arrivals, aht, windows, target, interval).service_level
        assert erlang_c_level(arrivals, aht, windows, target, interval) == pytest.approx(exact)
    # regular service (CV 0.5) waits less than exponential service
    assert erlang_c_level(10, 8, 2, 5, 60, service_cv=0.5) > erlang_c_level(10, 8, 2, 5, 60)


@pytest.mark.slow
def test_calibration_on_the_small_demo_city(small_city: Settings) -> None:
    with duckdb.connect(str(small_city.warehouse_path), read_only=True) as con:
        as_of = con.execute("select max(ticket_date) from marts.fct_hall_tickets").fetchall()[0][0]
        levels = dict(con.execute("select hall_code, hall_level from marts.dim_hall").fetchall())
        left = con.execute(
            "select count(left_at), count(*) filter (where is_abandoned) "
            "from marts.fct_hall_tickets"
        ).fetchall()[0]
    assert isinstance(as_of, date)
    log = read_queue_log(small_city.warehouse_path, as_of)
    assert not isinstance(log, str), log
    tickets, spans = log
    # the demo's zoning: township halls share their windows, the others queue per zone
    zoned = dict(queue_keys(tickets).group_by("hall_code").agg(pl.col("zoned").first()).rows())
    assert zoned == {hall: levels[hall] != "township" for hall in zoned}
    # leaving times: recorded for some, not all, of the abandoned
    assert 0 < left[0] < left[1]
    result = calibrate(tickets, spans)
    overall = result.summary.filter(pl.col("hall_code") == "*").row(0, named=True)
    assert overall["hall_hours"] > 5000
    assert overall["mae_points"] <= 5.0, overall
    assert abs(overall["bias_points"]) <= 5.0, overall
    # every hall-hour has a prediction and a measurement between 0 and 1
    hourly = result.hourly
    assert hourly.select(
        pl.col("predicted_service_level").is_between(0, 1).all(),
        pl.col("measured_service_level").is_between(0, 1).all(),
    ).row(0) == (True, True)


@pytest.mark.slow
def test_run_writes_calibration_and_the_plan_per_business(small_city: Settings) -> None:
    from dagster_project.forecasting.assets import queue_model_calibration
    from dagster_project.resources import DuckDBWarehouse
    from forecasting.run import RunConfig, run_forecasts

    summary = run_forecasts(small_city.warehouse_path, config=RunConfig(backtest=None))
    assert not {"queue_calibration", "staffing_plan_by_business"} & set(summary.skipped)
    with duckdb.connect(str(small_city.warehouse_path), read_only=True) as con:
        plan = con.sql("select * from forecast.staffing_plan").pl()
        detail = con.sql("select * from forecast.staffing_plan_by_business").pl()
        zoned = {
            row[0]
            for row in con.execute(
                "select hall_code from marts.dim_hall where hall_level <> 'township'"
            ).fetchall()
        }
    # the hall-hour plan holds the sums over the hall's queues
    sums = detail.group_by("hall_code", "date", "hour").agg(
        pl.col("windows_needed").sum().alias("summed"), pl.len().alias("queues")
    )
    joined = plan.filter(pl.col("planned_per") == "business").join(
        sums, on=["hall_code", "date", "hour"]
    )
    assert joined.height == plan.filter(pl.col("planned_per") == "business").height > 0
    assert (joined["windows_needed"] == joined["summed"]).all()
    # the simulation checks plans: hours planned per queue keep the pool's formula answer
    assert joined["simulated_service_level"].is_null().all()
    assert (joined["decided_by"] == "queue_model").all()
    # a zoned hall plans a window per zone with customers, more than one pooled queue needs
    zoned_rows = joined.filter(pl.col("hall_code").is_in(list(zoned)))
    assert (zoned_rows["queues"] > 1).all()
    assert (zoned_rows["windows_needed"] >= zoned_rows["windows_hall_pool"]).all()
    assert detail["meets_target"].all()
    assert (detail["staff_needed"] >= detail["windows_needed"]).all()  # shrinkage
    check = queue_model_calibration(warehouse=DuckDBWarehouse(path=str(small_city.warehouse_path)))
    assert check.passed and check.metadata["mae_points"].value <= 5.0


def test_the_log_fingerprint_ignores_row_order_and_sees_any_changed_value() -> None:
    from forecasting.calibration import log_fingerprint

    tickets = pl.DataFrame(_tickets("H1", {"A": ["1", "2"], "B": ["3"]}))
    spans = pl.DataFrame(
        {"hall_code": ["H1"], "window_no": ["1"], "ticket_date": [date(2021, 3, 1)]}
    )
    digest = log_fingerprint(tickets, spans, 0.02)
    assert log_fingerprint(tickets.reverse(), spans, 0.02) == digest
    changed = tickets.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("window_no") + "0")
        .otherwise(pl.col("window_no"))
        .alias("window_no")
    )
    assert log_fingerprint(changed, spans, 0.02) != digest
    assert log_fingerprint(tickets, spans, 0.05) != digest
    assert log_fingerprint(tickets, spans.clear(), 0.02) != digest


@pytest.mark.slow
def test_a_run_on_the_same_weeks_keeps_the_calibration_a_changed_ticket_computes_it_again(
    small_city: Settings, tmp_path
) -> None:
    import shutil

    from forecasting.calibration import calibrate
    from forecasting.run import RunConfig, run_forecasts

    warehouse = tmp_path / "govwh.duckdb"  # a copy: the ticket changed below is this test's
    shutil.copyfile(small_city.warehouse_path, warehouse)
    config = RunConfig(backtest=None)

    def stored() -> tuple[pl.DataFrame, pl.DataFrame]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return (
                con.sql("select * from forecast.queue_calibration order by all").pl(),
                con.sql("select * from forecast.queue_calibration_summary order by all").pl(),
            )

    first = run_forecasts(warehouse, config=config)
    hourly, summary = stored()
    again = run_forecasts(warehouse, config=config)
    assert again.as_of == first.as_of
    # kept, not written again, and not reported as skipped: the same rows, to the last bit
    assert "queue_calibration" not in again.rows and "queue_calibration" not in again.skipped
    assert stored()[0].equals(hourly) and stored()[1].equals(summary)
    # and they are the numbers a calibration of those weeks computes now
    fresh = calibrate(
        *read_queue_log(warehouse, again.as_of),
        abandonment_threshold=config.target.abandonment_threshold,
    )
    from polars.testing import assert_frame_equal

    keys = ["hall_code", "date", "hour"]
    assert_frame_equal(fresh.hourly.sort(keys), hourly.sort(keys), check_exact=False, rel_tol=1e-12)

    # a ticket of those weeks re-delivered with another service time: computed again
    with duckdb.connect(str(warehouse)) as con:
        last_week = con.execute("select max(date) from forecast.queue_calibration").fetchall()[0][0]
        con.execute(
            "update marts.fct_hall_tickets set service_minutes = service_minutes + 30 "
            "where ticket_id = (select min(ticket_id) from marts.fct_hall_tickets "
            "where ticket_date = ? and is_served)",
            [last_week],
        )
    changed = run_forecasts(warehouse, config=config)
    assert changed.rows["queue_calibration_summary"] > 0
    assert stored()[1]["log_fingerprint"][0] != summary["log_fingerprint"][0]
