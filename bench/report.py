"""The benchmark's report: machine, date, commit, the table of stages and the targets, in
Markdown, written into docs/benchmarks.md between marker comments (one block per scale)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.harness import (
    DAILY_STAGES,
    PIPELINE_STAGES,
    STAGE_LABELS,
    BenchmarkRun,
    StageResult,
)
from govwh.settings import REPO_ROOT

SECTION_HEADING = "## Scale"
TARGET_SCALES = ("city", "province")
CITY_SECONDS = 240.0  # end to end, generation excluded
CITY_PEAK_BYTES = 6 * 10**9
PROVINCE_PEAK_BYTES = 24 * 2**30
REFERENCE_RATIO = 2.0
# the daily cycle (one day's rows → load → incremental dbt → forecasts → outbox, which publishes
# the serving copy)
DAILY_SECONDS = {"city": 45.0, "province": 180.0}
DAILY_PEAK_BYTES = 6 * 10**9


def _marker(scale: str, end: str) -> str:
    return f"<!-- govwh bench: scale {scale} {end} -->"


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cpus: int
    memory_bytes: int
    system: str
    python: str
    duckdb: str

    def describe(self) -> str:
        return (
            f"{self.cpu_model}, {self.cpus} cores, {self.memory_bytes / 2**30:.1f} GiB RAM; "
            f"{self.system}; Python {self.python}, DuckDB {self.duckdb}"
        )


def machine() -> Machine:
    import duckdb

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return Machine(
        cpu_model=model,
        cpus=os.cpu_count() or 0,
        memory_bytes=memory,
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        duckdb=duckdb.__version__,
    )


def git_commit() -> str:
    """The short commit, and whether the work tree differed from it."""

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit} (work tree with uncommitted changes)" if dirty else commit


def _gb(value: int) -> str:
    return f"{value / 10**9:.2f} GB"


def _row(stage: StageResult) -> str:
    rows = "" if stage.rows is None else f"{stage.rows:,}"
    rate = "" if stage.rows_per_second is None else f"{stage.rows_per_second:,.0f}"
    return (
        f"| {stage.label} | {stage.wall_seconds:.1f} | {stage.work_seconds:.1f} | {rows} | "
        f"{rate} | {_gb(stage.peak_rss_bytes)} |"
    )


def _pipeline(run: BenchmarkRun) -> list[StageResult]:
    return [s for s in run.stages if s.name in PIPELINE_STAGES]


def pipeline_wall_seconds(run: BenchmarkRun) -> float:
    """Every pipeline stage's wall time: five processes, each starting up on its own."""
    return sum(s.wall_seconds for s in _pipeline(run))


def _work_and_one_startup(stages: list[StageResult]) -> float:
    """The stages' work plus one start-up (the median of theirs: imports, Dagster definitions)."""
    if not stages:
        return 0.0
    return sum(s.work_seconds for s in stages) + statistics.median(s.setup_seconds for s in stages)


def pipeline_seconds(run: BenchmarkRun) -> float:
    """End to end, generation excluded, as one process runs it."""
    return _work_and_one_startup(_pipeline(run))


def daily_stages(run: BenchmarkRun) -> list[StageResult]:
    return [s for s in run.stages if s.name in DAILY_STAGES]


def daily_seconds(run: BenchmarkRun) -> float:
    """The daily cycle as the daemon runs it (its runs start in a process that has the
    definitions loaded, one per job)."""
    return _work_and_one_startup(daily_stages(run))


def daily_peak(run: BenchmarkRun) -> int:
    return max((s.peak_rss_bytes for s in daily_stages(run)), default=0)


def pipeline_peak(run: BenchmarkRun) -> int:
    return max((s.peak_rss_bytes for s in run.stages if s.name in PIPELINE_STAGES), default=0)


def reference_ratios(run: BenchmarkRun) -> tuple[float, float] | None:
    """(headline-only dbt build / reference, full dbt build / reference), by work time."""
    reference, headline, full = (run.stage(n) for n in ("reference", "dbt_headline", "dbt_full"))
    if not (reference and headline and full) or reference.work_seconds <= 0:
        return None
    return (
        headline.work_seconds / reference.work_seconds,
        full.work_seconds / reference.work_seconds,
    )


