"""Calibration of the queue model: the service level it predicts for every hall-hour of recent
history with the windows actually open, against the level measured from the tickets.

Per queue (``forecasting.queues``: a zone where the hall queues per business zone, the whole
hall where its windows are shared) and half hour (the demo, and many halls, staff per half
hour; an hour's peak sits in one of its halves):

- **arrivals**: the tickets taken in the half hour;
- **windows open**: minutes each window of the queue was open in the half hour
  (``intermediate.int_hall_windows__open_spans``: a window's span of calls, closed by an idle
  gap) / 30, fractional; the level is interpolated between the whole windows around it;
- **model**: Erlang C with the queue's handle time, Erlang A with its censored patience where
  ≥ ``abandonment_threshold`` of its tickets leave; target wait per business type (the
  tickets' ``target_wait_minutes``, from the city's service levels).

The hall-hour's predicted level is the arrivals-weighted mean of its queue-half-hours';
measured: tickets called within their target wait / (called + abandoned), the hall service
level of the metric dictionary. ``queue_calibration`` holds both per hall-hour; the summary,
bias (predicted − measured) and mean absolute error in points, per hall and overall.

The log is the complete ISO weeks up to the run's day, so from Monday to Saturday each daily
run would calibrate the same tickets again (59 s at province scale). ``log_fingerprint``
names what a calibration was computed from — the tickets and spans, the abandonment
threshold and ``CALIBRATION_VERSION`` — and the forecast run keeps the stored calibration
while the fingerprint is the same: the same numbers, without computing them again.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import polars as pl

from forecasting.erlang import erlang_a, erlang_c_level
from forecasting.queues import QueueProfile, queue_keys, queue_profiles, with_queue

SLOT_MINUTES = 30.0
# Bump when the calibration's computation changes: stored calibrations are then recomputed.
CALIBRATION_VERSION = 2


@dataclass(frozen=True)
class CalibrationResult:
    hourly: pl.DataFrame  # hall_code, date, hour, tickets, windows_open, predicted, measured
    summary: pl.DataFrame  # hall_code ('*' = all), hall_hours, tickets, bias, mae (points)


LevelCache = dict[tuple[float, float, int, float, float | None, float], float]


def _level(
    arrivals: float,
    handle: float,
    windows: int,
    target: float,
    patience: float | None,
    cv: float,
) -> float:
    if arrivals <= 0:
        return 1.0
    if windows <= 0:
        return 0.0
    if patience is None:
        return erlang_c_level(arrivals, handle, windows, target, SLOT_MINUTES, service_cv=cv)
    return erlang_a(arrivals, handle, windows, target, patience, int(SLOT_MINUTES)).service_level


def predicted_level(
    arrivals: float,
    windows: float,
    target: float,
    profile: QueueProfile,
    cache: LevelCache | None = None,
) -> float:
    """Service level of ``arrivals`` in a half hour at ``windows`` (fractional: interpolated).
    ``cache``: the levels already computed by the caller's run (the same inputs recur)."""
    cache = {} if cache is None else cache

    def level(n: int) -> float:
        key = (arrivals, handle, n, target, patience, cv)
        if key not in cache:
            cache[key] = _level(*key)
        return cache[key]

    low = math.floor(windows)
    weight = windows - low
    handle = round(profile.handle_minutes, 2)
    patience = None if profile.patience_minutes is None else round(profile.patience_minutes, 1)
    cv = round(min(profile.handle_cv, 1.0), 2)
    level_low = level(low)
    if weight < 1e-9:
        return level_low
    return (1 - weight) * level_low + weight * level(low + 1)


