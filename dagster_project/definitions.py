"""The one Definitions object of govwh: ingestion → dbt build → serving copy."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from dagster_project.assets.dbt import dbt_cli_resource, govwh_dbt_models
from dagster_project.assets.forecasts import forecast_assets, forecast_checks
from dagster_project.assets.ingestion import ingestion_assets
from dagster_project.assets.serving import serving_warehouse
from dagster_project.checks import raw_asset_checks
from dagster_project.freshness import sources_are_fresh
from dagster_project.jobs import build_warehouse_job, forecast_job
from dagster_project.resources import resources_from_settings
from dagster_project.schedules import daily_build_schedule, daily_forecast_schedule
from dagster_project.sensors import landing_folder_sensor
from dagster_project.settings import Settings
from dagster_project.supervision.definitions import (
    supervision_assets,
    supervision_jobs,
    supervision_schedules,
)


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Definitions for one environment's paths (the process environment by default)."""
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[
            *ingestion_assets,
            govwh_dbt_models,
            serving_warehouse,
            *forecast_assets,
            *supervision_assets,
        ],
        asset_checks=[*raw_asset_checks, sources_are_fresh, *forecast_checks],
        jobs=[build_warehouse_job, forecast_job, *supervision_jobs],
        schedules=[daily_build_schedule, daily_forecast_schedule, *supervision_schedules],
        sensors=[landing_folder_sensor],
        resources={**resources_from_settings(settings), "dbt": dbt_cli_resource()},
        # One step at a time, in one process: DuckDB admits a single writing process, and the
        # multiprocess default would load the three sources (and dbt) concurrently.
        executor=in_process_executor,
    )


defs = build_definitions()
