"""Tickets per hall and opening hour for the next two weeks.

The daily tickets of every hall are forecast by the same global model as case arrivals
(series = hall); each day is then split into opening hours by the hall's recent hourly
profile (share of the day's tickets by hour, last ``profile_weeks`` weeks). Hourly intervals
combine the daily interval (level uncertainty, shared by the day's hours) with Poisson noise
of the hour, in a normal approximation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import numpy as np
import polars as pl

Z80, Z95 = 1.2816, 1.96


@dataclass(frozen=True)
class OpeningHours:
    open_time: time = time(9, 0)
    close_time: time = time(17, 30)
    lunch_start: time = time(12, 0)
    lunch_end: time = time(13, 30)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def hour_slots(hours: OpeningHours) -> pl.DataFrame:
    """(hour, interval_minutes, lunch_minutes) for every clock hour the hall is open."""
    op, cl = _minutes(hours.open_time), _minutes(hours.close_time)
    ls, le = _minutes(hours.lunch_start), _minutes(hours.lunch_end)
    rows = []
    for h in range(op // 60, (cl - 1) // 60 + 1):
        lo, hi = max(h * 60, op), min(h * 60 + 60, cl)
        lunch = max(0, min(hi, le) - max(lo, ls))
        rows.append({"hour": h, "interval_minutes": float(hi - lo), "lunch_minutes": lunch})
    return pl.DataFrame(rows)


def hourly_profile(hourly: pl.DataFrame, as_of: date, weeks: int = 8) -> pl.DataFrame:
    """Share of a hall's daily tickets by hour over the last ``weeks`` weeks."""
    recent = hourly.filter(pl.col("date").is_between(as_of - timedelta(weeks=weeks), as_of))
    if recent.is_empty():
        recent = hourly
    return (
        recent.group_by("hall_code", "hour")
        .agg(pl.col("tickets").sum())
        .with_columns(share=pl.col("tickets") / pl.col("tickets").sum().over("hall_code"))
        .select("hall_code", "hour", "share")
    )


def split_into_hours(daily: pl.DataFrame, profile: pl.DataFrame) -> pl.DataFrame:
    """Hourly forecasts from daily ones (``series_id`` = hall code)."""
    d = daily.rename({"series_id": "hall_code"})
    out = d.join(profile, on="hall_code", how="inner")
    sd_day = ((pl.col("hi80") - pl.col("lo80")) / (2 * Z80)).clip(lower_bound=0)
    mean_h = pl.col("mean") * pl.col("share")
    sd_h = ((pl.col("share") * sd_day) ** 2 + mean_h).sqrt()
    return (
        out.with_columns(
            yhat=pl.col("yhat") * pl.col("share"),
            mean=mean_h,
            lo80=(mean_h - Z80 * sd_h).clip(lower_bound=0),
            hi80=mean_h + Z80 * sd_h,
            lo95=(mean_h - Z95 * sd_h).clip(lower_bound=0),
            hi95=mean_h + Z95 * sd_h,
        )
        .select(
            "hall_code",
            "date",
            "hour",
            "horizon",
            "yhat",
            "mean",
            "lo80",
            "hi80",
            "lo95",
            "hi95",
            "model_version",
        )
        .sort("hall_code", "date", "hour")
    )


def hourly_coverage(hourly_forecast: pl.DataFrame, actual: pl.DataFrame) -> float:
    """Share of hall-hours whose actual tickets fall in the 80 % interval."""
    j = hourly_forecast.join(actual, on=["hall_code", "date", "hour"], how="left").with_columns(
        pl.col("tickets").fill_null(0)
    )
    inside = (j["tickets"] >= j["lo80"]) & (j["tickets"] <= j["hi80"])
    return float(np.mean(inside.to_numpy())) if j.height else float("nan")
