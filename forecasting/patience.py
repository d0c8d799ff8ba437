"""Customers' patience from a queue log, with censoring (Erlang A's exponential patience).

Three kinds of ticket tell about a customer's patience T:

- abandoned with ``left_at``: T observed exactly (left_at − ticket taken);
- called after waiting w: T > w (right-censored: they would have waited longer);
- abandoned without ``left_at`` (the queue system noticed only at the call): T < c, where c
  is the wait they would have had — taken here as the call of the next ticket of the same
  queue taken after them (FIFO: they would have been called no later), minus their ticket
  time; the day's last call where no later ticket was called.

Patience is modelled as exponential (the Erlang A assumption): the maximum-likelihood rate
with exact and right-censored times is events / exposure. A ticket known only to have left
before c contributes an event and an unknown exposure; the EM algorithm replaces that
exposure by its expectation under the current rate, E[T | T < c] = 1/θ − c / (e^{θc} − 1),
and iterates to the fixed point (the censored MLE). Estimating "customers who left / total
waiting minutes" without the missing exposures biases patience up; dropping the unrecorded
abandonments biases it up far more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class PatienceEstimate:
    mean_minutes: float | None  # None: nobody left (no abandonment to estimate from)
    exact: int  # abandoned with a recorded time of leaving
    left_before: int  # abandoned without one (interval-censored in [0, c])
    censored: int  # called: patience beyond their wait
    iterations: int


def _expected_below(theta: float, bound: np.ndarray) -> np.ndarray:
    """E[T | T < bound] for T ~ exponential(theta)."""
    x = theta * bound
    safe = np.where(x > 1e-8, x, 1.0)
    value = np.where(x > 1e-8, 1.0 / theta - bound / np.expm1(safe), bound / 2.0)
    return np.clip(value, 0.0, bound)


def exponential_patience(
    exact_minutes: np.ndarray,
    left_before_minutes: np.ndarray,
    censored_minutes: np.ndarray,
    *,
    tol: float = 1e-6,
    max_iter: int = 500,
) -> PatienceEstimate:
    """Censored MLE of the mean patience (EM for the abandonments without a leaving time)."""
    exact = np.asarray(exact_minutes, dtype=float)
    below = np.maximum(np.asarray(left_before_minutes, dtype=float), 1e-6)
    censored = np.asarray(censored_minutes, dtype=float)
    events = exact.size + below.size
    if events == 0:
        return PatienceEstimate(None, 0, 0, censored.size, 0)
    known = float(exact.sum() + censored.sum())
    theta = events / max(known + float(below.sum()) / 2.0, 1e-9)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        exposure = known + float(_expected_below(theta, below).sum())
        updated = events / max(exposure, 1e-9)
        converged = abs(updated - theta) <= tol * theta
        theta = updated
        if converged:
            break
    return PatienceEstimate(1.0 / theta, exact.size, below.size, censored.size, iterations)


def would_be_called_minutes(tickets: pl.DataFrame, queue: list[str]) -> pl.DataFrame:
    """Per ticket, minutes from its ticket to the call of the next ticket of the same queue
    and day taken at or after it (``next_call_minutes``); the day's last call where none.
    ``tickets`` needs ticket_taken_at, called_at and the ``queue`` columns."""
    day = pl.col("ticket_taken_at").dt.date()
    ordered = tickets.with_columns(_day=day).sort([*queue, "_day", "ticket_taken_at"])
    by_queue_day = [*queue, "_day"]
    return (
        ordered.with_columns(
            _next_call=pl.col("called_at").backward_fill().over(by_queue_day),
            _last_call=pl.col("called_at").max().over(by_queue_day),
        )
        .with_columns(
            next_call_minutes=(
                pl.coalesce("_next_call", "_last_call") - pl.col("ticket_taken_at")
            ).dt.total_seconds()
            / 60.0
        )
        .drop("_day", "_next_call", "_last_call")
    )


def estimate_patience(
    tickets: pl.DataFrame, by: list[str], queue: list[str] | None = None
) -> pl.DataFrame:
    """Mean patience per ``by`` group (e.g. hall_code, business_type).

    ``tickets``: ticket_taken_at, called_at, left_at (nullable; absent = never recorded),
    is_abandoned, plus the ``by`` and ``queue`` columns (``queue``: the columns naming the
    queue a ticket waited in, for the would-be call of abandonments without left_at; default
    ``by``). Returns ``by`` + patience_minutes (null where nobody left), exact_abandoned,
    unrecorded_abandoned, censored_called."""
    queue = queue or by
    if "left_at" not in tickets.columns:
        tickets = tickets.with_columns(left_at=pl.lit(None, pl.Datetime("us")))
    timed = would_be_called_minutes(tickets, queue).with_columns(
        wait=(pl.col("called_at") - pl.col("ticket_taken_at")).dt.total_seconds() / 60.0,
        left_after=(pl.col("left_at") - pl.col("ticket_taken_at")).dt.total_seconds() / 60.0,
    )
    rows = []
    for key, part in timed.group_by(by, maintain_order=True):
        abandoned = part.filter(pl.col("is_abandoned"))
        estimate = exponential_patience(
            abandoned["left_after"].drop_nulls().to_numpy(),
            abandoned.filter(pl.col("left_after").is_null())["next_call_minutes"]
            .fill_null(0.0)
            .to_numpy(),
            part.filter(~pl.col("is_abandoned"))["wait"].drop_nulls().to_numpy(),
        )
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "patience_minutes": estimate.mean_minutes,
                "exact_abandoned": estimate.exact,
                "unrecorded_abandoned": estimate.left_before,
                "censored_called": estimate.censored,
            }
        )
    schema = {
        **{c: tickets.schema[c] for c in by},
        "patience_minutes": pl.Float64,
        "exact_abandoned": pl.Int64,
        "unrecorded_abandoned": pl.Int64,
        "censored_called": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
