"""Windows needed per hall, business queue, day and hour: the queue model the calibration
measures (``forecasting.calibration``), applied to the forecast.

The hall's forecast tickets of an hour are split among its queues (``forecasting.queues``:
a zone where the hall queues per business zone, one shared pool where its windows are
shared) by each queue's share of the hall's tickets in that hour of the day over the profile
weeks, and into the hour's two half hours by the observed share of the hour's tickets in
each half (the within-hour peak). Each queue-half-hour gets the fewest windows whose
predicted service level (Erlang C with the M/G/N tail correction, Erlang A with the queue's
censored patience where its customers leave) meets the target for the strictest target wait
of its business types (the city's service levels) under the occupancy cap; the hour's
windows are the larger half's (a window is staffed for the whole hour). Staff = windows /
(1 − shrinkage). The hall's hour is the sum over its queues.
"""

from __future__ import annotations

import math

import polars as pl

from forecasting.calibration import SLOT_MINUTES, LevelCache, predicted_level
from forecasting.queues import QueueProfile, queue_keys, queue_profiles, with_queue
from forecasting.staffing import ServiceTarget


def windows_for(
    arrivals: float,
    minutes: float,
    target_wait: float,
    profile: QueueProfile,
    target: ServiceTarget,
    cache: LevelCache | None = None,
) -> tuple[int, float]:
    """(fewest windows, their service level) for ``arrivals`` in ``minutes``."""
    if arrivals <= 0:
        return 0, 1.0
    rate = arrivals * SLOT_MINUTES / minutes  # per half hour, the model's unit
    load = rate / SLOT_MINUTES * profile.handle_minutes
    n = max(math.ceil(load / target.max_occupancy - 1e-9), 1)
    level = predicted_level(round(rate, 2), n, target_wait, profile, cache)
    while level < target.service_level and n < 200:
        n += 1
        level = predicted_level(round(rate, 2), n, target_wait, profile, cache)
    return n, level


def business_mix(tickets: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """(hall_code, hour, queue_key, business_types, queue_share, first_half_share,
    target_wait_minutes) from the profile weeks' tickets."""
    log = with_queue(tickets, keys)
    per_queue = log.group_by("hall_code", pl.col("ticket_hour").alias("hour"), "queue_key").agg(
        pl.len().alias("tickets"),
        (pl.col("ticket_half_hour") % 2 == 0).mean().alias("first_half_share"),
        pl.col("target_wait_minutes").min().alias("target_wait_minutes"),
        pl.col("business_type").unique().sort().str.join(", ").alias("business_types"),
    )
    return per_queue.with_columns(
        queue_share=pl.col("tickets") / pl.col("tickets").sum().over("hall_code", "hour")
    ).drop("tickets")


def plan_by_business(
    load: pl.DataFrame, tickets: pl.DataFrame, target: ServiceTarget | None = None
) -> pl.DataFrame:
    """Plan rows per (hall_code, queue_key, date, hour) from ``load`` = (hall_code, date, hour,
    arrivals, interval_minutes) and the profile weeks' ``tickets`` (QUEUE_LOG_COLUMNS)."""
    target = target or ServiceTarget()
    keys = queue_keys(tickets)
    profiles = queue_profiles(tickets, keys, target.abandonment_threshold)
    mix = business_mix(tickets, keys)
    split = load.join(mix, on=["hall_code", "hour"], how="inner").with_columns(
        forecast_tickets=pl.col("arrivals") * pl.col("queue_share")
    )
    rows = []
    cache: LevelCache = {}
    for row in split.iter_rows(named=True):
        profile = profiles[(row["hall_code"], row["queue_key"])]
        interval = float(row["interval_minutes"])
        tickets_hour = float(row["forecast_tickets"])
        wait = float(row["target_wait_minutes"])
        if interval > SLOT_MINUTES:  # two half hours: the busier one sets the hour
            first = tickets_hour * float(row["first_half_share"])
            halves = [
                windows_for(first, SLOT_MINUTES, wait, profile, target, cache),
                windows_for(
                    tickets_hour - first, interval - SLOT_MINUTES, wait, profile, target, cache
                ),
            ]
        else:
            halves = [windows_for(tickets_hour, interval, wait, profile, target, cache)]
        windows = max(n for n, _ in halves)
        level = min(level for _, level in halves)
        staff = math.ceil(windows / (1.0 - target.shrinkage)) if windows else 0
        rows.append(
            {
                "hall_code": row["hall_code"],
                "queue_key": row["queue_key"],
                "business_types": row["business_types"],
                "date": row["date"],
                "hour": int(row["hour"]),
                "forecast_tickets": tickets_hour,
                "interval_minutes": interval,
                "handle_minutes": profile.handle_minutes,
                "patience_minutes": profile.patience_minutes,
                "target_wait_minutes": wait,
                "queue_model": "erlang_c" if profile.patience_minutes is None else "erlang_a",
                "windows_needed": windows,
                "staff_needed": staff,
                "staff_hours": staff * interval / 60.0,
                "occupancy": (tickets_hour / interval * profile.handle_minutes / windows)
                if windows
                else 0.0,
                "predicted_service_level": level,
                "meets_target": level >= target.service_level,
            }
        )
    schema = {"patience_minutes": pl.Float64, "date": load.schema["date"]}
    return pl.DataFrame(rows, schema_overrides=schema).sort(
        "hall_code", "queue_key", "date", "hour"
    )


def hall_totals(by_business: pl.DataFrame) -> pl.DataFrame:
    """(hall_code, date, hour): windows, staff and staff-hours summed over the queues, the
    occupancy of the hall's windows, and whether every queue meets its target."""
    return by_business.group_by("hall_code", "date", "hour").agg(
        pl.col("windows_needed").sum(),
        pl.col("staff_needed").sum(),
        pl.col("staff_hours").sum(),
        (
            (
                pl.col("forecast_tickets") / pl.col("interval_minutes") * pl.col("handle_minutes")
            ).sum()
            / pl.col("windows_needed").sum().clip(1)
        ).alias("occupancy"),
        pl.col("meets_target").all(),
        pl.len().alias("queues"),
    )
