"""The one Definitions object of govwh, composed from one folder per concern:
ingestion → warehouse (dbt) → serving copy → forecasting, reports (bulletin), supervision."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from dagster_project.forecasting.assets import forecast_assets, forecast_checks
from dagster_project.forecasting.jobs import daily_forecast_schedule, forecast_job
from dagster_project.ingestion.assets import ingestion_assets
from dagster_project.ingestion.checks import raw_asset_checks
from dagster_project.ingestion.city import city_configuration
from dagster_project.ingestion.freshness import sources_are_fresh
from dagster_project.ingestion.sensors import landing_folder_sensor
from dagster_project.reports.assets import report_assets, report_jobs, report_schedules
from dagster_project.resources import resources_from_settings
from dagster_project.serving.assets import serving_warehouse
from dagster_project.supervision.assets import (
    supervision_assets,
    supervision_jobs,
    supervision_schedules,
)
from dagster_project.warehouse.assets import dbt_cli_resource, govwh_dbt_models
from dagster_project.warehouse.jobs import build_warehouse_job, daily_build_schedule
from govwh.settings import Settings


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Definitions for one environment's paths (the process environment by default)."""
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[
            city_configuration,
            *ingestion_assets,
            govwh_dbt_models,
            serving_warehouse,
            *forecast_assets,
            *report_assets,
            *supervision_assets,
        ],
        asset_checks=[*raw_asset_checks, sources_are_fresh, *forecast_checks],
        jobs=[build_warehouse_job, forecast_job, *report_jobs, *supervision_jobs],
        schedules=[
            daily_build_schedule,
            daily_forecast_schedule,
            *report_schedules,
            *supervision_schedules,
        ],
        sensors=[landing_folder_sensor],
        resources={**resources_from_settings(settings), "dbt": dbt_cli_resource()},
        # One step at a time, in one process: DuckDB admits a single writing process, and the
        # multiprocess default would load the three sources (and dbt) concurrently.
        executor=in_process_executor,
    )


defs = build_definitions()
