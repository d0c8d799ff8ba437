"""Design rows for the direct multi-horizon model: one row per (series, origin, horizon).

Every series statistic is computed from data up to the origin only, so a row is valid at its
horizon by construction (no lag shorter than the horizon can leak in). The target is the
value divided by the series' level at the origin, so one global model serves series of any
size; predictions are multiplied back by the level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.calendar import FEATURE_COLUMNS
from forecasting.panel import Panel

LEVEL_WORKDAYS = 20
PROFILE_WEEKS = 8
OFFDAY_WINDOW = 56
YEAR_WORKDAYS = 250
LEVEL_FLOOR = 1.0

SERIES_FEATURES = (
    "horizon",
    "group_code",
    "log_level",
    "growth",
    "year_on_year",
    "dow_profile",
    "offday_ratio",
)
FEATURE_NAMES = SERIES_FEATURES + FEATURE_COLUMNS
CATEGORICAL = ("group_code", "iso_dow", "next_holiday_code", "last_holiday_code")


@dataclass(frozen=True)
class OriginStats:
    """Series statistics at a set of origins: arrays of shape (n_series, n_origins)."""

    level: np.ndarray
    growth: np.ndarray
    year_on_year: np.ndarray
    dow_profile: np.ndarray  # (n_series, n_origins, 8): index = iso weekday, 0 and 6/7 = 1.0
    offday_ratio: np.ndarray


def _window_mean(cs: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """Mean of the ``width`` values before position ``end`` from a cumsum with leading 0."""
    lo = np.maximum(end - width, 0)
    n = np.maximum(end - lo, 1)
    return (cs[:, end] - cs[:, lo]) / n


def origin_stats(panel: Panel, origins: np.ndarray) -> OriginStats:
    values = panel.values
    n_days = values.shape[1]
    work = panel.workday[:n_days]
    work_idx = np.flatnonzero(work)
    cs_work = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values[:, work_idx], 1)], 1)
    seq = np.cumsum(work)  # working days ≤ day
    p = seq[origins]

    level = _window_mean(cs_work, p, LEVEL_WORKDAYS)
    floor = np.maximum(level, LEVEL_FLOOR)
    prev = _window_mean(cs_work, np.maximum(p - LEVEL_WORKDAYS, 0), LEVEL_WORKDAYS)
    last_year = _window_mean(cs_work, np.maximum(p - YEAR_WORKDAYS, 0), LEVEL_WORKDAYS)
    growth = np.where(p > 2 * LEVEL_WORKDAYS, level / np.maximum(prev, LEVEL_FLOOR), 1.0)
    yoy = np.where(
        p > YEAR_WORKDAYS + LEVEL_WORKDAYS, level / np.maximum(last_year, LEVEL_FLOOR), 1.0
    )

    dow = panel.features["iso_dow"].to_numpy()[:n_days]
    makeup = panel.features["is_makeup"].to_numpy()[:n_days].astype(bool)
    profile = np.ones((values.shape[0], len(origins), 8))
    for k in range(1, 6):
        mask = work & ~makeup & (dow == k)
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            continue
        cs = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values[:, idx], 1)], 1)
        end = np.searchsorted(idx, origins, side="right")
        profile[:, :, k] = _window_mean(cs, end, PROFILE_WEEKS) / floor

    off = (~work).astype(float)
    cs_off_v = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values * off, 1)], 1)
    cs_off_n = np.concatenate([[0.0], np.cumsum(off)])
    lo = np.maximum(origins + 1 - OFFDAY_WINDOW, 0)
    n_off = np.maximum(cs_off_n[origins + 1] - cs_off_n[lo], 1)
    offday = (cs_off_v[:, origins + 1] - cs_off_v[:, lo]) / n_off / floor
    return OriginStats(level, growth, yoy, profile, offday)


@dataclass(frozen=True)
class Design:
    X: np.ndarray
    level: np.ndarray  # floor-applied level per row (multiply predictions by it)
    series: np.ndarray  # series position per row
    origin: np.ndarray  # day index of the origin per row
    horizon: np.ndarray
    target_day: np.ndarray  # day index of the target per row
    y: np.ndarray | None  # actual values (not ratios) when observed


def design_rows(
    panel: Panel,
    origins: np.ndarray,
    horizons: np.ndarray,
    *,
    group_codes: np.ndarray,
    rng: np.random.Generator | None = None,
    horizons_per_origin: int | None = None,
    require_target: bool = False,
) -> Design:
    """Rows for every series × origin × horizon (optionally a random subset of horizons).

    With ``require_target`` rows whose target day is not observed yet are dropped.
    """
    origins = np.asarray(origins, dtype=np.int64)
    horizons = np.asarray(horizons, dtype=np.int64)
    stats = origin_stats(panel, origins)
    n_series = panel.values.shape[0]
    n_obs = panel.values.shape[1]
    calendar = panel.features.select(FEATURE_COLUMNS).to_numpy().astype(float)

    s_idx, o_pos, h_val = [], [], []
    series_range = np.arange(n_series)
    for j, _origin in enumerate(origins):
        subsample = horizons_per_origin is not None and rng is not None
        if subsample and horizons_per_origin < len(horizons):
            pick = np.argsort(rng.random((n_series, len(horizons))), axis=1)[
                :, :horizons_per_origin
            ]
            hs = horizons[pick]
        else:
            hs = np.broadcast_to(horizons, (n_series, len(horizons)))
        s_idx.append(np.repeat(series_range, hs.shape[1]))
        o_pos.append(np.full(hs.size, j))
        h_val.append(hs.ravel())
    s = np.concatenate(s_idx)
    op = np.concatenate(o_pos)
    h = np.concatenate(h_val)
    origin = origins[op]
    target = origin + h
    keep = target < (n_obs if require_target else len(calendar))
    s, op, h, origin, target = s[keep], op[keep], h[keep], origin[keep], target[keep]

    level = np.maximum(stats.level[s, op], LEVEL_FLOOR)
    dow = calendar[target, FEATURE_COLUMNS.index("iso_dow")].astype(int)
    X = np.column_stack(
        [
            h,
            group_codes[s],
            np.log1p(stats.level[s, op]),
            stats.growth[s, op],
            stats.year_on_year[s, op],
            stats.dow_profile[s, op, dow],
            stats.offday_ratio[s, op],
            calendar[target],
        ]
    )
    y = panel.values[s, np.minimum(target, n_obs - 1)] if require_target else None
    return Design(X=X, level=level, series=s, origin=origin, horizon=h, target_day=target, y=y)
