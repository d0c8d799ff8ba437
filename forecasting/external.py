"""Forecast any daily series that is not ours: a case log or daily counts in CSV / Parquet.

    python -m forecasting.external LOG.csv --date submitted_at --series department \\
        --calendar seeds/calendar.csv --out forecasts.csv [--value n] [--backtest]

Each row of a case log is one case (``--value`` absent) or a count (``--value`` names the
column); the date column may hold dates or timestamps. Rows are summed per series and day,
a missing day counts 0, and the same global model, intervals and backtest as the warehouse's
run on it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecasting.backtest import BacktestConfig, mase_scales, rolling_forecasts, summarise
from forecasting.calendar import load_calendar_csv
from forecasting.model import ModelConfig, fit_model
from forecasting.panel import build_panel


@dataclass(frozen=True)
class Mapping:
    date: str
    series: str | None = None
    value: str | None = None
    group: str | None = None


def to_observations(log: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """``(series_id, date, y[, group])`` from a log with the mapped columns."""
    date = pl.col(mapping.date)
    if log.schema[mapping.date] == pl.String:
        date = date.str.to_datetime(strict=False)
    cols = [
        (pl.col(mapping.series).cast(pl.String) if mapping.series else pl.lit("all")).alias(
            "series_id"
        ),
        date.cast(pl.Date).alias("date"),
        (pl.col(mapping.value).cast(pl.Float64) if mapping.value else pl.lit(1.0)).alias("y"),
    ]
    if mapping.group:
        cols.append(pl.col(mapping.group).cast(pl.String).alias("group"))
    keys = ["series_id", "date", *(["group"] if mapping.group else [])]
    return log.select(cols).drop_nulls(["date"]).group_by(keys).agg(pl.col("y").sum())


def read_log(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=10000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--date", required=True, help="column with the submission date/time")
    parser.add_argument("--series", help="column naming the series (default: one series)")
    parser.add_argument("--value", help="count column (default: each row is one case)")
    parser.add_argument("--group", help="column with a grouping the model may use")
    parser.add_argument("--calendar", type=Path, default=Path("seeds/calendar.csv"))
    parser.add_argument("--horizon", type=int, default=56)
    parser.add_argument("--out", type=Path, default=Path("forecasts.csv"))
    parser.add_argument("--backtest", action="store_true", help="also score a one-year backtest")
    args = parser.parse_args(argv)

    obs = to_observations(
        read_log(args.log), Mapping(args.date, args.series, args.value, args.group)
    )
    calendar = load_calendar_csv(args.calendar)
    config = ModelConfig(horizon=args.horizon)
    panel = build_panel(obs, calendar, future_days=args.horizon)
    model = fit_model(panel, config)
    model.predict(panel).write_csv(args.out)
    print(f"{model.version}: {len(panel.series_ids)} series, forecasts in {args.out}")
    if args.backtest:
        bt = BacktestConfig()
        fc, _ = rolling_forecasts(panel, config, bt)
        metrics = summarise(fc, mase_scales(panel, panel.n_days - 1 - bt.span_days))
        overall = metrics.filter(pl.col("series_id") == "ALL", pl.col("horizon_week") == 0)
        with pl.Config(tbl_rows=20, tbl_cols=12):
            print(overall.select("day_type", "method", "mase", "wape", "coverage80", "coverage95"))
        metrics.write_csv(args.out.with_name(args.out.stem + "_backtest.csv"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
