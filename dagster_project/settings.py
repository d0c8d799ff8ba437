"""Where things live: every path of the project, resolved once from the environment.

One env var names the warehouse file for Dagster, dbt and the CLI (``GOVWH_WAREHOUSE``).
Relative paths are taken from the repository root so that commands behave the same from
any working directory.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

WAREHOUSE_ENV = "GOVWH_WAREHOUSE"
LANDING_ENV = "GOVWH_LANDING_DIR"
SERVING_ENV = "GOVWH_SERVING_WAREHOUSE"

DEFAULT_WAREHOUSE = "warehouse/govwh.duckdb"
DEFAULT_LANDING = "data/landing"
DEFAULT_SERVING = "warehouse/serving/govwh.duckdb"


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class Settings:
    """Paths of one environment (the demo, a test's temporary warehouse, production)."""

    warehouse_path: Path
    landing_dir: Path
    serving_path: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            warehouse_path=_resolve(env.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)),
            landing_dir=_resolve(env.get(LANDING_ENV, DEFAULT_LANDING)),
            serving_path=_resolve(env.get(SERVING_ENV, DEFAULT_SERVING)),
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess: dbt's profile reads the same variable."""
        return {WAREHOUSE_ENV: str(self.warehouse_path)}


DBT_PROJECT_DIR = REPO_ROOT
DBT_PROFILES_DIR = REPO_ROOT / "dbt"
CALENDAR_SEED = REPO_ROOT / "seeds" / "calendar.csv"


# `dbt build` flags of a daily run on a built warehouse (why: dagster_project.assets.dbt's
# dbt_build_args); here so that the benchmark can run the same build without the dbt assets.
DAILY_DBT_BUILD_FLAGS = ("--threads", "2", "--exclude-resource-type", "unit_test")


def dbt_executable() -> str:
    """The dbt beside this interpreter: `.venv/bin/govwh` runs without the venv on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"