def _facts_copy_ratio(run: BenchmarkRun) -> tuple[float, float] | None:
    """(seconds, ratio to the reference) of the bare copy of the headline facts."""
    reference, headline = run.stage("reference"), run.stage("dbt_headline")
    if not (reference and headline) or reference.work_seconds <= 0:
        return None
    seconds = headline.detail.get("facts_copy_seconds")
    if seconds is None:
        return None
    return seconds, seconds / reference.work_seconds


def targets(run: BenchmarkRun) -> list[tuple[bool, str]]:
    """(met, description) of the issue's targets that apply to this scale."""
    checks: list[tuple[bool, str]] = []
    seconds, peak = pipeline_seconds(run), pipeline_peak(run)
    ran = all(run.stage(n) is not None for n in PIPELINE_STAGES if n not in run.skipped)
    if run.scale == "city":
        full = run.stage("dbt_full")
        built = full.detail.get("rows", {}) if full else {}
        cases, tickets = built.get("marts.fct_cases", 0), built.get("marts.fct_hall_tickets", 0)
        checks.append(
            (
                cases >= 8_000_000 and tickets >= 5_000_000,
                f"city scale: {cases:,} cases ≥ 8 M, {tickets:,} hall tickets ≥ 5 M",
            )
        )
        checks.append(
            (seconds <= CITY_SECONDS, f"end to end, generation excluded: {seconds:.0f} s ≤ 240 s")
        )
        checks.append((peak <= CITY_PEAK_BYTES, f"peak memory {_gb(peak)} ≤ 6 GB"))
    if run.scale == "province":
        checks.append(
            (ran and peak <= PROVINCE_PEAK_BYTES, f"completes within 24 GB: peak {_gb(peak)}")
        )
    if run.scale in DAILY_SECONDS and all(run.stage(n) for n in DAILY_STAGES):
        daily, limit = daily_seconds(run), DAILY_SECONDS[run.scale]
        checks.append(
            (daily <= limit, f"daily cycle (load … outbox): {daily:.0f} s ≤ {limit:.0f} s")
        )
        daily_memory = daily_peak(run)
        checks.append(
            (daily_memory <= DAILY_PEAK_BYTES, f"daily cycle peak {_gb(daily_memory)} ≤ 6 GB")
        )
    ratios = reference_ratios(run)
    if ratios is not None and run.scale in TARGET_SCALES:
        checks.append(
            (
                ratios[0] <= REFERENCE_RATIO,
                f"dbt time for the headline marts ≤ 2 × the plain-DuckDB reference: "
                f"{ratios[0]:.2f} ×",
            )
        )
    if run.reference_equal is not None:
        checks.append((run.reference_equal, "the reference's rows equal the marts'"))
    return checks


