"""One global gradient-boosted model for all daily series, direct over the horizon.

A HistGradientBoostingRegressor with Poisson loss on the level-scaled target gives the
expected arrivals. Intervals are split-conformal: a model fitted on older data forecasts the
most recent origins whose whole horizon is observed; the residuals, normalised by a
Poisson-plus-proportional spread, give empirical quantiles per horizon week and day type
(working / non-working). The point forecast ``yhat`` is the conformal median (what MASE and
WAPE reward); ``mean`` is the expected value (what staffing and backlog use).
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from forecasting.baselines import workday_values
from forecasting.binning import one_pass_binning
from forecasting.features import CATEGORICAL, FEATURE_NAMES, Design, design_rows
from forecasting.metrics import mase_scale
from forecasting.panel import Panel

RESIDUAL_PROBS = (0.025, 0.1, 0.5, 0.9, 0.975)


class InsufficientHistoryError(ValueError):
    """The series are too short to train and calibrate the model (a city's first months)."""


@dataclass(frozen=True)
class ModelConfig:
    horizon: int = 56
    origin_step: int = 6  # days between training origins (not 7: the origin's weekday rotates)
    train_days: int = 3 * 365
    horizons_per_origin: int = 10
    calibration_days: int = 70
    max_iter: int = 120
    learning_rate: float = 0.1
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    seed: int = 0
    name: str = "arrivals"
    # OpenMP threads for the trees: with 1 the fits are faster on a shared 2-core machine
    # (two spinning threads slow down 5–15× as soon as another process wants a core)
    threads: int = 1

    def card(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Calibration:
    """Normalised residual quantiles (at ``RESIDUAL_PROBS``) per horizon week × day type."""

    dispersion: float
    table: dict[int, tuple[float, ...]]
    overall: tuple[float, ...]


@dataclass
class FittedModel:
    config: ModelConfig
    model: HistGradientBoostingRegressor
    group_codes: dict[str, int]
    calibration: Calibration
    train_start: date
    train_end: date
    n_rows: int
    fitted_series: tuple[str, ...] = field(default=())

    @property
    def version(self) -> str:
        digest = hashlib.sha1(
            json.dumps(self.config.card(), sort_keys=True, default=str).encode()
            + str(self.train_start).encode()
        ).hexdigest()[:8]
        return f"{self.config.name}-hgb-{self.train_end:%Y%m%d}-{digest}"

    def predict(self, panel: Panel, *, origin: int | None = None) -> pl.DataFrame:
        """Forecasts for every series from the end of day index ``origin`` (default: last)."""
        t = panel.n_days - 1 if origin is None else origin
        view = panel if t == panel.n_days - 1 else _upto(panel, t)
        horizons = np.arange(1, self.config.horizon + 1)
        max_h = len(view.features) - 1 - t
        horizons = horizons[horizons <= max_h]
        design = design_rows(
            view, np.array([t]), horizons, group_codes=_codes(view, self.group_codes)
        )
        mu = _predict_mean(self.model, design, self.config.threads)
        bands = _intervals(mu, _bucket_keys(design, view), self.calibration)
        return pl.DataFrame(
            {
                "series_id": np.array(view.series_ids)[design.series],
                "origin_date": [view.date_at(t)] * len(design.series),
                "date": [view.date_at(int(d)) for d in design.target_day],
                "horizon": design.horizon.astype(np.int32),
                "yhat": bands["yhat"],
                "mean": bands["mean"],
                "lo80": bands["lo80"],
                "hi80": bands["hi80"],
                "lo95": bands["lo95"],
                "hi95": bands["hi95"],
                "model_version": [self.version] * len(design.series),
            }
        )


def _upto(panel: Panel, t: int) -> Panel:
    return panel.truncated(panel.date_at(t))


def _codes(panel: Panel, mapping: dict[str, int]) -> np.ndarray:
    return np.array([mapping.get(g, len(mapping)) for g in panel.groups], dtype=float)


def _weights(panel: Panel, design: Design, last: int) -> np.ndarray:
    """Row weights that make the ratio loss a scaled (MASE-like) loss per series."""
    wv = workday_values(panel, last)
    scales = np.array([mase_scale(row) for row in wv])
    scales = np.where(np.isfinite(scales) & (scales > 0), scales, 1.0)
    return design.level / np.maximum(scales[design.series], 0.5)


def _fit_mean(
    design: Design, weights: np.ndarray, config: ModelConfig
) -> HistGradientBoostingRegressor:
    """Poisson loss on the level-scaled target, weighted by level: a count model with a log
    link and the level as offset, so calendar effects act multiplicatively on every series."""
    assert design.y is not None
    model = HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        categorical_features=[FEATURE_NAMES.index(c) for c in CATEGORICAL],
        early_stopping=False,
        random_state=config.seed,
    )
    # OpenMP's thread count is each thread's own setting: set in the thread that fits
    with threadpool_limits(limits=config.threads, user_api="openmp"):
        model.fit(design.X, design.y / design.level, sample_weight=weights)
    return model


def _predict_mean(
    model: HistGradientBoostingRegressor, design: Design, threads: int = 1
) -> np.ndarray:
    with threadpool_limits(limits=threads, user_api="openmp"):
        return np.maximum(model.predict(design.X), 0.0) * design.level


def _bucket_keys(design: Design, panel: Panel) -> np.ndarray:
    week = np.minimum((design.horizon - 1) // 7, 7)
    work = panel.workday[design.target_day].astype(int)
    return week * 2 + work


def _spread(mu: np.ndarray, dispersion: float) -> np.ndarray:
    """Scale of the forecast error: Poisson noise plus a model error proportional to the mean."""
    return np.sqrt(mu + (dispersion * mu) ** 2 + 0.25)


def calibrate(mu: np.ndarray, y: np.ndarray, buckets: np.ndarray) -> Calibration:
    """Normalised residual quantiles per bucket (split-conformal on the calibration origins)."""
    excess = np.mean((y - mu) ** 2 - mu) / max(np.mean(mu**2), 1e-9)
    dispersion = float(np.sqrt(max(excess, 0.0)))
    z = (y - mu) / _spread(mu, dispersion)
    table: dict[int, tuple[float, ...]] = {}
    overall = _conformal_quantiles(z)
    for b in np.unique(buckets):
        zb = z[buckets == b]
        table[int(b)] = _conformal_quantiles(zb) if zb.size >= 50 else overall
    return Calibration(dispersion=dispersion, table=table, overall=overall)


def _conformal_quantiles(z: np.ndarray) -> tuple[float, ...]:
    if z.size == 0:
        return (-1.96, -1.28, 0.0, 1.28, 1.96)
    n = z.size
    out = []
    for p in RESIDUAL_PROBS:
        # finite-sample correction pushes the outer quantiles outwards
        adj = (
            p
            if p == 0.5
            else (
                min(np.ceil((n + 1) * p) / n, 1.0)
                if p > 0.5
                else max(np.floor((n + 1) * p - 1) / n, 0)
            )
        )
        out.append(float(np.quantile(z, adj)))
    return tuple(out)


def _intervals(mu: np.ndarray, buckets: np.ndarray, cal: Calibration) -> dict[str, np.ndarray]:
    sigma = _spread(mu, cal.dispersion)
    z = np.array([cal.table.get(int(b), cal.overall) for b in buckets])
    values = np.maximum(mu[:, None] + z * sigma[:, None], 0.0)
    values = np.sort(values, axis=1)
    return {
        "yhat": values[:, 2],
        "mean": mu,
        "lo95": values[:, 0],
        "lo80": values[:, 1],
        "hi80": values[:, 3],
        "hi95": values[:, 4],
    }


def _training_origins(first: int, last: int, step: int) -> np.ndarray:
    return np.arange(last, first - 1, -step)[::-1]


def fit_model(
    panel: Panel, config: ModelConfig | None = None, *, origin: int | None = None
) -> FittedModel:
    """Fit on data up to day index ``origin`` (default: the panel's last day)."""
    config = config or ModelConfig()
    t = panel.n_days - 1 if origin is None else origin
    view = _upto(panel, t) if t < panel.n_days - 1 else panel
    rng = np.random.default_rng(config.seed)
    groups = sorted(set(view.groups))
    mapping = {g: i for i, g in enumerate(groups)}
    codes = _codes(view, mapping)
    first = max(t - config.train_days, 40)
    if t - first < config.horizon + config.calibration_days + 60:
        raise InsufficientHistoryError(
            f"not enough history to fit: {t - first} days after warm-up, "
            f"need {config.horizon + config.calibration_days + 60}"
        )
    horizons = np.arange(1, config.horizon + 1)
    origins = _training_origins(first, t - 1, config.origin_step)
    design = design_rows(
        view,
        origins,
        horizons,
        group_codes=codes,
        rng=rng,
        horizons_per_origin=config.horizons_per_origin,
        require_target=True,
    )
    weights = _weights(view, design, t)

    # conformal calibration: a model that has not seen the last horizon + calibration window
    cal_last = t - config.horizon
    cal_first = cal_last - config.calibration_days
    early = design.target_day <= cal_first
    # The final model does not depend on the calibration model: it fits on a second thread
    # meanwhile (the trees' work releases the GIL; each fit keeps its own OpenMP threads).
    with one_pass_binning(), ThreadPoolExecutor(max_workers=1) as final_fit:
        fitting = final_fit.submit(_fit_mean, design, weights, config)
        cal_model = _fit_mean(_subset(design, early), weights[early], config)
        cal_origins = _training_origins(cal_first + 1, cal_last, 2)
        cal_design = design_rows(
            view, cal_origins, horizons, group_codes=codes, require_target=True
        )
        assert cal_design.y is not None
        calibration = calibrate(
            _predict_mean(cal_model, cal_design, config.threads),
            cal_design.y,
            _bucket_keys(cal_design, view),
        )
        model = fitting.result()
    return FittedModel(
        config=config,
        model=model,
        group_codes=mapping,
        calibration=calibration,
        train_start=view.date_at(int(origins[0])),
        train_end=view.date_at(t),
        n_rows=len(design.series),
        fitted_series=view.series_ids,
    )


def _subset(design: Design, mask: np.ndarray) -> Design:
    return Design(
        X=design.X[mask],
        level=design.level[mask],
        series=design.series[mask],
        origin=design.origin[mask],
        horizon=design.horizon[mask],
        target_day=design.target_day[mask],
        y=None if design.y is None else design.y[mask],
    )
