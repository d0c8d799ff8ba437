"""How close are the forecasts to the best possible? The model against the oracle.

The demo generator knows the law of what it draws and writes its expectation beside the
exports (`<landing>/_oracle/`, never read by a load or a model; docs/demo-data.md):

- case arrivals: each day's cases per department and channel group are Poisson with the
  expected count of `expected_case_arrivals.parquet` (the city's series: their sum);
- hall traffic: a hall's tickets of a day are its case visits, Poisson with mean v, plus the
  consultations they bring, Poisson with mean c·visits + b; `expected_hall_tickets.parquet`
  holds (1 + c)·v + b per hour (govwh.demo.oracle.daily_ticket_law gives the whole law).

No forecast beats knowing the law. The oracle is scored twice: its **median** (the point
with the least expected absolute error, which MASE and WAPE score, and what the model's yhat
aims at) and its **mean** (the expected count itself). Its 80 % interval is the law's 10 %
and 90 % quantiles, its 95 % interval the 2.5 % and 97.5 % ones; a discrete law's quantiles
hold at least the nominal share, so the oracle's coverage is above nominal where counts are
small (the law's own coverage of that interval is reported beside the measured one).

The benchmark runs the models' rolling-origin backtests (forecasting.backtest, the weekly
backtest's origins, horizons and refits; each target with its own model configuration) on a
built demo warehouse, scores every method on the same points with the package's own
summary (forecasting.backtest.summarise: MASE = mean over series, WAPE and coverage pooled)
on regular working days, and reports the model's MASE over the oracle's per target.

    .venv/bin/python -m bench.bench_oracle --warehouse W.duckdb --landing LANDING
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from scipy.stats import poisson

from forecasting.backtest import BacktestConfig, mase_scales, rolling_forecasts, summarise
from forecasting.model import ModelConfig
from forecasting.panel import Panel
from forecasting.run import RunConfig, arrival_panel, hall_traffic_panel
from forecasting.warehouse import read_marts
from govwh.demo.generator import ORACLE_CASE_ARRIVALS, ORACLE_FOLDER, ORACLE_HALL_TICKETS
from govwh.demo.oracle import daily_ticket_law, law_quantiles
from govwh.demo.params import HallParams, scale_params

TARGETS = ("case_arrivals", "hall_traffic")
# quantiles of the oracle's law: 80 % and 95 % intervals and the median
PROBABILITIES = (0.1, 0.9, 0.025, 0.975, 0.5)
BATCH = 512  # hall-days per generating-function transform


@dataclass(frozen=True)
class OracleResult:
    # target, method (model, seasonal_naive, oracle_median, oracle_mean), mase, wape,
    # coverage80, coverage95, law_coverage80 (the oracle's interval under its own law),
    # n_points, series — regular working days, all horizons
    scores: pl.DataFrame

    def mase(self, target: str, method: str) -> float:
        row = self.scores.filter(pl.col("target") == target, pl.col("method") == method)
        return float(row["mase"].item())

    def ratio(self, target: str, oracle: str = "oracle_median") -> float:
        """The model's MASE over the oracle's."""
        return self.mase(target, "model") / self.mase(target, oracle)

    def as_dict(self) -> dict[str, object]:
        targets = sorted(set(self.scores["target"]))
        return {
            "ratio_model_to_oracle_median": {t: self.ratio(t) for t in targets},
            "ratio_model_to_oracle_mean": {t: self.ratio(t, "oracle_mean") for t in targets},
            "scores": self.scores.to_dicts(),
        }


def case_arrival_law(landing: Path) -> pl.DataFrame:
    """(series_id, date, mean, lo80, hi80, lo95, hi95, median, law_coverage80) for every
    department's and the city's online and hall series: Poisson at the expected count."""
    expected = pl.read_parquet(landing / ORACLE_FOLDER / ORACLE_CASE_ARRIVALS)
    series = pl.concat_str("department_code", pl.lit(":"), "channel_group").alias("series_id")
    city = pl.concat_str(pl.lit("CITY:"), "channel_group").alias("series_id")
    means = pl.concat(
        [
            expected.select(series, "date", "expected"),
            expected.group_by("channel_group", "date")
            .agg(pl.col("expected").sum())
            .select(city, "date", "expected"),
        ]
    )
    mu = means["expected"].to_numpy()
    quantiles = np.stack([poisson.ppf(q, mu) for q in PROBABILITIES])
    inside = poisson.cdf(quantiles[1], mu) - poisson.cdf(quantiles[0] - 1, mu)
    return _law_frame(means, quantiles, inside)


def hall_ticket_law(landing: Path, hall: HallParams) -> pl.DataFrame:
    """The same for every hall's daily tickets, from the compound law of visits and
    consultations (govwh.demo.oracle.daily_ticket_law)."""
    expected = pl.read_parquet(landing / ORACLE_FOLDER / ORACLE_HALL_TICKETS)
    means = (
        expected.group_by("hall_code", "date")
        .agg(pl.col("expected").sum())
        .filter(pl.col("expected") > 0)  # days off: the halls are closed
        .select(pl.col("hall_code").alias("series_id"), "date", "expected")
        .sort("series_id", "date")
    )
    mu = means["expected"].to_numpy()
    quantiles = np.zeros((len(PROBABILITIES), mu.size))
    inside = np.zeros(mu.size)
    for start in range(0, mu.size, BATCH):
        part = slice(start, start + BATCH)
        # a hall with tickets is open: a working day (make-up weekends included)
        pmf = daily_ticket_law(mu[part], np.ones(mu[part].size, dtype=bool), hall)
        quantiles[:, part] = law_quantiles(pmf, PROBABILITIES)
        cdf = np.cumsum(pmf, axis=1)
        lo, hi = quantiles[0, part].astype(int), quantiles[1, part].astype(int)
        rows = np.arange(pmf.shape[0])
        inside[part] = cdf[rows, hi] - np.where(lo > 0, cdf[rows, np.maximum(lo - 1, 0)], 0.0)
    return _law_frame(means, quantiles, inside)


def _law_frame(means: pl.DataFrame, quantiles: np.ndarray, inside: np.ndarray) -> pl.DataFrame:
    lo80, hi80, lo95, hi95, median = quantiles
    return means.select(
        "series_id",
        "date",
        pl.col("expected").alias("mean"),
        pl.Series("lo80", lo80),
        pl.Series("hi80", hi80),
        pl.Series("lo95", lo95),
        pl.Series("hi95", hi95),
        pl.Series("median", median),
        pl.Series("law_coverage80", inside),
    )


def _headline(forecasts: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """The backtest's own summary, regular working days, all horizons, every series."""
    return summarise(forecasts, scales).filter(
        pl.col("series_id") == "ALL", pl.col("day_type") == "workday", pl.col("horizon_week") == 0
    )


