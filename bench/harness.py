"""Run the benchmark: every stage in a child process, timed and measured from outside.

Wall time is the child's, from start to exit (interpreter start, imports and loading the
Dagster definitions included: a scheduled run pays them too); the stage's own work is
reported beside it. Peak memory is the larger of
- `ru_maxrss` from `os.wait4`: the largest resident set of the child or of any descendant it
  waited for (dbt runs in a grandchild), and
- the sum of the resident sets of the child and all its descendants, sampled every 0.2 s
  from /proc (the Dagster process and dbt are alive at the same time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.data import generated, land_day, split_last_day
from bench.paths import BenchPaths
from govwh.settings import REPO_ROOT
from govwh.warehouse.connection import connect

MEMORY_LIMIT_ENV = "GOVWH_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4.5GB"  # the dbt profile's default

# The stages of the pipeline, in order; `generate` runs only when the city is not there yet.
PIPELINE_STAGES = ("load", "dbt_full", "incremental", "forecasts", "serving", "queries")
# The daily cycle, as the daemon runs it every working day once the day's files landed:
# load and incremental build, forecasts, outbox (the day's last writer: it publishes the
# serving copy; the cycle's build leaves it to it, govwh.operations.cycle). The serving stage
# is the build's own publication, as `govwh build` by hand does it: end to end, not daily.
DAILY_STAGES = ("incremental", "forecasts", "outbox")
# every stage the harness runs after the load, in order (the outbox after the serving copy:
# it is the last of the day's writers; the queries read what it published)
RUN_ORDER = ("load", "dbt_full", "incremental", "forecasts", "serving", "outbox", "queries")
REFERENCE_STAGES = ("reference", "dbt_headline")
# The forecast job backtests once a week (forecasting.run.RunConfig.backtest_every_days): that
# run is measured on the day before the incremental one, beside the pipeline, not in it, so
# the daily `forecasts` stage is the morning run a planner waits for.
WEEKLY_STAGES = ("forecasts_weekly",)
# Stages a scale cannot run, and why.
SKIPPED: dict[str, dict[str, str]] = {
    "tiny": {
        "forecasts": "tiny's one year of data is shorter than the forecast models' training window",
        "forecasts_weekly": "as forecasts",
    }
}
STAGE_LABELS = {
    "generate": "generate the demo city",
    "load": "load raw (every source, real loader)",
    "dbt_full": "dbt build, full",
    "incremental": "one-day incremental (load + dbt build)",
    "forecasts_weekly": "forecasts with the weekly backtest (day before; not in end to end)",
    "forecasts": "forecasts (daily job)",
    "serving": "serving copy (publish)",
    "outbox": "supervision outbox (+ publish; not in end to end)",
    "queries": "dashboard queries (serving copy, read-only)",
    "reference": "plain-DuckDB reference SQL (headline marts)",
    "dbt_headline": "dbt build, headline marts only (models + seeds)",
}


class StageFailedError(RuntimeError):
    """A stage's process exited with an error."""


@dataclass(frozen=True)
class StageResult:
    name: str
    wall_seconds: float
    work_seconds: float
    rows: int | None
    peak_rss_bytes: int
    maxrss_bytes: int  # ru_maxrss of the largest single process
    detail: dict[str, Any] = field(default_factory=dict)
    load_average: float = 0.0  # the machine's 1-minute load average, mean over the stage

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.name, self.name)

    @property
    def setup_seconds(self) -> float:
        """Process start, imports and loading the definitions: wall time less the work."""
        return max(self.wall_seconds - self.work_seconds, 0.0)

    @property
    def rows_per_second(self) -> float | None:
        """Rows over the stage's work time (its process's start-up is not throughput)."""
        if self.rows is None or self.work_seconds <= 0:
            return None
        return self.rows / self.work_seconds


@dataclass
class BenchmarkRun:
    scale: str
    seed: int
    paths: BenchPaths
    generated_now: bool
    last_day: str
    day_rows: dict[str, int]
    memory_limit: str
    stages: list[StageResult] = field(default_factory=list)
    reference_equal: bool | None = None
    reference_detail: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.name == name), None)


def _children(pid: int) -> list[int]:
    """Every descendant of `pid` (from the ppid field of /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def run_stage(
    name: str, paths: BenchPaths, config: dict[str, Any], env: dict[str, str]
) -> StageResult:
    """Run one stage in a child process; its output goes to logs/<stage>.log."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    config_path = paths.logs / f"{name}.config.json"
    result_path = paths.logs / f"{name}.result.json"
    result_path.unlink(missing_ok=True)
    config_path.write_text(json.dumps({**config, "paths": paths.as_dict()}))
    command = [
        sys.executable,
        "-m",
        "bench.stages",
        name,
        str(config_path),
        str(result_path),
    ]
    log_path = paths.logs / f"{name}.log"
    # Each stage starts with the page cache's writes of the stage before done: above all the
    # serving stage's copy of the file (4 GB at city), which the outbox's copy would otherwise
    # wait behind, although the daemon's cycle makes only the outbox's copy.
    os.sync()
    with log_path.open("w") as log:
        began = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        sampled_peak = 0
        loads: list[float] = []
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            tree = [child.pid, *_children(child.pid)]
            sampled_peak = max(sampled_peak, sum(_rss_bytes(p) for p in tree))
            loads.append(os.getloadavg()[0])
            time.sleep(0.2)
        wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not result_path.exists():
        tail = log_path.read_text(errors="replace")[-4000:]
        raise StageFailedError(
            f"stage {name} failed (exit {child.returncode}); {log_path}:\n{tail}"
        )
    output = json.loads(result_path.read_text())
    maxrss = usage.ru_maxrss * 1024  # kilobytes on Linux
    return StageResult(
        name=name,
        wall_seconds=wall,
        work_seconds=float(output["work_seconds"]),
        rows=output["rows"],
        peak_rss_bytes=max(maxrss, sampled_peak),
        maxrss_bytes=maxrss,
        detail=output["detail"],
        load_average=sum(loads) / len(loads) if loads else os.getloadavg()[0],
    )


