"""Benchmarks every model must beat, on the working-day calendar.

* **seasonal naive (m = 5 working days)**: a working day gets the value of the working day
  5·k working days earlier, k the smallest whole number reaching back to the origin; a
  non-working day gets the value of the last non-working day at or before the origin.
* **last year, same working day**: the first working day on or after the same weekday
  52 weeks (364 days) earlier; a non-working day gets the value 364 days earlier.
"""

from __future__ import annotations

import numpy as np

from forecasting.metrics import SEASON_WORKDAYS
from forecasting.panel import Panel


def _targets(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    days = origin + np.arange(1, horizon + 1)
    if days[-1] >= len(panel.workday):
        raise ValueError("horizon runs past the calendar attached to the panel")
    return days


def seasonal_naive(panel: Panel, origin: int, horizon: int, m: int = SEASON_WORKDAYS) -> np.ndarray:
    """Forecasts (n_series, horizon) made at the end of day index ``origin``."""
    work = panel.workday
    seq = np.cumsum(work)  # working days up to and including each day
    work_idx = np.flatnonzero(work)
    off_idx = np.flatnonzero(~work[: origin + 1])
    days = _targets(panel, origin, horizon)
    out = np.zeros((panel.values.shape[0], horizon))
    last_off = off_idx[-1] if off_idx.size else None
    for j, d in enumerate(days):
        if work[d]:
            ahead = seq[d] - seq[origin]
            lag = m * int(np.ceil(ahead / m))
            src_seq = seq[d] - lag
            if src_seq < 1:
                continue
            out[:, j] = panel.values[:, work_idx[src_seq - 1]]
        elif last_off is not None:
            out[:, j] = panel.values[:, last_off]
    return out


def last_year_same_workday(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Forecasts (n_series, horizon) from the same working day a year earlier."""
    work = panel.workday
    days = _targets(panel, origin, horizon)
    out = np.zeros((panel.values.shape[0], horizon))
    for j, d in enumerate(days):
        src = d - 364
        if src < 0:
            continue
        if work[d]:
            while src <= origin and not work[src]:
                src += 1
            src = min(src, origin)
        out[:, j] = panel.values[:, src]
    return out


def workday_values(panel: Panel, last: int) -> np.ndarray:
    """The panel's values on working days up to day index ``last`` (n_series, n_workdays)."""
    return panel.values[:, : last + 1][:, panel.workday[: last + 1]]
