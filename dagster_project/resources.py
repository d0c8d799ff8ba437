"""Dagster resources, configured from the environment (govwh.settings)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from govwh.settings import Settings
from govwh.warehouse.connection import connect


class DuckDBWarehouse(ConfigurableResource):
    """The DuckDB warehouse file. Connections are short-lived: DuckDB allows one writing
    process at a time, and dbt runs in its own process between our assets."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return connect(self.file, read_only=read_only)


class LandingFolder(ConfigurableResource):
    """Where source exports land: one sub-folder per source."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class CityFolder(ConfigurableResource):
    """The city's configuration folder (docs/city-configuration.md)."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class ServingCopy(ConfigurableResource):
    """The read-only copy of the warehouse that dashboards and analysts open."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)


class ReportFolders(ConfigurableResource):
    """Where the reports are written: the supervision outbox, the weekly bulletins and the
    public release (open data for the government portal)."""

    outbox: str
    bulletins: str
    public: str


class BackupFolder(ConfigurableResource):
    """Where the warehouse's backups go, and how many are kept."""

    path: str
    keep: int

    @property
    def folder(self) -> Path:
        return Path(self.path)


def resources_from_settings(settings: Settings) -> dict[str, ConfigurableResource]:
    return {
        "warehouse": DuckDBWarehouse(path=str(settings.warehouse_path)),
        "landing": LandingFolder(path=str(settings.landing_dir)),
        "city": CityFolder(path=str(settings.city_dir)),
        "serving": ServingCopy(path=str(settings.serving_path)),
        "reports": ReportFolders(
            outbox=str(settings.outbox_dir),
            bulletins=str(settings.bulletin_dir),
            public=str(settings.public_dir),
        ),
        "backups": BackupFolder(path=str(settings.backup_dir), keep=settings.backup_keep),
    }
