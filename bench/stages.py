"""The benchmark's stages, each run by the harness in a process of its own.

    python -m bench.stages STAGE CONFIG.json RESULT.json

Every stage runs the product's own code path: the ingestion assets, the dbt assets and the
forecast and serving assets through the Dagster job of `govwh build` / `govwh forecast`
(in-process executor, persistent instance), the queries on the serving copy opened
read-only. The environment (GOVWH_WAREHOUSE, GOVWH_LANDING_DIR, ...) is set by the harness.
A stage writes what it processed to RESULT.json; the harness measures its wall time and
memory from the outside.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bench.paths import BenchPaths
from govwh.settings import Settings
from govwh.warehouse.connection import connect

# Only errors reach Dagster's console logger (as in `govwh build`).
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class StageOutput:
    """What a stage processed (rows: the rows the stage's rows/s figure divides)."""

    rows: int | None = None
    work_seconds: float = 0.0  # the stage's work, without interpreter start and imports
    detail: dict[str, Any] = field(default_factory=dict)


def _count(path: Path, tables: list[str]) -> dict[str, int]:
    with connect(path, read_only=True) as connection:
        return {
            t: int(connection.execute(f"select count(*) from {t}").fetchall()[0][0]) for t in tables
        }


def _materialize(
    settings: Settings,
    job_name: str,
    assets: list[str] | None = None,
    asset_groups: tuple[str, ...] = (),
) -> tuple[float, dict[str, Any]]:
    """Run `job_name` restricted to `assets` and `asset_groups` through the job runner, as
    `govwh build` does; raise on failure.

    Returns the seconds of the run itself (the runner's start and loading the definitions,
    which parses the dbt project when it changed, are not counted) and what it materialized
    and checked.
    """
    from govwh.jobs import EventKind, JobEvent, run_job

    parts: dict[str, float] = {}

    def collect(event: JobEvent) -> None:
        if event.kind is EventKind.MATERIALIZED and event.parts_seconds:
            parts.update(event.parts_seconds)

    result = run_job(
        settings, job_name, assets=assets, asset_groups=list(asset_groups), on_event=collect
    )
    if not result.success:
        failures = [f"{failure.step}: {failure.message}" for failure in result.failures]
        raise RuntimeError("Dagster run failed:\n" + "\n".join(failures or ["(no step failed)"]))
    detail: dict[str, Any] = {
        "run_id": result.run_id,
        "materialized": result.materialized,
        "checks": result.checks_evaluated,
        "checks_failed": result.failed_checks,
    }
    if parts:
        detail["parts_seconds"] = parts
    return result.seconds, detail


def _raw_keys() -> list[str]:
    """The ingestion assets of the three sources and the city's configuration (loaded before
    every build, as the build job does)."""
    from govwh.city.files import CITY_TABLES, PROFILE_TABLE
    from govwh.ingestion.schemas import SOURCES

    city = [table.replace(".", "/") for table in (*(t.table for t in CITY_TABLES), PROFILE_TABLE)]
    return [f"raw/{name}" for name in SOURCES] + city


RAW_TABLES = ["raw.service_items", "raw.case_logs", "raw.hall_tickets"]
FACT_TABLES = ["marts.fct_cases", "marts.fct_hall_tickets"]


def generate(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The demo city written to the data folder (Parquet, one file per month)."""
    from govwh.demo import generate_demo_city

    began = time.perf_counter()
    summary = generate_demo_city(paths.data, seed=config["seed"], scale=config["scale"])
    return StageOutput(
        rows=sum(summary.rows.values()),
        work_seconds=time.perf_counter() - began,
        detail={"rows": summary.rows, "start": str(summary.start), "end": str(summary.end)},
    )


def load(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The three ingestion assets (every landing file through the real loader) and the city's
    configuration."""
    from govwh.jobs import BUILD_WAREHOUSE_JOB

    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, _raw_keys())
    rows = _count(paths.warehouse, RAW_TABLES)
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def dbt_full(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The dbt assets on a warehouse without marts: `dbt build` (seeds, models, tests)."""
    from govwh.jobs import BUILD_WAREHOUSE_JOB, DBT_ASSET_GROUPS

    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, asset_groups=DBT_ASSET_GROUPS)
    rows = _count(paths.warehouse, FACT_TABLES)
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def incremental(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The daily run after one day's files landed: load them (the files loaded before are
    skipped by checksum), then the incremental `dbt build`."""
    from govwh.jobs import BUILD_WAREHOUSE_JOB, DBT_ASSET_GROUPS

    before = _count(paths.warehouse, RAW_TABLES)
    seconds, run = _materialize(
        paths.settings, BUILD_WAREHOUSE_JOB, _raw_keys(), asset_groups=DBT_ASSET_GROUPS
    )
    after = _count(paths.warehouse, RAW_TABLES)
    new = {t: after[t] - before[t] for t in RAW_TABLES}
    return StageOutput(
        rows=sum(new.values()), work_seconds=seconds, detail={**run, "new_rows": new}
    )


def forecasts(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The forecast asset of the daily forecast job (train, forecast, staffing, backlog; the
    backtest when the stored one is a week old), as `govwh forecast` runs it."""
    from forecasting.warehouse import FORECAST_TABLES
    from govwh.jobs import FORECAST_JOB

    seconds, run = _materialize(
        paths.settings, FORECAST_JOB, [f"forecast/{name}" for name in FORECAST_TABLES]
    )
    rows = _count(paths.warehouse, [f"forecast.{name}" for name in FORECAST_TABLES])
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def serving(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The serving-copy asset: checkpoint, copy, atomic rename."""
    from govwh.jobs import BUILD_WAREHOUSE_JOB

    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, ["serving_warehouse"])
    size = paths.serving.stat().st_size
    return StageOutput(rows=None, work_seconds=seconds, detail={**run, "bytes": size})


def outbox(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The daily supervision job: the day's alert outbox (files per department and district,
    the sent-log in the warehouse), then the serving copy published again."""
    from govwh.jobs import DAILY_SUPERVISION_JOB

    seconds, run = _materialize(paths.settings, DAILY_SUPERVISION_JOB, ["supervision_alert_outbox"])
    files = sorted(p for p in paths.outbox.rglob("*") if p.is_file())
    return StageOutput(rows=None, work_seconds=seconds, detail={**run, "files": len(files)})


def queries(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The dashboards' queries on the serving copy, opened read-only: one warm-up, then
    `repeat` timed runs each; p50 / p95 in milliseconds."""
    from bench.queries import DASHBOARD_QUERIES

    repeat = int(config.get("repeat", 20))
    began = time.perf_counter()
    latencies: dict[str, dict[str, float]] = {}
    with connect(paths.serving, read_only=True) as connection:
        connection.execute("set timezone = 'Asia/Shanghai'")
        for name, sql in DASHBOARD_QUERIES.items():
            result_rows = len(connection.execute(sql).fetchall())  # warm, as a live dashboard
            timings = []
            for _ in range(repeat):
                start = time.perf_counter()
                connection.execute(sql).fetchall()
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            latencies[name] = {
                "p50_ms": statistics.median(timings),
                "p95_ms": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
                "rows": result_rows,
            }
    return StageOutput(
        rows=None,
        work_seconds=time.perf_counter() - began,
        detail={"repeat": repeat, "latencies": latencies},
    )


def _connect_as_dbt(warehouse: Path, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """A connection with the dbt profile's settings that bear on speed: the run's memory
    limit, insertion order not preserved."""
    connection = connect(warehouse)
    connection.execute(f"set memory_limit = '{config['memory_limit']}'")
    connection.execute("set preserve_insertion_order = false")
    return connection


def reference(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """bench/reference_headline_marts.sql on a copy of the loaded raw data, with the dbt
    profile's DuckDB settings (memory limit, threads)."""
    from bench.reference import reference_rows, run_reference

    with _connect_as_dbt(paths.reference, config) as connection:
        rows = {
            t: int(connection.execute(f"select count(*) from {t}").fetchall()[0][0])
            for t in RAW_TABLES
        }
        began = time.perf_counter()
        run_reference(connection)
        connection.execute("checkpoint")  # dbt's tables are on disk when it ends: so these
        seconds = time.perf_counter() - began
        written = reference_rows(connection)
    return StageOutput(
        rows=sum(rows.values()), work_seconds=seconds, detail={"rows": rows, "written": written}
    )


def dbt_headline(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The same marts as the reference through dbt: `dbt build` of the headline marts and
    every model and seed upstream of them (no tests), on the same copy of the raw data."""
    from bench.reference import REFERENCE_MARTS
    from govwh.warehouse.dbt import run_dbt

    selection = " ".join(f"+{mart}" for mart in REFERENCE_MARTS)
    settings = Settings.from_env()  # the harness points GOVWH_WAREHOUSE at this stage's copy
    began = time.perf_counter()
    process, results = run_dbt(
        ["build", "--select", selection, "--resource-type", "model", "--resource-type", "seed"],
        settings,
        paths.work / "target_headline",
    )
    seconds = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"dbt build of the headline marts failed:\n{process.stdout[-3000:]}")
    rows = _count(paths.reference, RAW_TABLES)
    return StageOutput(
        rows=sum(rows.values()),
        work_seconds=seconds,
        detail={"nodes": len(results), "facts_copy_seconds": _copy_facts(paths.reference, config)},
    )


# the facts the headline marts are computed from, materialized by the pipeline
HEADLINE_FACTS = ("marts.fct_cases", "marts.fct_hall_tickets")


def _copy_facts(warehouse: Path, config: dict[str, Any]) -> float:
    """Seconds to write a bare copy of the facts the dbt build just made (`create table as
    select *`, then a checkpoint): what materializing them costs at least, with no logic."""
    with _connect_as_dbt(warehouse, config) as connection:
        began = time.perf_counter()
        for number, fact in enumerate(HEADLINE_FACTS):
            connection.execute(f"create table main.fact_copy_{number} as select * from {fact}")
        connection.execute("checkpoint")
        seconds = time.perf_counter() - began
        for number in range(len(HEADLINE_FACTS)):
            connection.execute(f"drop table main.fact_copy_{number}")
        connection.execute("checkpoint")
    return seconds


STAGES: dict[str, Callable[[BenchPaths, dict[str, Any]], StageOutput]] = {
    "generate": generate,
    "load": load,
    "dbt_full": dbt_full,
    "incremental": incremental,
    "forecasts_weekly": forecasts,
    "forecasts": forecasts,
    "serving": serving,
    "outbox": outbox,
    "queries": queries,
    "reference": reference,
    "dbt_headline": dbt_headline,
}


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    name, config_path, result_path = argv
    config = json.loads(Path(config_path).read_text())
    paths = BenchPaths.from_dict(config["paths"])
    output = STAGES[name](paths, config)
    output.detail["process_seconds_before_exit"] = time.perf_counter() - started
    Path(result_path).write_text(json.dumps(asdict(output), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
