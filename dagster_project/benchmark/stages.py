"""The benchmark's stages, each run by the harness in a process of its own.

    python -m dagster_project.benchmark.stages STAGE CONFIG.json RESULT.json

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

from dagster_project.benchmark.paths import BenchPaths
from dagster_project.settings import Settings

# Only errors reach Dagster's console logger (as in `govwh build`).
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class StageOutput:
    """What a stage processed (rows: the rows the stage's rows/s figure divides)."""

    rows: int | None = None
    work_seconds: float = 0.0  # the stage's work, without interpreter start and imports
    detail: dict[str, Any] = field(default_factory=dict)


def _count(path: Path, tables: list[str]) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            t: int(connection.execute(f"select count(*) from {t}").fetchall()[0][0]) for t in tables
        }


def _materialize(
    settings: Settings, job_name: str, keys: list[Any]
) -> tuple[float, dict[str, Any]]:
    """Run `job_name` restricted to `keys` in-process, as `govwh build` does; raise on failure.

    Returns the seconds of the run itself (loading the definitions, which parses the dbt
    project when it changed, is not counted) and what it materialized and checked.
    """
    from dagster_project.definitions import build_definitions
    from dagster_project.runner import error_message, open_instance

    job = build_definitions(settings).resolve_job_def(job_name)
    instance = open_instance()
    began = time.perf_counter()
    result = job.execute_in_process(
        run_config=_QUIET, instance=instance, asset_selection=keys, raise_on_error=False
    )
    seconds = time.perf_counter() - began
    if not result.success:
        failures = [
            f"{event.step_key}: {error_message(event.step_failure_data.error)}"
            for event in result.all_events
            if event.is_step_failure
        ]
        raise RuntimeError("Dagster run failed:\n" + "\n".join(failures or ["(no step failed)"]))
    checks = result.get_asset_check_evaluations()
    return seconds, {
        "run_id": result.run_id,
        "materialized": len(result.get_asset_materialization_events()),
        "checks": len(checks),
        "checks_failed": [
            f"{c.asset_key.to_user_string()}: {c.check_name}" for c in checks if not c.passed
        ],
    }


def _raw_keys() -> list[Any]:
    from dagster import AssetKey

    from dagster_project.landing.schemas import SOURCES

    return [AssetKey(["raw", name]) for name in SOURCES]


def _dbt_keys() -> list[Any]:
    from dagster_project.assets.dbt import govwh_dbt_models

    return list(govwh_dbt_models.keys)


RAW_TABLES = ["raw.service_items", "raw.case_logs", "raw.hall_tickets"]
FACT_TABLES = ["marts.fct_cases", "marts.fct_hall_tickets"]


def generate(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The demo city written to the data folder (Parquet, one file per month)."""
    from dagster_project.demo import generate_demo_city

    began = time.perf_counter()
    summary = generate_demo_city(paths.data, seed=config["seed"], scale=config["scale"])
    return StageOutput(
        rows=sum(summary.rows.values()),
        work_seconds=time.perf_counter() - began,
        detail={"rows": summary.rows, "start": str(summary.start), "end": str(summary.end)},
    )


def load(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The three ingestion assets: every landing file through the real loader."""
    from dagster_project.jobs import BUILD_WAREHOUSE_JOB

    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, _raw_keys())
    rows = _count(paths.warehouse, RAW_TABLES)
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def dbt_full(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The dbt assets on a warehouse without marts: `dbt build` (seeds, models, tests)."""
    from dagster_project.jobs import BUILD_WAREHOUSE_JOB

    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, _dbt_keys())
    rows = _count(paths.warehouse, FACT_TABLES)
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def incremental(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The daily run after one day's files landed: load them (the files loaded before are
    skipped by checksum), then the incremental `dbt build`."""
    from dagster_project.jobs import BUILD_WAREHOUSE_JOB

    before = _count(paths.warehouse, RAW_TABLES)
    seconds, run = _materialize(paths.settings, BUILD_WAREHOUSE_JOB, _raw_keys() + _dbt_keys())
    after = _count(paths.warehouse, RAW_TABLES)
    new = {t: after[t] - before[t] for t in RAW_TABLES}
    return StageOutput(
        rows=sum(new.values()), work_seconds=seconds, detail={**run, "new_rows": new}
    )


def forecasts(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The forecast asset of the daily forecast job (train, forecast, staffing, backlog; the
    backtest when the stored one is a week old), as `govwh forecast` runs it."""
    from dagster_project.assets.forecasts import FORECAST_KEYS
    from dagster_project.jobs import FORECAST_JOB

    seconds, run = _materialize(paths.settings, FORECAST_JOB, list(FORECAST_KEYS.values()))
    # the run's own split of its time (fit, backtest, staffing, ...), from the asset's metadata
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(FORECAST_KEYS["case_arrivals"])
    if event is not None and event.asset_materialization is not None:
        parts = event.asset_materialization.metadata.get("seconds")
        if parts is not None:
            run["parts_seconds"] = parts.value
    rows = _count(paths.warehouse, [f"forecast.{name}" for name in FORECAST_KEYS])
    return StageOutput(rows=sum(rows.values()), work_seconds=seconds, detail={**run, "rows": rows})


def serving(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The serving-copy asset: checkpoint, copy, atomic rename."""
    from dagster import AssetKey

    from dagster_project.jobs import BUILD_WAREHOUSE_JOB

    seconds, run = _materialize(
        paths.settings, BUILD_WAREHOUSE_JOB, [AssetKey(["serving_warehouse"])]
    )
    size = paths.serving.stat().st_size
    return StageOutput(rows=None, work_seconds=seconds, detail={**run, "bytes": size})


def queries(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """The dashboards' queries on the serving copy, opened read-only: one warm-up, then
    `repeat` timed runs each; p50 / p95 in milliseconds."""
    from dagster_project.benchmark.queries import DASHBOARD_QUERIES

    repeat = int(config.get("repeat", 20))
    began = time.perf_counter()
    latencies: dict[str, dict[str, float]] = {}
    with duckdb.connect(str(paths.serving), read_only=True) as connection:
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
    connection = duckdb.connect(str(warehouse))
    connection.execute(f"set memory_limit = '{config['memory_limit']}'")
    connection.execute("set preserve_insertion_order = false")
    return connection


def reference(paths: BenchPaths, config: dict[str, Any]) -> StageOutput:
    """bench/reference_headline_marts.sql on a copy of the loaded raw data, with the dbt
    profile's DuckDB settings (memory limit, threads)."""
    from dagster_project.benchmark.reference import reference_rows, run_reference

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
    from dagster_project.assets.dbt import dbt_cli_resource
    from dagster_project.benchmark.reference import REFERENCE_MARTS

    selection = " ".join(f"+{mart}" for mart in REFERENCE_MARTS)
    began = time.perf_counter()
    invocation = dbt_cli_resource().cli(
        ["build", "--select", selection, "--resource-type", "model", "--resource-type", "seed"],
        target_path=paths.work / "target_headline",
        raise_on_error=False,
    )
    invocation.wait()
    seconds = time.perf_counter() - began
    if not invocation.is_successful():
        raise RuntimeError(f"dbt build of the headline marts failed: {invocation.get_error()}")
    results = invocation.get_artifact("run_results.json")["results"]
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
