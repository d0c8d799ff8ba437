"""The warehouse backup as an asset, its job (started after each successful forecast run by
the daily cycle) and nothing else: govwh.warehouse.backup does the work."""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, MetadataValue, asset, define_asset_job

from dagster_project.operations.policy import job_tags
from dagster_project.resources import BackupFolder, DuckDBWarehouse
from govwh.jobs import BACKUP_JOB
from govwh.warehouse.backup import create_backup


@asset(
    key=AssetKey(["warehouse_backup"]),
    group_name="operations",
    deps=[AssetKey(["serving_warehouse"])],
    description="A checked backup of the warehouse (checkpointed copy, SHA-256, rows of every "
    "table), the oldest beyond the kept number removed; `govwh restore` brings one back.",
)
def warehouse_backup(warehouse: DuckDBWarehouse, backups: BackupFolder) -> MaterializeResult:
    backup = create_backup(warehouse.file, backups.folder, backups.keep)
    return MaterializeResult(
        metadata={
            "backup": MetadataValue.path(str(backup.database)),
            "sha256": MetadataValue.text(backup.sha256),
            "bytes": MetadataValue.int(backup.size),
            "data_as_of": MetadataValue.text(str(backup.data_as_of)),
        }
    )


backup_job = define_asset_job(
    name=BACKUP_JOB,
    selection=[AssetKey(["warehouse_backup"])],
    tags=job_tags(BACKUP_JOB),
    description="Back up the warehouse (checked, N generations kept).",
)
