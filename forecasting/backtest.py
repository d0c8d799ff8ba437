"""Rolling-origin evaluation against the baselines, and the check that guards retraining.

Origins every ``origin_step`` days over the last ``span_days`` of data; the model is refitted
every ``refit_days`` on data up to that day only. Every forecast whose target is observed is
scored; MASE uses the series' in-sample seasonal-naive (m = 5 working days) error before
the first origin. Day types are scored separately: regular working days (the headline),
make-up working days, statutory holidays and weekends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from forecasting.baselines import last_year_same_workday, seasonal_naive, workday_values
from forecasting.metrics import mase_scale
from forecasting.model import FittedModel, ModelConfig, fit_model
from forecasting.panel import Panel

METHODS = ("model", "seasonal_naive", "last_year")


@dataclass(frozen=True)
class BacktestConfig:
    span_days: int = 364
    origin_step: int = 14
    refit_days: int = 91


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    model_mase: float
    baseline_mase: float
    improvement: float  # 1 − model / baseline
    coverage80: float
    coverage95: float
    required_improvement: float

    def as_dict(self) -> dict[str, float | bool]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _day_types(panel: Panel) -> np.ndarray:
    f = panel.features
    makeup = f["is_makeup"].to_numpy().astype(bool)
    hol = f["is_holiday"].to_numpy().astype(bool)
    work = panel.workday
    return np.where(
        makeup, "makeup_workday", np.where(work, "workday", np.where(hol, "holiday", "weekend"))
    )


def rolling_forecasts(
    panel: Panel, config: ModelConfig, backtest: BacktestConfig | None = None
) -> tuple[pl.DataFrame, list[FittedModel]]:
    """Every scored forecast: series, origin, date, horizon, day type, actual, methods."""
    bt = backtest or BacktestConfig()
    last = panel.n_days - 1
    first_origin = last - bt.span_days
    origins = np.arange(first_origin, last, bt.origin_step)
    types = _day_types(panel)
    frames = []
    models: list[FittedModel] = []
    model: FittedModel | None = None
    fitted_at = -(10**9)
    for origin in origins:
        if origin - fitted_at >= bt.refit_days:
            model = fit_model(panel, config, origin=int(origin))
            models.append(model)
            fitted_at = int(origin)
        assert model is not None
        horizon = min(config.horizon, last - int(origin))
        fc = model.predict(panel, origin=int(origin)).filter(pl.col("horizon") <= horizon)
        fc = fc.sort("series_id", "horizon")
        order = np.argsort(np.array(panel.series_ids))
        snaive = seasonal_naive(panel, int(origin), horizon)[order].ravel()
        ly = last_year_same_workday(panel, int(origin), horizon)[order].ravel()
        days = int(origin) + np.tile(np.arange(1, horizon + 1), len(order))
        rows = np.repeat(order, horizon)
        frames.append(
            fc.with_columns(
                actual=pl.Series(panel.values[rows, days]),
                seasonal_naive=pl.Series(snaive),
                last_year=pl.Series(ly),
                day_type=pl.Series(types[days]),
                fitted_until=pl.lit(model.train_end),
            )
        )
    return pl.concat(frames), models


def mase_scales(panel: Panel, last: int) -> pl.DataFrame:
    values = workday_values(panel, last)
    return pl.DataFrame(
        {"series_id": list(panel.series_ids), "scale": [mase_scale(v) for v in values]}
    )


def _score(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    exprs = []
    for m in METHODS:
        col = "yhat" if m == "model" else m
        err = (pl.col(col) - pl.col("actual")).abs()
        exprs += [
            err.mean().alias(f"mae_{m}"),
            (err.sum() / pl.col("actual").abs().sum()).alias(f"wape_{m}"),
        ]
    exprs += [
        ((pl.col("actual") >= pl.col("lo80")) & (pl.col("actual") <= pl.col("hi80")))
        .mean()
        .alias("coverage80"),
        ((pl.col("actual") >= pl.col("lo95")) & (pl.col("actual") <= pl.col("hi95")))
        .mean()
        .alias("coverage95"),
        pl.len().alias("n_points"),
    ]
    return frame.group_by(keys).agg(exprs)


def _long(wide: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One row per method: mase, wape (and the model's interval coverage)."""
    frames = []
    for m in METHODS:
        frames.append(
            wide.select(
                *keys,
                pl.lit(m).alias("method"),
                pl.col(f"mase_{m}").alias("mase"),
                pl.col(f"wape_{m}").alias("wape"),
                pl.col(f"mae_{m}").alias("mae"),
                (pl.col("coverage80") if m == "model" else pl.lit(None, pl.Float64)).alias(
                    "coverage80"
                ),
                (pl.col("coverage95") if m == "model" else pl.lit(None, pl.Float64)).alias(
                    "coverage95"
                ),
                "n_points",
                pl.col("scale").alias("mase_scale"),
            )
        )
    return pl.concat(frames)


