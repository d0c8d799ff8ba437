"""Dagster resources, configured from the environment (see settings.py)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from dagster_project.settings import Settings

# The dbt profile's variable: a province-scale load stays inside the limit and spills to
# DuckDB's temp directory (its default: beside the warehouse file, `<file>.tmp`).
MEMORY_LIMIT_ENV = "GOVWH_DUCKDB_MEMORY_LIMIT"


class DuckDBWarehouse(ConfigurableResource):
    """The DuckDB warehouse file. Connections are short-lived: DuckDB allows one writing
    process at a time, and dbt runs in its own process between our assets."""

    path: str
    memory_limit: str = "4GB"
    threads: int = 2

    @property
    def file(self) -> Path:
        return Path(self.path)

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        if not read_only:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(self.file), read_only=read_only)
        memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or self.memory_limit
        connection.execute(f"set memory_limit = '{memory_limit}'")
        connection.execute(f"set threads = {int(self.threads)}")
        connection.execute("set timezone = 'Asia/Shanghai'")
        return connection


class LandingFolder(ConfigurableResource):
    """Where source exports land: one sub-folder per source."""

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


def resources_from_settings(settings: Settings) -> dict[str, ConfigurableResource]:
    return {
        "warehouse": DuckDBWarehouse(path=str(settings.warehouse_path)),
        "landing": LandingFolder(path=str(settings.landing_dir)),
        "serving": ServingCopy(path=str(settings.serving_path)),
    }
