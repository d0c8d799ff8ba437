"""Dagster assets for the planners' forecasts: a thin wrapper around ``forecasting``.

One multi-asset runs :func:`forecasting.run.run_forecasts` after the marts (it reads them
read-only, then replaces the ``forecast.*`` tables in one transaction) and an asset check
fails when the retrained arrival model is worse than seasonal naive in the backtest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

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
from forecasting.backtest import check_against_baseline
from forecasting.run import run_forecasts
from forecasting.warehouse import FORECAST_TABLES
from govwh.warehouse.connection import connect

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
            "days, rolling one-year backtest).",
        )
    ],
)
def forecasts(warehouse: DuckDBWarehouse) -> Iterator[MaterializeResult | AssetCheckResult]:
    summary = run_forecasts(warehouse.file, model_dir=warehouse.file.parent / MODELS_FOLDER)
    for name, key in FORECAST_KEYS.items():
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "rows": MetadataValue.int(summary.rows.get(name, 0)),
                "as_of": MetadataValue.text(summary.as_of.isoformat()),
                "model_versions": MetadataValue.json(summary.model_versions),
                "seconds": MetadataValue.json(summary.seconds),
                "backtest_as_of": MetadataValue.text(str(summary.backtest_as_of)),
            },
        )
    check = summary.check
    yield AssetCheckResult(
        check_name="forecast_beats_seasonal_naive",
        asset_key=FORECAST_KEYS["backtest_metrics"],
        passed=bool(check is not None and check.passed),
        severity=AssetCheckSeverity.ERROR,
        metadata={} if check is None else {"result": MetadataValue.json(dataclasses.asdict(check))},
    )


@asset_check(
    asset=FORECAST_KEYS["backtest_metrics"],
    name="forecast_interval_coverage",
    description="80 % intervals cover 75–85 % of actuals in the backtest (working days).",
)
def forecast_interval_coverage(warehouse: DuckDBWarehouse) -> AssetCheckResult:
    with connect(warehouse.file, read_only=True) as con:
        metrics = con.sql("select * from forecast.backtest_metrics").pl()
    result = check_against_baseline(metrics)
    ok = 0.75 <= result.coverage80 <= 0.85
    return AssetCheckResult(
        passed=ok,
        severity=AssetCheckSeverity.WARN,
        metadata={"coverage80": result.coverage80, "coverage95": result.coverage95},
    )


forecast_assets = [forecasts]
forecast_checks = [forecast_interval_coverage]