def parse_project(env: dict[str, str], target_path: Path) -> None:
    """`dbt parse` with the stages' environment, before any stage: dbt parses partially only
    when the profile (which names the warehouse file) is the one of its last parse, and a
    scheduled run in production finds it so. Not timed."""
    from govwh.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, dbt_executable

    command = [
        dbt_executable(),
        "parse",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
        "--target-path",
        str(target_path),
    ]
    result = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise StageFailedError(f"dbt parse failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")


def default_data_dir(scale: str, seed: int) -> Path:
    """Generated cities are kept between runs: ~/.cache/govwh/bench/<scale>-seed<seed>."""
    return Path.home() / ".cache" / "govwh" / "bench" / f"{scale}-seed{seed}"


def run_benchmark(
    scale: str,
    *,
    seed: int = 42,
    work: Path,
    data: Path | None = None,
    repeat: int = 20,
    reference: bool = True,
    on_stage: Callable[[str, StageResult | None], None] | None = None,
) -> BenchmarkRun:
    """Generate (or reuse) the city, then run every stage in order; see the module doc."""
    paths = BenchPaths(data=data or default_data_dir(scale, seed), work=work)
    memory_limit = os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)
    config: dict[str, Any] = {
        "scale": scale,
        "seed": seed,
        "repeat": repeat,
        "memory_limit": memory_limit,
    }
    # the limit set by the caller reaches every stage; unset, each part keeps its own default
    env = paths.environment()
    if MEMORY_LIMIT_ENV in os.environ:
        env[MEMORY_LIMIT_ENV] = memory_limit
    notify = on_stage or (lambda _name, _result: None)
    for folder in ("warehouse", "reference", "dagster_home", "logs", "target_headline"):
        shutil.rmtree(paths.work / folder, ignore_errors=True)
    paths.work.mkdir(parents=True, exist_ok=True)

    stages: list[StageResult] = []
    generate_now = not generated(paths.data, scale, seed)
    if generate_now:
        shutil.rmtree(paths.data, ignore_errors=True)
        paths.data.mkdir(parents=True)
        notify("generate", None)
        stages.append(run_stage("generate", paths, config, env))
        notify("generate", stages[-1])
    split = split_last_day(paths.data, paths.landing, paths.day)
    run = BenchmarkRun(
        scale=scale,
        seed=seed,
        paths=paths,
        generated_now=generate_now,
        last_day=split.last_day.isoformat(),
        day_rows=split.day_rows,
        memory_limit=memory_limit,
        stages=stages,
        skipped=SKIPPED.get(scale, {}),
    )

    # the manifest the Dagster definitions load, parsed for this run's warehouse path
    parse_project(env, REPO_ROOT / "target")
    for name in RUN_ORDER:
        if name == "incremental" and WEEKLY_STAGES[0] not in run.skipped:
            # yesterday's forecast run, the weekly one with the backtest
            notify(WEEKLY_STAGES[0], None)
            run.stages.append(run_stage(WEEKLY_STAGES[0], paths, config, env))
            notify(WEEKLY_STAGES[0], run.stages[-1])
        if name in run.skipped:
            continue
        if name == "incremental":
            land_day(paths.day, paths.landing)
        notify(name, None)
        run.stages.append(run_stage(name, paths, config, env))
        notify(name, run.stages[-1])
        if name == "load" and reference:
            # the reference and the headline-only dbt build start from the same raw data
            paths.reference.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(paths.warehouse, paths.reference)

    if reference:
        reference_env = {**env, **paths.environment(warehouse=paths.reference)}
        parse_project(reference_env, paths.work / "target_headline")
        for name in REFERENCE_STAGES:
            notify(name, None)
            run.stages.append(run_stage(name, paths, config, reference_env))
            notify(name, run.stages[-1])
        check_reference(run)
    return run


def check_reference(run: BenchmarkRun) -> None:
    """The reference's tables against the marts dbt built from the same raw data."""

    from bench.reference import compare_with_marts

    with connect(run.paths.reference, read_only=True) as connection:
        comparisons = compare_with_marts(connection)
    run.reference_equal = all(c.equal for c in comparisons)
    run.reference_detail = [
        f"{c.mart}: {c.mart_rows:,} rows, "
        + ("equal" if c.equal else f"DIFFERENT (reference {c.reference_rows:,} rows)")
        for c in comparisons
    ]
