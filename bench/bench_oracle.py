"""How close are the arrival forecasts to the best possible? The model against the oracle.

The demo generator draws each day's cases per item from a Poisson law whose mean it knows; it
writes those means per day, department and channel group beside the exports
(`<landing>/_oracle/expected_case_arrivals.parquet`, never read by a load or a model). No
forecast can beat knowing the law: the oracle forecasts its median (the point with the least
expected absolute error, which MASE and WAPE score), and its 80 % interval is the law's 10 %
and 90 % quantiles (a discrete law: they hold at least 80 %). This benchmark runs
the model's rolling-origin backtest (forecasting.backtest, the same origins, horizons and
refits as the weekly backtest) on a built demo warehouse, scores the model, seasonal naive
and the oracle on the same points (regular working days, the headline), and reports the
model's MASE over the oracle's.

    .venv/bin/python -m bench.bench_oracle --warehouse W.duckdb --landing LANDING

Hall traffic has no oracle yet: the generator's ticket counts come from visits spread over
later days (filing, corrections, pickups) and consultations, whose expected count per hall
and hour it does not compute in one place.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from scipy.stats import poisson

from forecasting.backtest import BacktestConfig, mase_scales, rolling_forecasts
from forecasting.run import RunConfig, arrival_panel
from forecasting.warehouse import read_marts
from govwh.demo.generator import ORACLE_CASE_ARRIVALS, ORACLE_FOLDER

METHODS = {"model": "yhat", "seasonal_naive": "seasonal_naive", "oracle": "oracle_median"}


@dataclass(frozen=True)
class OracleResult:
    scores: pl.DataFrame  # method, mase, wape, coverage80, n_points
    ratio: float  # model MASE / oracle MASE (working days)

    def as_dict(self) -> dict[str, object]:
        return {"ratio_model_to_oracle": self.ratio, "scores": self.scores.to_dicts()}


def oracle_series(landing: Path) -> pl.DataFrame:
    """(series_id, date, oracle) for the forecast's series: each department's and the city's
    online and hall arrivals."""
    expected = pl.read_parquet(landing / ORACLE_FOLDER / ORACLE_CASE_ARRIVALS)
    departments = expected.select(
        pl.concat_str("department_code", pl.lit(":"), "channel_group").alias("series_id"),
        "date",
        "expected",
    )
    city = (
        expected.group_by("channel_group", "date")
        .agg(pl.col("expected").sum())
        .select(
            pl.concat_str(pl.lit("CITY:"), "channel_group").alias("series_id"), "date", "expected"
        )
    )
    return pl.concat([departments, city]).rename({"expected": "oracle"})


def score(forecasts: pl.DataFrame, scales: pl.DataFrame, oracle: pl.DataFrame) -> OracleResult:
    """MASE (mean over series of MAE / the series' scale), WAPE and 80 % coverage of each
    method on regular working days."""
    points = (
        forecasts.filter(pl.col("day_type") == "workday")
        .join(oracle, on=["series_id", "date"], how="inner")
        .join(scales, on="series_id")
        .filter(pl.col("scale") > 0)
    )
    mu = points["oracle"].to_numpy()
    points = points.with_columns(
        # the point that minimises the expected absolute error (what MASE and WAPE score,
        # and what the model's yhat, a conformal median, aims at) is the median, not the mean
        pl.Series("oracle_median", poisson.median(mu)),
        pl.Series("oracle_lo80", poisson.ppf(0.1, mu)),
        pl.Series("oracle_hi80", poisson.ppf(0.9, mu)),
    )
    rows = []
    for method, column in METHODS.items():
        error = (pl.col(column) - pl.col("actual")).abs()
        per_series = points.group_by("series_id").agg(
            (error.mean() / pl.col("scale").first()).alias("mase")
        )
        bounds = {"model": ("lo80", "hi80"), "oracle": ("oracle_lo80", "oracle_hi80")}.get(method)
        covered = (
            points.select(
                (
                    (pl.col("actual") >= pl.col(bounds[0]))
                    & (pl.col("actual") <= pl.col(bounds[1]))
                ).mean()
            ).item()
            if bounds
            else None
        )
        rows.append(
            {
                "method": method,
                "mase": float(per_series["mase"].mean()),
                "wape": float(points.select(error.sum() / pl.col("actual").sum()).item()),
                "coverage80": covered,
                "n_points": points.height,
                "series": per_series.height,
            }
        )
    scores = pl.DataFrame(rows)
    mase = dict(zip(scores["method"], scores["mase"], strict=True))
    return OracleResult(scores, mase["model"] / mase["oracle"])


def run_oracle_benchmark(
    warehouse: Path,
    landing: Path,
    config: RunConfig | None = None,
    backtest: BacktestConfig | None = None,
) -> OracleResult:
    """The arrival model's rolling-origin backtest on ``warehouse`` scored against the oracle
    the generator wrote into ``landing``."""
    config = config or RunConfig()
    backtest = backtest or config.backtest or BacktestConfig()
    inputs = read_marts(warehouse)
    panel = arrival_panel(inputs, config.arrivals.horizon)
    forecasts, _ = rolling_forecasts(panel, config.arrivals, backtest)
    scales = mase_scales(panel, panel.n_days - 1 - backtest.span_days)
    return score(forecasts, scales, oracle_series(landing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--landing", type=Path, required=True)
    args = parser.parse_args()
    result = run_oracle_benchmark(args.warehouse, args.landing)
    with pl.Config(tbl_rows=10, float_precision=3):
        print(result.scores)
    print(json.dumps({"ratio_model_to_oracle": round(result.ratio, 3)}))


if __name__ == "__main__":
    main()