def markdown(run: BenchmarkRun, *, when: dt.datetime, notes: str = "") -> str:
    host = machine()
    data = ", ".join(f"{rows:,} {source}" for source, rows in run.day_rows.items())
    load = run.stage("load")
    raw = load.detail.get("rows", {}) if load else {}
    raw_text = ", ".join(f"{rows:,} {table}" for table, rows in raw.items())
    lines = [
        _marker(run.scale, "start"),
        f"### Scale `{run.scale}`",
        "",
        f"`govwh bench --scale {run.scale}` on {when:%Y-%m-%d %H:%M} UTC, commit "
        f"{git_commit()}. Machine: {host.describe()}. DuckDB memory limit "
        f"{run.memory_limit}. Seed {run.seed}, city "
        f"{'generated by this run' if run.generated_now else 'reused from an earlier run'}; "
        f"loaded without its last day ({raw_text}), then the last day, {run.last_day} "
        f"({data}), arrives for the incremental stage.",
    ]
    loads = [s.load_average for s in run.stages]
    if loads:
        lines += [
            "",
            f"Machine load during the stages (1-minute load average, mean per stage): "
            f"{min(loads):.1f}–{max(loads):.1f} on {host.cpus} cores (a stage alone accounts "
            f"for up to about {host.cpus})"
            + (
                " — other work competed for the CPU, so the times are upper bounds."
                if max(loads) > host.cpus + 1
                else "."
            ),
        ]
    if notes:
        lines += ["", notes]
    lines += [
        "",
        "| stage | wall s | work s | rows | rows/s | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
        *(_row(s) for s in run.stages),
        *(
            f"| {STAGE_LABELS.get(n, n)} | skipped: {why} | | | | |"
            for n, why in run.skipped.items()
        ),
        f"| **end to end, generation excluded** (load … queries: work + one start-up) | "
        f"{pipeline_wall_seconds(run):.1f} | **{pipeline_seconds(run):.1f}** | | | "
        f"**{_gb(pipeline_peak(run))}** |",
        f"| **daily cycle** (one day's rows: incremental, forecasts, outbox and its serving copy: "
        f"work + one start-up) | {sum(s.wall_seconds for s in daily_stages(run)):.1f} | "
        f"**{daily_seconds(run):.1f}** | | | **{_gb(daily_peak(run))}** |",
        "",
        "wall s: the stage's process from start to exit, including Python's start, the imports "
        "and loading the Dagster definitions (which parses the dbt project when a file of it "
        "changed); work s: the stage's own work inside it (the Dagster run, the SQL). End to "
        "end counts the work of every pipeline stage and one start-up, as one `govwh build` "
        "process pays it. rows/s: rows over work time — load and reference: raw rows read; "
        "dbt builds: rows of fct_cases + fct_hall_tickets built; incremental: new raw rows; "
        "forecasts: rows written. Peak RSS: the stage's process tree (the Dagster process and "
        "dbt's together).",
    ]
    for name, which in (("forecasts_weekly", "weekly"), ("forecasts", "daily")):
        forecast = run.stage(name)
        if forecast and forecast.detail.get("parts_seconds"):
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in forecast.detail["parts_seconds"].items())
            lines += ["", f"The {which} forecast run's own split of its time: {parts}."]
    queries = run.stage("queries")
    if queries:
        lines += [
            "",
            "| dashboard query (serving copy) | p50 ms | p95 ms | rows |",
            "|---|---:|---:|---:|",
        ]
        for name, figures in queries.detail["latencies"].items():
            lines.append(
                f"| {name} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | "
                f"{figures['rows']:,} |"
            )
    ratios = reference_ratios(run)
    if ratios is not None:
        lines += [
            "",
            f"Pipeline overhead against the plain-DuckDB reference "
            f"(`bench/reference_headline_marts.sql`, same raw data, same marts and grains): "
            f"dbt build of the headline marts and their upstream models and seeds "
            f"**{ratios[0]:.2f} ×** the reference's time; the full dbt build (every model and "
            f"data test) {ratios[1]:.2f} ×.",
        ]
        floor = _facts_copy_ratio(run)
        if floor is not None:
            lines[-1] += (
                f" Writing a bare copy of `fct_cases` and `fct_hall_tickets` alone (`create "
                f"table as select *`, no logic) takes {floor[0]:.1f} s, {floor[1]:.2f} × the "
                f"reference's time: the floor of any pipeline that keeps those facts as tables."
            )
    if run.reference_detail:
        lines += ["", "Reference against the marts: " + "; ".join(run.reference_detail) + "."]
    checks = targets(run)
    if checks:
        lines += ["", "Targets:", ""]
        lines += [f"- {'✓' if met else '✗'} {text}" for met, text in checks]
    lines.append(_marker(run.scale, "end"))
    return "\n".join(lines) + "\n"


def write_block(path: Path, scale: str, block: str) -> None:
    """Replace this scale's block in `path`, or add it at the end of the Scale section (the
    section, or the file, is created when missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(
        re.escape(_marker(scale, "start")) + r".*?" + re.escape(_marker(scale, "end")) + r"\n?",
        re.DOTALL,
    )
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    elif SECTION_HEADING + "\n" in text:
        start = text.index(SECTION_HEADING + "\n") + len(SECTION_HEADING) + 1
        following = text.find("\n## ", start)
        end = len(text) if following == -1 else following + 1
        body = text[start:end].rstrip("\n")
        text = text[:start] + body + "\n\n" + block + ("\n" if following != -1 else "") + text[end:]
    else:
        prefix = text.rstrip("\n") + "\n\n" if text else ""
        text = prefix + SECTION_HEADING + "\n\n" + block
    path.write_text(text, encoding="utf-8")
