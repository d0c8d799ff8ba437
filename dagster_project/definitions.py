"""The one Definitions object of govwh, composed from one folder per concern:
ingestion → warehouse (dbt) → serving copy → forecasting, reports (bulletin), supervision,
and operations (backup, the daily cycle's sensors, failure notices)."""

from __future__ import annotations

from dagster import DagsterRunStatus, Definitions, in_process_executor

from dagster_project.forecasting.assets import forecast_assets, forecast_checks
from dagster_project.forecasting.jobs import forecast_job
from dagster_project.ingestion.assets import ingestion_assets
from dagster_project.ingestion.checks import raw_asset_checks
from dagster_project.ingestion.city import city_configuration
from dagster_project.ingestion.freshness import sources_are_fresh
from dagster_project.ingestion.sensors import landing_folder_sensor
from dagster_project.operations.backup import backup_job, warehouse_backup
from dagster_project.operations.sensors import cycle_sensor, failure_notice_sensor
from dagster_project.reports.assets import (
    public_release_job,
    report_assets,
    weekly_bulletin_job,
)
from dagster_project.resources import resources_from_settings
from dagster_project.serving.assets import serving_job, serving_warehouse
from dagster_project.supervision.assets import daily_supervision_job, supervision_assets
from dagster_project.warehouse.assets import (
    dbt_cli_resource,
    govwh_dbt_models,
    govwh_report_marts,
)
from dagster_project.warehouse.jobs import build_warehouse_job, daily_build_schedule
from govwh.settings import Settings


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Definitions for one environment's paths (the process environment by default)."""
    settings = settings or Settings.from_env()
    after_forecasts = [backup_job, daily_supervision_job, serving_job]
    return Definitions(
        assets=[
            city_configuration,
            *ingestion_assets,
            govwh_dbt_models,
            govwh_report_marts,
            serving_warehouse,
            *forecast_assets,
            *report_assets,
            *supervision_assets,
            warehouse_backup,
        ],
        asset_checks=[*raw_asset_checks, sources_are_fresh, *forecast_checks],
        jobs=[
            build_warehouse_job,
            forecast_job,
            daily_supervision_job,
            weekly_bulletin_job,
            public_release_job,
            backup_job,
            serving_job,
        ],
        # one clock (the 06:00 build); every other job starts on the success of what it needs
        schedules=[daily_build_schedule],
        sensors=[
            landing_folder_sensor,
            cycle_sensor(build_warehouse_job, [forecast_job]),
            cycle_sensor(forecast_job, after_forecasts),
            # a failed forecast (its own notice says why) does not hold back the day's outbox,
            # publication and backup
            cycle_sensor(forecast_job, after_forecasts, DagsterRunStatus.FAILURE),
            # the bulletin reads the serving copy the day's last writer published
            cycle_sensor(daily_supervision_job, [weekly_bulletin_job]),
            cycle_sensor(serving_job, [weekly_bulletin_job]),
            # a failed outbox (its notice says why) still has the day's data published
            cycle_sensor(daily_supervision_job, [serving_job], DagsterRunStatus.FAILURE),
            cycle_sensor(weekly_bulletin_job, [public_release_job]),
            failure_notice_sensor(settings),
        ],
        resources={**resources_from_settings(settings), "dbt": dbt_cli_resource()},
        # One step at a time, in one process: DuckDB admits a single writing process, and the
        # multiprocess default would load the three sources (and dbt) concurrently.
        executor=in_process_executor,
    )


defs = build_definitions()
