"""Patience from a real-shaped queue log: abandonments with and without ``left_at``."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl
import pytest

from forecasting.business_plan import hall_totals, plan_by_business
from forecasting.patience import estimate_patience, exponential_patience
from forecasting.queues import queue_keys
from govwh.demo.queue import OUTCOMES, simulate_queues

# hall -> business type -> (tickets a day, mean service minutes, true mean patience or None)
HALLS = {
    "ZONED": {
        "consultation": (90, 5.0, 20.0),
        "tax": (60, 11.0, 45.0),
        "social_insurance": (70, 8.0, None),  # nobody leaves
    },
    "SHARED": {
        "consultation": (50, 5.0, 30.0),
        "housing_fund": (40, 7.0, 60.0),
        "result_pickup": (30, 3.0, None),
    },
}
DAYS = 40
OPEN = 540.0  # 09:00
SLOTS = 17  # half hours until 17:30 (the last slot runs until the queue is empty)


def queue_log(seed: int = 3, recorded: float = 0.7) -> pl.DataFrame:
    """Tickets of two halls over 40 days: the zoned hall queues per business type, the other
    shares one queue; windows per half hour a little short of the morning and afternoon
    peaks, so that queues build and impatient customers leave (exponential patience)."""
    rng = np.random.default_rng(seed)
    parts = []
    for hall, lines in HALLS.items():
        zoned = hall == "ZONED"
        for number, (business, (per_day, service, patience)) in enumerate(lines.items()):
            zone = number if zoned else 0
            n = rng.poisson(per_day * DAYS)
            day = rng.integers(0, DAYS, n)
            # two peaks: a real hall's day
            peak = rng.choice([60.0, 360.0], n) + rng.normal(0, 50, n)
            arrival = OPEN + np.clip(peak, 0, 509)
            parts.append(
                pl.DataFrame(
                    {
                        "hall_code": hall,
                        "business_type": business,
                        "zone": zone,
                        "day": day,
                        "arrival": arrival,
                        "service": rng.lognormal(np.log(service) - 0.125, 0.5, n),
                        "patience": rng.exponential(patience, n)
                        if patience
                        else np.full(n, np.inf),
                    }
                )
            )
    log = pl.concat(parts).with_columns(
        queue=pl.struct("hall_code", "zone", "day").rank("dense").cast(pl.Int64) - 1
    )
    queues = int(log["queue"].max()) + 1
    work = (
        log.group_by("queue")
        .agg((pl.col("service").sum() / 510.0).alias("erlangs"))
        .sort("queue")["erlangs"]
        .to_numpy()
    )
    # 80 % of the average need: queues at the peaks
    staffing = np.maximum(np.round(work * 0.8), 1)[:, None].repeat(SLOTS, axis=1).astype(np.int64)
    outcome = simulate_queues(
        log["queue"].to_numpy(),
        log["arrival"].to_numpy(),
        log["service"].to_numpy(),
        log["patience"].to_numpy(),
        np.zeros(log.height, dtype=bool),
        staffing,
        np.full(queues, OPEN),
    )
    start = datetime(2024, 3, 4)

    def stamp(minutes: np.ndarray) -> pl.Expr:
        return pl.lit(start) + pl.duration(
            days=pl.col("day"), seconds=pl.Series(minutes * 60).fill_nan(None)
        )

    abandoned = outcome.outcome_code == OUTCOMES.index("abandoned")
    left = np.where(
        abandoned & (rng.random(log.height) < recorded), log["arrival"] + log["patience"], np.nan
    )
    called = outcome.window > 0
    return log.with_columns(
        ticket_taken_at=stamp(log["arrival"].to_numpy()),
        called_at=stamp(outcome.called_minute),
        left_at=stamp(left),
        service_ended_at=stamp(outcome.end_minute),
        is_abandoned=pl.Series(abandoned),
        is_served=pl.Series(called),
        is_called=pl.Series(called),
        # the zone's letter and the window: A01, B02 … (one letter in the shared hall)
        window_no=pl.when(pl.Series(called))
        .then(pl.format("{}{}", pl.col("zone").cast(pl.String), pl.Series(outcome.window)))
        .otherwise(None),
        service_minutes=pl.col("service"),
        target_wait_minutes=pl.lit(15.0),
    ).with_columns(
        ticket_date=pl.col("ticket_taken_at").dt.date(),
        ticket_hour=pl.col("ticket_taken_at").dt.hour(),
        ticket_half_hour=pl.col("ticket_taken_at").dt.hour() * 2
        + pl.col("ticket_taken_at").dt.minute() // 30,
    )


def test_exponential_mle_with_exact_and_censored_times() -> None:
    rng = np.random.default_rng(1)
    patience = rng.exponential(30.0, 20000)
    waits = rng.exponential(15.0, 20000)
    left = patience < waits
    estimate = exponential_patience(patience[left], np.array([]), waits[~left])
    assert abs(estimate.mean_minutes - 30.0) / 30.0 < 0.05
    # half the leavings unrecorded, known only to fall before the would-be call: EM
    unrecorded = left & (rng.random(20000) < 0.5)
    em = exponential_patience(patience[left & ~unrecorded], waits[unrecorded], waits[~left])
    assert abs(em.mean_minutes - 30.0) / 30.0 < 0.05 and em.left_before == unrecorded.sum()
    assert exponential_patience(np.array([]), np.array([]), waits).mean_minutes is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patience_within_ten_percent_on_a_real_shaped_queue_log(seed: int) -> None:
    log = queue_log(seed)
    # the zoned hall's queue is its business type; the shared hall has one queue
    log = log.with_columns(
        queue_key=pl.when(pl.col("hall_code") == "ZONED")
        .then(pl.col("business_type"))
        .otherwise(pl.lit("*"))
    )
    assert log["left_at"].null_count() < log.height
    estimates = estimate_patience(log, ["hall_code", "business_type"], ["hall_code", "queue_key"])
    for row in estimates.iter_rows(named=True):
        truth = HALLS[row["hall_code"]][row["business_type"]][2]
        if truth is None:
            assert row["patience_minutes"] is None, row
            continue
        # a real-shaped log: abandonments with and without their time of leaving
        assert row["exact_abandoned"] > 100 and row["unrecorded_abandoned"] > 40, row
        error = abs(row["patience_minutes"] - truth) / truth
        assert error < 0.10, (row, truth, error)
    # without the EM (the unrecorded dropped) the estimate is biased up beyond the tolerance
    dropped = estimate_patience(
        log.filter(~pl.col("is_abandoned") | pl.col("left_at").is_not_null()),
        ["hall_code", "business_type"],
        ["hall_code", "queue_key"],
    ).join(estimates, on=["hall_code", "business_type"], suffix="_em")
    worse = dropped.filter(pl.col("patience_minutes").is_not_null())
    assert (worse["patience_minutes"] > worse["patience_minutes_em"] * 1.1).all()


def test_plan_per_queue_on_the_log_uses_erlang_a_where_customers_leave() -> None:
    log = queue_log(2)
    keys = queue_keys(log)
    # the zoned hall's windows each call one business type; the shared hall's call all
    zoned = dict(keys.group_by("hall_code").agg(pl.col("zoned").first()).rows())
    assert zoned == {"ZONED": True, "SHARED": False}
    assert keys.filter(pl.col("hall_code") == "SHARED")["queue_key"].n_unique() == 1
    load = pl.DataFrame(
        {
            "hall_code": ["ZONED", "SHARED"],
            "date": [date(2024, 5, 6)] * 2,
            "hour": [10, 10],
            "arrivals": [60.0, 40.0],
            "interval_minutes": [60.0, 60.0],
        }
    )
    plan = plan_by_business(load, log)
    models = dict(plan.select("queue_key", "queue_model").rows())
    # consultation (20 min) and tax (45 min) customers leave: Erlang A with their patience;
    # nobody leaves social insurance: Erlang C
    assert models["consultation"] == models["tax"] == "erlang_a"
    assert models["social_insurance"] == "erlang_c"
    assert models["consultation+housing_fund+result_pickup"] == "erlang_a"
    assert plan.filter(pl.col("queue_key") == "consultation")["patience_minutes"][0] < 30
    assert plan["meets_target"].all() and (plan["windows_needed"] >= 1).all()
    assert plan.filter(pl.col("hall_code") == "ZONED")["forecast_tickets"].sum() == (
        pytest.approx(60.0)
    )
    totals = hall_totals(plan)
    assert dict(totals.select("hall_code", "queues").rows()) == {"ZONED": 3, "SHARED": 1}
