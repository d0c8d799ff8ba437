"""Forecast accuracy as the metric dictionary defines it: MASE (seasonal naive on working
days, m = 5), WAPE and interval coverage. Pure numpy, no NaN surprises: empty inputs give NaN.
"""

from __future__ import annotations

import numpy as np

SEASON_WORKDAYS = 5


def mase_scale(workday_values: np.ndarray, m: int = SEASON_WORKDAYS) -> float:
    """In-sample mean absolute error of the one-step seasonal naive on working days.

    ``workday_values`` are the series' values on consecutive working days (non-working days
    removed). Returns NaN when there are not more than ``m`` values; a flat series (scale 0)
    returns 0 and :func:`mase` then returns NaN rather than infinity.
    """
    v = np.asarray(workday_values, dtype=float)
    if v.size <= m:
        return float("nan")
    return float(np.mean(np.abs(v[m:] - v[:-m])))


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    return float(np.mean(np.abs(a - f))) if a.size else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error: MAE of the forecast / in-sample seasonal-naive MAE."""
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return mae(actual, forecast) / scale


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: Σ|actual − forecast| / Σ|actual|."""
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    denom = np.abs(a).sum()
    return float(np.abs(a - f).sum() / denom) if denom > 0 else float("nan")


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside the closed interval [lower, upper]."""
    a = np.asarray(actual, float)
    if a.size == 0:
        return float("nan")
    return float(np.mean((a >= np.asarray(lower, float)) & (a <= np.asarray(upper, float))))
