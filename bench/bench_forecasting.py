"""Forecasting benchmark: accuracy against the baselines, interval coverage, staffing
verification and run time, on a built warehouse (e.g. the demo city).

    .venv/bin/govwh demo --scale city            # or point at any built warehouse
    .venv/bin/python bench/bench_forecasting.py warehouse/govwh.duckdb [--sample 300]

The warehouse is copied to a temporary folder first (the forecast schema is written there).
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from forecasting.run import RunConfig, hall_profiles, run_forecasts
from forecasting.simulation import simulate_hall_hour
from forecasting.warehouse import read_marts
from govwh.warehouse.connection import connect

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--sample", type=int, default=300, help="hall-hours re-simulated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.duckdb"
        shutil.copyfile(args.warehouse, path)
        config = RunConfig()
        started = time.perf_counter()
        summary = run_forecasts(path, config=config, model_dir=Path(tmp))
        total = time.perf_counter() - started
        with connect(path, read_only=True) as con:
            metrics = con.sql("select * from forecast.backtest_metrics").pl()
            plan = con.sql("select * from forecast.staffing_plan").pl()
            counts = con.sql(
                "select count(distinct series_id) from forecast.case_arrivals"
            ).fetchall()[0][0]
        inputs = read_marts(path)

    s = summary.seconds
    train = s["case_arrivals"] + s["hall_traffic"]
    print(f"as of {summary.as_of}; {counts} arrival series; total {total:.0f} s\n")
    print("| stage | seconds |\n|---|---:|")
    for k, v in s.items():
        print(f"| {k} | {v:.1f} |")
    print(f"| **train + forecast (arrivals + hall traffic)** | **{train:.1f}** |\n")

    hall_metrics = metrics.filter(pl.col("target") == "hall_traffic")
    metrics = metrics.filter(pl.col("target") == "case_arrivals")
    overall = metrics.filter(pl.col("series_id") == "ALL", pl.col("horizon_week") == 0)
    wide = overall.pivot(on="method", index="day_type", values="mase")
    cov = overall.filter(pl.col("method") == "model").select(
        "day_type", "wape", "coverage80", "coverage95", "n_points"
    )
    print(
        "| day type | MASE model | MASE seasonal naive | MASE last year | improvement | "
        "WAPE model | 80 % cover | 95 % cover | points |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in wide.join(cov, on="day_type").sort("day_type").iter_rows(named=True):
        imp = 1 - r["model"] / r["seasonal_naive"]
        print(
            f"| {r['day_type']} | {r['model']:.3f} | {r['seasonal_naive']:.3f} | "
            f"{r['last_year']:.3f} | {imp:.1%} | {r['wape']:.3f} | {r['coverage80']:.3f} | "
            f"{r['coverage95']:.3f} | {r['n_points']:,} |"
        )
    weeks = metrics.filter(
        pl.col("series_id") == "ALL", pl.col("day_type") == "workday", pl.col("horizon_week") > 0
    ).pivot(on="method", index="horizon_week", values=["mase", "coverage80"])
    print(
        "\n| horizon week (working days scored) | MASE model | MASE seasonal naive | 80 % cover |"
    )
    print("|---:|---:|---:|---:|")
    for r in weeks.sort("horizon_week").iter_rows(named=True):
        print(
            f"| {r['horizon_week']} | {r['mase_model']:.3f} | {r['mase_seasonal_naive']:.3f} | "
            f"{r['coverage80_model']:.3f} |"
        )
    per_series = metrics.filter(
        pl.col("series_id") != "ALL", pl.col("day_type") == "workday", pl.col("horizon_week") == 0
    ).pivot(on="method", index="series_id", values="mase")
    better = (per_series["model"] < per_series["seasonal_naive"]).mean()
    print(
        f"\nseries where the model beats seasonal naive (working days): {better:.0%} "
        f"of {per_series.height}"
    )
    print(f"check: {summary.check}\n")
    hall = hall_metrics.filter(
        pl.col("series_id") == "ALL", pl.col("day_type") == "workday", pl.col("horizon_week") == 0
    )
    h = {r["method"]: r for r in hall.iter_rows(named=True)}
    print(
        "hall traffic, daily tickets per hall (working days, horizons 1-14): "
        f"MASE model {h['model']['mase']:.3f} vs seasonal naive {h['seasonal_naive']['mase']:.3f} "
        f"({1 - h['model']['mase'] / h['seasonal_naive']['mase']:.1%} better), "
        f"WAPE {h['model']['wape']:.3f}, 80 % cover {h['model']['coverage80']:.3f}, "
        f"95 % cover {h['model']['coverage95']:.3f}\n"
    )

    # staffing: the plan as simulated, and re-simulated with fresh random numbers
    open_hours = plan.filter(pl.col("forecast_tickets") > 0)
    fresh_settings = replace(config.simulation, seed=config.simulation.seed + 7919)
    profiles = hall_profiles(inputs.hall_tickets, config.target)
    rng = np.random.default_rng(0)
    idx = rng.choice(open_hours.height, size=min(args.sample, open_hours.height), replace=False)
    fresh = []
    for r in open_hours[idx].iter_rows(named=True):
        prof = profiles[r["hall_code"]]
        rate = r["forecast_tickets"] * 60 / r["interval_minutes"]
        res = simulate_hall_hour(
            rate,
            prof.service_minutes,
            r["windows_needed"],
            config.target.target_wait_minutes,
            patience_minutes=prof.patience_minutes,
            settings=fresh_settings,
        )
        fresh.append(res.service_level >= config.target.service_level)
    print("| staffing | value |\n|---|---:|")
    print(f"| hall-hours planned (open, load > 0) | {open_hours.height:,} |")
    print(
        f"| meet the level in the planning simulation | {open_hours['meets_target'].mean():.1%} |"
    )
    print(
        f"| meet it re-simulated with fresh random numbers ({len(fresh)} sampled) | "
        f"{np.mean(fresh):.1%} |"
    )
    print(
        f"| plan differs from Erlang C/A (hall-hours) | "
        f"{(open_hours['windows_needed'] != open_hours['windows_analytic']).mean():.1%} |"
    )
    print(
        f"| windows needed > windows normally open | {(open_hours['window_gap'] > 0).mean():.1%} |"
    )
    print(f"| staff-hours over the plan | {open_hours['staff_hours'].sum():,.0f} |")
    print(
        f"| simulated p90 wait, median over hall-hours | "
        f"{open_hours['simulated_p90_wait_minutes'].median():.1f} min |"
    )


if __name__ == "__main__":
    main()
