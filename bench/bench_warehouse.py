"""Benchmark the warehouse at a scale: full dbt build, a one-day incremental build, and the
latency of the queries the dashboards run on the serving copy.

    .venv/bin/python bench/bench_warehouse.py --landing /tmp/city/landing --work /tmp/city/bench

The landing folder must hold a generated city (`govwh generate --scale city --landing ...`).
Prints a markdown table for docs/benchmarks.md. Each stage runs in its own process (dbt) or
on a fresh connection, on this machine as it is; peak memory is the dbt process's maximum
resident set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.queries import DASHBOARD_QUERIES  # noqa: E402
from govwh.ingestion.loader import landing_files, load_files  # noqa: E402
from govwh.ingestion.pseudonymise import PseudonymisationKey  # noqa: E402
from govwh.ingestion.schemas import SOURCES  # noqa: E402
from govwh.settings import DAILY_DBT_BUILD_FLAGS  # noqa: E402
from govwh.warehouse.connection import connect  # noqa: E402


def _dbt_environment(warehouse: Path) -> dict[str, str]:
    # dbt runs with Python's bytecode cache, as installed software does: where the
    # environment sets PYTHONDONTWRITEBYTECODE (some sandboxes do), every dbt start would
    # compile its ~1,200 modules from source again, over a second of CPU per build
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, "GOVWH_WAREHOUSE": str(warehouse)}


def _dbt(warehouse: Path, target: Path, profiles: Path, *args: str) -> tuple[float, float, float]:
    """Run dbt build; wall seconds, the child's CPU seconds and its peak memory in GB."""
    # the warehouse copies made just before (GBs) are written back to disk first, so that the
    # kernel's writeback does not run during, and count in, the build
    os.sync()
    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(REPO),
         "--profiles-dir", str(profiles), "--target-path", str(target),
         "--exclude", "test_type:unit", *args],
        env=_dbt_environment(warehouse),
        check=False,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"dbt build failed:\n{result.stdout[-5000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return time.perf_counter() - started, cpu, max(before, usage.ru_maxrss) / 1024 / 1024


def _slowest_nodes(target: Path, count: int = 8) -> str:
    """dbt's own elapsed time and its slowest nodes in the last run (run_results.json)."""
    results = json.loads((target / "run_results.json").read_text())
    nodes = sorted(results["results"], key=lambda r: r["execution_time"], reverse=True)
    tests = sum(
        r["execution_time"] for r in results["results"] if r["unique_id"].startswith("test.")
    )
    slowest = ", ".join(
        f"{r['unique_id'].split('.')[2]} {r['execution_time']:.2f} s" for r in nodes[:count]
    )
    return (
        f"inside dbt {results['elapsed_time']:.1f} s (data tests {tests:.1f} s); slowest: {slowest}"
    )


def _rows(warehouse: Path, table: str) -> int:
    with connect(warehouse, read_only=True) as connection:
        return int(connection.sql(f"select count(*) from {table}").fetchall()[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--incremental-runs", type=int, default=3,
        help="one-day incremental builds, each from the same state (best and median reported)",
    )  # fmt: skip
    parser.add_argument(
        "--raw", type=Path,
        help="start from a copy of this warehouse (raw schema loaded) instead of loading",
    )  # fmt: skip
    parser.add_argument("--profiles-dir", type=Path, default=REPO / "dbt", help="dbt profiles")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    warehouse, target = args.work / "govwh.duckdb", args.work / "target"
    lines = []

    if args.raw:
        shutil.copyfile(args.raw, warehouse)
    else:
        started = time.perf_counter()
        key = PseudonymisationKey.from_secret("benchmark")
        with connect(warehouse) as connection:
            loaded = sum(
                # the catalogue first: case versions are checked against it
                load_files(connection, source, landing_files(args.landing, source), key).rows
                for source in SOURCES.values()
            )
        seconds = time.perf_counter() - started
        lines.append(
            f"| load raw (3 sources) | {seconds:.1f} s | {loaded / seconds:,.0f} rows/s | |"
        )

    load = os.getloadavg()[0]
    seconds, cpu, peak = _dbt(warehouse, target, args.profiles_dir, "--full-refresh")
    print(f"full refresh (load {load:.1f}): {seconds:.1f} s, {cpu:.1f} CPU s; "
          f"{_slowest_nodes(target)}", flush=True)  # fmt: skip
    cases = _rows(warehouse, "marts.fct_cases")
    rate = f"{cases / seconds:,.0f} cases/s; {cpu:.1f} CPU s"
    lines.append(f"| dbt build, full refresh | {seconds:.1f} s | {rate} | {peak:.1f} GB |")

    # One day arrives: hold back the last day's case versions and tickets, build, add them.
    with connect(warehouse) as connection:
        last_day = connection.sql(
            "select max(cast(updated_at as date)) from raw.case_logs"
        ).fetchall()[0][0]
        for table, column in (("case_logs", "updated_at"), ("hall_tickets", "ticket_taken_at")):
            connection.execute(
                f"create table main.held_{table} as select * from raw.{table} "
                f"where cast({column} as date) = ?",
                [last_day],
            )
            connection.execute(
                f"delete from raw.{table} where cast({column} as date) = ?", [last_day]
            )
    _dbt(warehouse, target, args.profiles_dir, "--full-refresh")
    before_the_day = args.work / "before_the_day.duckdb"
    shutil.copyfile(warehouse, before_the_day)
    timings, cpu_times, peak, held = [], [], 0.0, 0
    for _ in range(args.incremental_runs):
        shutil.copyfile(before_the_day, warehouse)
        with connect(warehouse) as connection:
            held = 0
            for table in ("case_logs", "hall_tickets"):
                connection.execute(
                    f"insert into raw.{table} by name select * replace ("
                    f"(select max(_loaded_at) from raw.{table}) + interval 1 day as _loaded_at) "
                    f"from main.held_{table}"
                )
                held += connection.sql(f"select count(*) from main.held_{table}").fetchall()[0][0]
                connection.execute(f"drop table main.held_{table}")
        load = os.getloadavg()[0]
        # as the product's daily run (dagster_project.warehouse.assets.dbt_build_args)
        seconds, cpu, peak = _dbt(warehouse, target, args.profiles_dir, *DAILY_DBT_BUILD_FLAGS)
        timings.append(seconds)
        cpu_times.append(cpu)
        print(f"one-day incremental build (load {load:.1f}): {seconds:.1f} s, {cpu:.1f} CPU s; "
              f"{_slowest_nodes(target)}", flush=True)  # fmt: skip
    before_the_day.unlink()
    stage = f"dbt build, one-day incremental ({held:,} new rows)"
    spread = (
        f"best of {len(timings)}, median {statistics.median(timings):.1f} s; "
        f"{min(cpu_times):.1f}–{max(cpu_times):.1f} CPU s"
    )
    lines.append(f"| {stage} | {min(timings):.1f} s | {spread} | {peak:.1f} GB |")

    serving = args.work / "serving.duckdb"
    shutil.copyfile(warehouse, serving)
    with connect(serving, read_only=True) as connection:
        for name, sql in DASHBOARD_QUERIES.items():
            connection.sql(sql).fetchall()  # warm the cache once, as a running dashboard is
            timings = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                connection.sql(sql).fetchall()
                timings.append((time.perf_counter() - began) * 1000)
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[18]
            lines.append(f"| query: {name} | p50 {p50:.1f} ms | p95 {p95:.1f} ms | |")

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}; "
          f"{dt.date.today()}; fct_cases {cases:,} rows")  # fmt: skip
    print("| stage | time | throughput / latency | peak memory |")
    print("|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
