"""Where one benchmark run keeps its files, all under one work folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govwh.settings import LANDING_ENV, OUTBOX_ENV, SERVING_ENV, WAREHOUSE_ENV, Settings

# dagster_project.runner.DAGSTER_HOME_ENV; not imported: the runner loads the definitions
DAGSTER_HOME_ENV = "DAGSTER_HOME"


@dataclass(frozen=True)
class BenchPaths:
    data: Path  # the generated city (reused between runs of the same scale and seed)
    work: Path  # everything else of this run

    @property
    def landing(self) -> Path:
        """The landing folder the pipeline loads: the city without its last day."""
        return self.work / "landing"

    @property
    def day(self) -> Path:
        """The last day's files, landed before the incremental stage."""
        return self.work / "day"

    @property
    def warehouse(self) -> Path:
        return self.work / "warehouse" / "govwh.duckdb"

    @property
    def serving(self) -> Path:
        return self.work / "warehouse" / "serving" / "govwh.duckdb"

    @property
    def reference(self) -> Path:
        """A copy of the warehouse right after the load: raw data only."""
        return self.work / "reference" / "govwh.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.work / "dagster_home"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def outbox(self) -> Path:
        return self.work / "outbox"

    @property
    def settings(self) -> Settings:
        return Settings(
            warehouse_path=self.warehouse,
            landing_dir=self.landing,
            serving_path=self.serving,
            outbox_dir=self.outbox,
        )

    def environment(self, warehouse: Path | None = None) -> dict[str, str]:
        """The env vars that point the product's code at this run's files."""
        return {
            WAREHOUSE_ENV: str(warehouse or self.warehouse),
            LANDING_ENV: str(self.landing),
            SERVING_ENV: str(self.serving),
            OUTBOX_ENV: str(self.outbox),
            DAGSTER_HOME_ENV: str(self.dagster_home),
        }

    def as_dict(self) -> dict[str, str]:
        return {"data": str(self.data), "work": str(self.work)}

    @classmethod
    def from_dict(cls, values: dict[str, str]) -> BenchPaths:
        return cls(data=Path(values["data"]), work=Path(values["work"]))