def window_minutes(spans: pl.DataFrame, window_queue: pl.DataFrame) -> pl.DataFrame:
    """(hall_code, queue_key, date, half_hour, windows_open) from the windows' open spans."""
    slots = pl.int_ranges(
        (pl.col("opened_at").dt.hour() * 2 + pl.col("opened_at").dt.minute() // 30),
        (pl.col("closed_at").dt.hour() * 2 + pl.col("closed_at").dt.minute() // 30) + 1,
    )
    exploded = spans.with_columns(half_hour=slots).explode("half_hour")
    start = pl.col("ticket_date").cast(pl.Datetime("us")) + pl.duration(
        minutes=pl.col("half_hour") * 30
    )
    overlap = (
        pl.min_horizontal(pl.col("closed_at"), start + pl.duration(minutes=30))
        - pl.max_horizontal(pl.col("opened_at"), start)
    ).dt.total_seconds() / 60.0
    return (
        exploded.with_columns(open_minutes=overlap.clip(0.0, SLOT_MINUTES))
        .join(window_queue, on=["hall_code", "window_no"], how="inner")
        .group_by("hall_code", "queue_key", pl.col("ticket_date").alias("date"), "half_hour")
        .agg((pl.col("open_minutes").sum() / SLOT_MINUTES).alias("windows_open"))
    )


def _arrival_rate(demand: pl.DataFrame, smoothing: int) -> pl.DataFrame:
    """``rate``: the arrivals of the half hour and the ``smoothing`` half hours either side of
    it (the same queue and day; an empty half hour counts 0), per half hour of the hall's
    opening the window covers. A half hour's own count is a noisy rate where a queue sees a
    customer or two: conditioned on someone coming, it overstates the load."""
    keys = ["hall_code", "queue_key", "date", "target_wait_minutes"]
    counts = demand.select(*keys, "half_hour", "arrivals")
    bounds = demand.group_by("hall_code").agg(
        pl.col("half_hour").min().alias("first"), pl.col("half_hour").max().alias("last")
    )
    total = demand
    for shift in [s for s in range(-smoothing, smoothing + 1) if s]:
        total = total.join(
            counts.with_columns(pl.col("half_hour") - shift).rename({"arrivals": f"_n{shift}"}),
            on=[*keys, "half_hour"],
            how="left",
        )
    near = [pl.col(c).fill_null(0) for c in total.columns if c.startswith("_n")]
    covered = (
        pl.min_horizontal(pl.col("last"), pl.col("half_hour") + smoothing)
        - pl.max_horizontal(pl.col("first"), pl.col("half_hour") - smoothing)
        + 1
    )
    return (
        total.join(bounds, on="hall_code", how="left")
        .with_columns(rate=pl.sum_horizontal(pl.col("arrivals"), *near) / covered)
        .select(*demand.columns, "rate")
    )


def calibrate(
    tickets: pl.DataFrame,
    spans: pl.DataFrame,
    *,
    abandonment_threshold: float = 0.02,
    smoothing: int = 1,  # half hours either side in the arrival rate (90 minutes)
) -> CalibrationResult:
    """Predicted vs measured service level of every hall-hour of ``tickets``.

    ``tickets``: fct_hall_tickets rows (hall_code, business_type, window_no, ticket_taken_at,
    called_at, left_at, service_ended_at, service_minutes, ticket_date, ticket_half_hour,
    is_served, is_abandoned, is_called, is_within_target_wait, target_wait_minutes);
    ``spans``: int_hall_windows__open_spans (hall_code, ticket_date, window_no, opened_at,
    closed_at) of the same days."""
    keys = queue_keys(tickets)
    profiles = queue_profiles(tickets, keys, abandonment_threshold)
    log = with_queue(tickets, keys)
    window_queue = (
        log.filter(pl.col("window_no").is_not_null())
        .group_by("hall_code", "window_no", "queue_key")
        .len()
        .sort("len", descending=True)
        .unique(["hall_code", "window_no"], keep="first")
        .drop("len")
    )
    open_windows = window_minutes(spans, window_queue)
    called_at = pl.col("called_at")
    calling = (
        log.filter(pl.col("window_no").is_not_null())
        .group_by(
            "hall_code",
            "queue_key",
            pl.col("ticket_date").alias("date"),
            (called_at.dt.hour() * 2 + called_at.dt.minute() // 30).alias("half_hour"),
        )
        .agg(pl.col("window_no").n_unique().alias("windows_calling"))
    )
    demand = (
        log.group_by(
            "hall_code",
            "queue_key",
            pl.col("ticket_date").alias("date"),
            pl.col("ticket_half_hour").alias("half_hour"),
            "target_wait_minutes",
        )
        .agg(pl.len().alias("arrivals"))
        .pipe(_arrival_rate, smoothing)
        .join(open_windows, on=["hall_code", "queue_key", "date", "half_hour"], how="left")
        .join(calling, on=["hall_code", "queue_key", "date", "half_hour"], how="left")
        .with_columns(
            # a queue with customers has a window open; one that called someone was open
            windows_open=pl.max_horizontal(
                pl.col("windows_open").fill_null(0.0), pl.col("windows_calling").fill_null(0), 1.0
            )
        )
    )
    cache: LevelCache = {}
    levels = [
        predicted_level(
            float(row["rate"]),
            float(row["windows_open"]),
            float(row["target_wait_minutes"]),
            profiles[(row["hall_code"], row["queue_key"])],
            cache,
        )
        for row in demand.select(
            "hall_code", "queue_key", "rate", "windows_open", "target_wait_minutes"
        ).iter_rows(named=True)
    ]
    predicted = (
        demand.with_columns(
            level=pl.Series(levels, dtype=pl.Float64), hour=pl.col("half_hour") // 2
        )
        .group_by("hall_code", "date", "hour")
        .agg(
            ((pl.col("level") * pl.col("arrivals")).sum() / pl.col("arrivals").sum()).alias(
                "predicted_service_level"
            ),
        )
    )
    # windows open in the hour: the queues' half-hour windows, averaged over the two halves
    opened = (
        open_windows.with_columns(hour=pl.col("half_hour") // 2)
        .group_by("hall_code", "date", "hour")
        .agg((pl.col("windows_open").sum() / 2).alias("windows_open"))
    )
    measured = tickets.group_by(
        "hall_code", pl.col("ticket_date").alias("date"), pl.col("ticket_hour").alias("hour")
    ).agg(
        pl.len().alias("tickets"),
        (
            pl.col("is_within_target_wait").sum()
            / (pl.col("is_called").sum() + pl.col("is_abandoned").sum())
        ).alias("measured_service_level"),
    )
    hourly = (
        measured.join(predicted, on=["hall_code", "date", "hour"], how="inner")
        .join(opened, on=["hall_code", "date", "hour"], how="left")
        .with_columns(
            pl.col("windows_open").fill_null(0.0),
            error_points=(pl.col("predicted_service_level") - pl.col("measured_service_level"))
            * 100,
        )
        .sort("hall_code", "date", "hour")
    )
    return CalibrationResult(hourly, summarise(hourly))


def log_fingerprint(
    tickets: pl.DataFrame, spans: pl.DataFrame, abandonment_threshold: float
) -> str:
    """What a calibration is computed from, as a digest: equal digests, equal calibrations.
    Row order does not count (the row hashes are sorted); polars' row hashes are stable within
    one polars version only, so its version is part of the digest."""
    digest = hashlib.sha256(
        f"v{CALIBRATION_VERSION}|{abandonment_threshold!r}|polars {pl.__version__}".encode()
    )
    for frame in (tickets, spans):
        digest.update(f"|{frame.height}|{','.join(frame.columns)}|".encode())
        digest.update(frame.hash_rows().sort().to_numpy().tobytes())
    return digest.hexdigest()


def summarise(hourly: pl.DataFrame) -> pl.DataFrame:
    """Bias and mean absolute error in points per hall and over all hall-hours ('*'); the
    ticket-weighted error beside them (busy hours count by their customers)."""
    stats = [
        pl.len().alias("hall_hours"),
        pl.col("tickets").sum().alias("tickets"),
        pl.col("error_points").mean().alias("bias_points"),
        pl.col("error_points").abs().mean().alias("mae_points"),
        ((pl.col("error_points").abs() * pl.col("tickets")).sum() / pl.col("tickets").sum()).alias(
            "weighted_mae_points"
        ),
        pl.col("predicted_service_level").mean().alias("predicted_service_level"),
        pl.col("measured_service_level").mean().alias("measured_service_level"),
    ]
    per_hall = hourly.group_by("hall_code").agg(stats).sort("hall_code")
    overall = hourly.select(stats).with_columns(hall_code=pl.lit("*"))
    return pl.concat([overall.select(per_hall.columns), per_hall])
