"""Dagster assets for the planners' forecasts: a thin wrapper around ``forecasting``.

One multi-asset runs :func:`forecasting.run.run_forecasts` after the marts (it reads them
read-only, then replaces the ``forecast.*`` tables in one transaction) and an asset check
fails when the retrained arrival model is worse than seasonal naive in the backtest. A table
the run skipped (its source is not loaded) is materialized with metadata ``skipped``: why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset_check,
    multi_asset,
)

from dagster_project.resources import DuckDBWarehouse
from dagster_project.warehouse.assets import govwh_dbt_models
from forecasting.warehouse import FORECAST_TABLES, forecast_tables
from govwh.warehouse.connection import connect

if TYPE_CHECKING:
    from forecasting.run import ForecastRunSummary

FORECAST_KEYS = {name: AssetKey(["forecast", name]) for name in FORECAST_TABLES}
MODELS_FOLDER = "models"  # beside the warehouse file: warehouse/models/<version>.joblib + .json


@multi_asset(
    name="forecasts",
    group_name="forecasting",
    specs=[
        AssetSpec(
            key,
            description=FORECAST_TABLES[name],
            kinds={"duckdb", "scikitlearn"},
            deps=list(govwh_dbt_models.keys),
        )
        for name, key in FORECAST_KEYS.items()
    ],
    check_specs=[
        AssetCheckSpec(
            "forecast_beats_seasonal_naive",
            asset=FORECAST_KEYS["backtest_metrics"],
            description="Retrained arrival model not worse than seasonal naive (MASE, working "
            "days, rolling one-year backtest). Passes as skipped, saying why, when the city "
            "has no case data (no arrival model to judge; not a fault of the model).",
        )
    ],
)
def forecasts(warehouse: DuckDBWarehouse) -> Iterator[MaterializeResult | AssetCheckResult]:
    # imported here: scikit-learn takes seconds to import, and every job run (the build,
    # which never forecasts, included) loads these definitions at start-up
    from forecasting.run import run_forecasts

    summary = run_forecasts(warehouse.file, model_dir=warehouse.file.parent / MODELS_FOLDER)
    common = {
        "as_of": MetadataValue.text(str(summary.as_of)),
        "model_versions": MetadataValue.json(summary.model_versions),
        "seconds": MetadataValue.json(summary.seconds),
        "backtest_as_of": MetadataValue.text(str(summary.backtest_as_of)),
        "staffing_simulations": MetadataValue.json(summary.simulations),
    }
    for name, key in FORECAST_KEYS.items():
        reason = summary.skipped.get(name)
        if reason is not None:
            own = {"skipped": MetadataValue.text(reason)}
        elif name in summary.rows:
            rows = summary.rows[name]
            own = {"rows": MetadataValue.int(rows), "dagster/row_count": MetadataValue.int(rows)}
        else:  # the stored backtest or calibration still holds: not written this run
            own = {"rows": MetadataValue.int(0)}
        yield MaterializeResult(asset_key=key, metadata={**own, **common})
    yield _beats_seasonal_naive(summary)


def _beats_seasonal_naive(summary: ForecastRunSummary) -> AssetCheckResult:
    """Skipped (passed, with the reason) when there was no arrival model to judge: a city
    without case logs would otherwise see this check fail on every run for no fault of the
    model, and a standing failure teaches planners to ignore the check."""
    reason = summary.skipped.get("case_arrivals")
    if reason is not None:
        return AssetCheckResult(
            check_name="forecast_beats_seasonal_naive",
            asset_key=FORECAST_KEYS["backtest_metrics"],
            passed=True,
            description=f"skipped: {reason}",
            metadata={"skipped": MetadataValue.text(reason)},
        )
    check = summary.check
    return AssetCheckResult(
        check_name="forecast_beats_seasonal_naive",
        asset_key=FORECAST_KEYS["backtest_metrics"],
        passed=bool(check is not None and check.passed),
        severity=AssetCheckSeverity.ERROR,
        metadata={} if check is None else {"result": MetadataValue.json(dataclasses.asdict(check))},
    )


@asset_check(
    asset=FORECAST_KEYS["backtest_metrics"],
    name="forecast_interval_coverage",
    description="80 % intervals cover 75–85 % of actuals in the backtest (working days); "
    "skipped (passed) when there is no arrival backtest (no case data).",
)
def forecast_interval_coverage(warehouse: DuckDBWarehouse) -> AssetCheckResult:
    with connect(warehouse.file, read_only=True) as con:
        found = "backtest_metrics" in forecast_tables(con)
        metrics = con.sql("select * from forecast.backtest_metrics").pl() if found else None
    if metrics is None or (
        "target" in metrics.columns and "case_arrivals" not in metrics["target"].to_list()
    ):
        return AssetCheckResult(
            passed=True,
            severity=AssetCheckSeverity.WARN,
            description="skipped: no arrival backtest in forecast.backtest_metrics "
            "(no case data to forecast)",
        )
    from forecasting.backtest import check_against_baseline  # scikit-learn: see above

    result = check_against_baseline(metrics)
    ok = 0.75 <= result.coverage80 <= 0.85
    return AssetCheckResult(
        passed=ok,
        severity=AssetCheckSeverity.WARN,
        metadata={"coverage80": result.coverage80, "coverage95": result.coverage95},
    )


# the acceptance of issue 19: the queue model's hall-hour service level within 5 points
QUEUE_CALIBRATION_MAE_POINTS = 5.0


@asset_check(
    asset=FORECAST_KEYS["queue_calibration_summary"],
    name="queue_model_calibration",
    description="The queue model's predicted service level per hall-hour (last 8 complete "
    f"weeks, windows actually open) within {QUEUE_CALIBRATION_MAE_POINTS:g} points of the "
    "measured one on average (mean absolute error); skipped (passed) without hall tickets.",
)
def queue_model_calibration(warehouse: DuckDBWarehouse) -> AssetCheckResult:
    with connect(warehouse.file, read_only=True) as con:
        found = "queue_calibration_summary" in forecast_tables(con)
        overall = (
            con.execute(
                "select hall_hours, bias_points, mae_points, weighted_mae_points "
                "from forecast.queue_calibration_summary where hall_code = '*'"
            ).fetchall()
            if found
            else []
        )
    if not overall:
        return AssetCheckResult(
            passed=True,
            severity=AssetCheckSeverity.WARN,
            description="skipped: no forecast.queue_calibration_summary (no hall tickets)",
        )
    hall_hours, bias, mae, weighted = overall[0]
    return AssetCheckResult(
        passed=bool(mae <= QUEUE_CALIBRATION_MAE_POINTS),
        severity=AssetCheckSeverity.WARN,
        metadata={
            "hall_hours": int(hall_hours),
            "bias_points": float(bias),
            "mae_points": float(mae),
            "weighted_mae_points": float(weighted),
        },
    )


forecast_assets = [forecasts]
forecast_checks = [forecast_interval_coverage, queue_model_calibration]
