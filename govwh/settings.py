"""Where things live: every path and setting of the project, resolved once from the environment.

One env var names the warehouse file for Dagster, dbt and the CLI (``GOVWH_WAREHOUSE``); every
other path (landing, serving copy, outbox, bulletins, public release, the dbt project, Dagster's
home) and the DuckDB settings are read here and nowhere else.
Relative paths are taken from the repository root so that commands behave the same from
any working directory.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

WAREHOUSE_ENV = "GOVWH_WAREHOUSE"
LANDING_ENV = "GOVWH_LANDING_DIR"
SERVING_ENV = "GOVWH_SERVING_WAREHOUSE"
OUTBOX_ENV = "GOVWH_OUTBOX_DIR"
BULLETIN_ENV = "GOVWH_BULLETIN_DIR"
# The public release (open data for the government portal, `govwh publish`)
PUBLIC_ENV = "GOVWH_PUBLIC_DIR"
DBT_PROJECT_ENV = "GOVWH_DBT_PROJECT_DIR"
# Backups of the warehouse (`govwh backup`, `govwh restore`) and how many are kept
BACKUP_ENV = "GOVWH_BACKUP_DIR"
BACKUP_KEEP_ENV = "GOVWH_BACKUP_KEEP"
# The city's configuration folder (docs/city-configuration.md): regions, departments, halls,
# targets, labour costs, service levels. The demo city's is the default.
CITY_ENV = "GOVWH_CITY_DIR"
DAGSTER_HOME_ENV = "DAGSTER_HOME"
# The dbt profile reads the same variable: a province-scale load stays inside the limit and
# spills to DuckDB's temp directory (its default: beside the warehouse file, `<file>.tmp`).
MEMORY_LIMIT_ENV = "GOVWH_DUCKDB_MEMORY_LIMIT"

DEFAULT_WAREHOUSE = "warehouse/govwh.duckdb"
DEFAULT_LANDING = "data/landing"
DEFAULT_SERVING = "warehouse/serving/govwh.duckdb"
DEFAULT_OUTBOX = "data/outbox"
DEFAULT_BULLETINS = "data/bulletins"
DEFAULT_PUBLIC = "data/public"
DEFAULT_BACKUPS = "warehouse/backups"
DEFAULT_BACKUP_KEEP = 7
DEFAULT_CITY = "seeds/cities/demo"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"
DEFAULT_MEMORY_LIMIT = "4GB"
DUCKDB_THREADS = 2
TIMEZONE = "Asia/Shanghai"  # the calendar of the cases and the schedules


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class Settings:
    """Paths of one environment (the demo, a test's temporary warehouse, production)."""

    warehouse_path: Path
    landing_dir: Path
    serving_path: Path
    outbox_dir: Path = field(default_factory=lambda: _resolve(DEFAULT_OUTBOX))
    bulletin_dir: Path = field(default_factory=lambda: _resolve(DEFAULT_BULLETINS))
    public_dir: Path = field(default_factory=lambda: _resolve(DEFAULT_PUBLIC))
    # None: not set, so each part keeps its own default (the loader's connections
    # DEFAULT_MEMORY_LIMIT, dbt its profile's) and no child process is told otherwise
    memory_limit: str | None = None
    city_dir: Path = field(default_factory=lambda: _resolve(DEFAULT_CITY))
    backup_dir: Path = field(default_factory=lambda: _resolve(DEFAULT_BACKUPS))
    backup_keep: int = DEFAULT_BACKUP_KEEP

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            warehouse_path=_resolve(env.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)),
            landing_dir=_resolve(env.get(LANDING_ENV, DEFAULT_LANDING)),
            serving_path=_resolve(env.get(SERVING_ENV, DEFAULT_SERVING)),
            outbox_dir=_resolve(env.get(OUTBOX_ENV, DEFAULT_OUTBOX)),
            bulletin_dir=_resolve(env.get(BULLETIN_ENV, DEFAULT_BULLETINS)),
            public_dir=_resolve(env.get(PUBLIC_ENV, DEFAULT_PUBLIC)),
            memory_limit=env.get(MEMORY_LIMIT_ENV) or None,
            city_dir=_resolve(env.get(CITY_ENV, DEFAULT_CITY)),
            backup_dir=_resolve(env.get(BACKUP_ENV, DEFAULT_BACKUPS)),
            backup_keep=int(env.get(BACKUP_KEEP_ENV) or DEFAULT_BACKUP_KEEP),
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess: dbt's profile reads the same variable."""
        return {WAREHOUSE_ENV: str(self.warehouse_path)}

    def environment(self) -> dict[str, str]:
        """The variables that give a child process (the job runner) these settings. The memory
        limit only when it was set: dbt's profile has its own default, and a value its last
        parse did not see would make every build parse the project again in full."""
        limit = {MEMORY_LIMIT_ENV: self.memory_limit} if self.memory_limit else {}
        return {
            WAREHOUSE_ENV: str(self.warehouse_path),
            LANDING_ENV: str(self.landing_dir),
            SERVING_ENV: str(self.serving_path),
            OUTBOX_ENV: str(self.outbox_dir),
            BULLETIN_ENV: str(self.bulletin_dir),
            PUBLIC_ENV: str(self.public_dir),
            **limit,
            CITY_ENV: str(self.city_dir),
            BACKUP_ENV: str(self.backup_dir),
            BACKUP_KEEP_ENV: str(self.backup_keep),
        }


def dagster_home() -> Path:
    """Where Dagster keeps its run history ($DAGSTER_HOME, else <repo>/.dagster_home)."""
    value = os.environ.get(DAGSTER_HOME_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_DAGSTER_HOME


# The dbt project (dbt_project.yml, models, macros, seeds): the repository by default; a
# scratch copy for a test or a trial of changed definitions.
DBT_PROJECT_DIR = _resolve(os.environ.get(DBT_PROJECT_ENV, str(REPO_ROOT)))
DBT_PROFILES_DIR = REPO_ROOT / "dbt"
CALENDAR_SEED = REPO_ROOT / "seeds" / "calendar.csv"
DEMO_CITY_DIR = _resolve(DEFAULT_CITY)


# `dbt build` flags of a daily run on a built warehouse (why: dagster_project.warehouse.assets's
# dbt_build_args); here so that the benchmark can run the same build without the dbt assets.
DAILY_DBT_BUILD_FLAGS = (
    "--threads",
    "2",
    "--exclude-resource-type",
    "unit_test",
    "--log-level-file",
    "info",
    "--log-format-file",
    "text",
)


def dbt_executable() -> str:
    """The dbt beside this interpreter: `.venv/bin/govwh` runs without the venv on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"