def summarise(forecasts: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """Metrics per series, day type, horizon week (0 = all weeks) and method, in long form;
    series ``ALL`` holds the overall figures.

    Overall MASE is the mean of the series' MASE; overall WAPE and coverage pool all points.
    """
    keys = ["series_id", "day_type", "horizon_week"]
    f = forecasts.with_columns(horizon_week=((pl.col("horizon") - 1) // 7 + 1).cast(pl.Int32))
    per_week = _score(f, keys)
    all_weeks = _score(f, ["series_id", "day_type"]).with_columns(horizon_week=pl.lit(0, pl.Int32))
    per_series = pl.concat([per_week, all_weeks.select(per_week.columns)]).join(
        scales, on="series_id", how="left"
    )
    per_series = per_series.with_columns(
        [
            pl.when(pl.col("scale") > 0)
            .then(pl.col(f"mae_{m}") / pl.col("scale"))
            .otherwise(None)
            .alias(f"mase_{m}")
            for m in METHODS
        ]
    )
    pooled = _score(f, ["day_type", "horizon_week"])
    pooled_all = _score(f, ["day_type"]).with_columns(horizon_week=pl.lit(0, pl.Int32))
    pooled = pl.concat([pooled, pooled_all.select(pooled.columns)])
    mean_mase = per_series.group_by("day_type", "horizon_week").agg(
        [pl.col(f"mase_{m}").drop_nans().mean() for m in METHODS]
    )
    overall = pooled.join(mean_mase, on=["day_type", "horizon_week"]).with_columns(
        series_id=pl.lit("ALL"), scale=pl.lit(None, pl.Float64)
    )
    wide = pl.concat([per_series, overall.select(per_series.columns)])
    return _long(wide, keys).sort(*keys, "method")


def check_against_baseline(
    metrics: pl.DataFrame, *, required_improvement: float = 0.0
) -> CheckResult:
    """Pass when the model's mean MASE on working days beats seasonal naive by the margin.

    The Dagster asset check calls this after every retraining (margin 0: never worse than
    the baseline); the acceptance benchmark asks for a 20 % margin. With a ``target`` column
    only the case-arrival rows count.
    """
    if "target" in metrics.columns:
        metrics = metrics.filter(pl.col("target") == "case_arrivals")
    rows = metrics.filter(
        pl.col("series_id") == "ALL", pl.col("day_type") == "workday", pl.col("horizon_week") == 0
    )
    model_row = rows.filter(pl.col("method") == "model")
    base_row = rows.filter(pl.col("method") == "seasonal_naive")
    if model_row.is_empty() or base_row.is_empty():
        nan = float("nan")
        return CheckResult(False, nan, nan, nan, 0.0, 0.0, required_improvement)
    r = model_row.row(0, named=True)
    model, base = float(r["mase"]), float(base_row["mase"][0])
    improvement = 1.0 - model / base if base > 0 else float("nan")
    return CheckResult(
        passed=bool(np.isfinite(improvement) and improvement >= required_improvement),
        model_mase=model,
        baseline_mase=base,
        improvement=improvement,
        coverage80=float(r["coverage80"]),
        coverage95=float(r["coverage95"]),
        required_improvement=required_improvement,
    )