def score(forecasts: pl.DataFrame, scales: pl.DataFrame, law: pl.DataFrame) -> pl.DataFrame:
    """Model, seasonal naive and the oracle (median and mean) on the same points: the
    backtest's working-day forecasts whose date the oracle knows."""
    points = forecasts.filter(pl.col("day_type") == "workday").join(
        law.rename({c: f"oracle_{c}" for c in law.columns if c not in ("series_id", "date")}),
        on=["series_id", "date"],
        how="inner",
    )
    columns = ["method", "mase", "wape", "coverage80", "coverage95", "n_points"]
    baseline = _headline(points, scales).filter(pl.col("method").is_in(["model", "seasonal_naive"]))
    rows = [baseline.select(columns)]
    intervals = {b: pl.col(f"oracle_{b}") for b in ("lo80", "hi80", "lo95", "hi95")}
    for method, point in (("oracle_median", "oracle_median"), ("oracle_mean", "oracle_mean")):
        as_model = points.with_columns(yhat=pl.col(point), **intervals)
        scored = _headline(as_model, scales).filter(pl.col("method") == "model")
        rows.append(scored.with_columns(method=pl.lit(method)).select(columns))
    series = points.join(scales.filter(pl.col("scale") > 0), on="series_id")["series_id"]
    return pl.concat(rows).with_columns(
        law_coverage80=pl.when(pl.col("method").str.starts_with("oracle")).then(
            pl.lit(points["oracle_law_coverage80"].mean())
        ),
        series=pl.lit(series.n_unique()),
    )


def backtest(
    panel: Panel, model: ModelConfig, settings: BacktestConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(forecasts, MASE scales) of the model's rolling-origin backtest, as the forecast run's
    weekly backtest makes them."""
    forecasts, _ = rolling_forecasts(panel, model, settings)
    return forecasts, mase_scales(panel, panel.n_days - 1 - settings.span_days)


def generated_scale(landing: Path) -> str:
    """The scale the demo city in `landing` was generated at (its marker)."""
    return json.loads((landing / "_generation.json").read_text())["scale"]


def run_oracle_benchmark(
    warehouse: Path,
    landing: Path,
    config: RunConfig | None = None,
    settings: BacktestConfig | None = None,
    targets: tuple[str, ...] = TARGETS,
) -> OracleResult:
    """The models' backtests on ``warehouse`` scored against the oracle the generator wrote
    into ``landing``."""
    config = config or RunConfig()
    settings = settings or config.backtest or BacktestConfig()
    inputs = read_marts(warehouse)
    if inputs.as_of is None:
        raise ValueError(f"no case arrivals nor hall tickets in {warehouse}")
    frames = []
    if "case_arrivals" in targets:
        panel = arrival_panel(inputs, config.arrivals.horizon)
        forecasts, scales = backtest(panel, config.arrivals, settings)
        law = case_arrival_law(landing)
        frames.append(score(forecasts, scales, law).with_columns(target=pl.lit("case_arrivals")))
    if "hall_traffic" in targets:
        panel = hall_traffic_panel(inputs, inputs.as_of, config.hall.horizon)
        forecasts, scales = backtest(panel, config.hall, settings)
        law = hall_ticket_law(landing, scale_params(generated_scale(landing)).halls)
        frames.append(score(forecasts, scales, law).with_columns(target=pl.lit("hall_traffic")))
    scores = pl.concat(frames).select("target", pl.exclude("target"))
    return OracleResult(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--target", choices=TARGETS, action="append", help="default: both")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    result = run_oracle_benchmark(
        args.warehouse, args.landing, targets=tuple(args.target or TARGETS)
    )
    with pl.Config(tbl_rows=20, tbl_cols=12, float_precision=4, tbl_width_chars=200):
        print(result.scores)
    summary = result.as_dict()
    print(json.dumps({k: v for k, v in summary.items() if k != "scores"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
