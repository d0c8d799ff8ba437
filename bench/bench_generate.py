"""Benchmark the demo city generator: wall time and peak RSS per scale.

Each scale runs in its own subprocess (``os.wait4`` returns that child's resource usage, the
per-child form of ``resource.getrusage(RUSAGE_CHILDREN)``); the child's RSS is also sampled
every half second from /proc to show whether memory stays flat while months stream to disk.
Prints a markdown table.

    .venv/bin/python bench/bench_generate.py [tiny small city province] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHILD = (
    "import sys; from pathlib import Path; "
    "from govwh.demo import generate_demo_city; "
    "generate_demo_city(Path(sys.argv[1]), seed=int(sys.argv[2]), scale=sys.argv[3])"
)


@dataclass(frozen=True)
class Result:
    scale: str
    seconds: float
    peak_rss_mb: float
    rss_late_mb: tuple[float, float]  # min / max RSS over the second half of the run
    rows: dict[str, int]
    files: dict[str, int]
    megabytes_on_disk: float


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def run_scale(scale: str, seed: int) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"bench_{scale}_") as folder:
        began = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, folder, str(seed), scale], cwd=REPO)
        samples: list[tuple[float, float]] = []
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            rss = _rss_mb(child.pid)
            if rss is not None:
                samples.append((time.perf_counter() - began, rss))
            time.sleep(0.5)
        seconds = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"generation failed for scale {scale}")
        marker = json.loads((Path(folder) / "_generation.json").read_text())
        late = [rss for at, rss in samples if at >= seconds / 2] or [0.0]
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
        return Result(
            scale=scale,
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            rss_late_mb=(min(late), max(late)),
            rows=marker["rows"],
            files=marker["files"],
            megabytes_on_disk=size / 2**20,
        )


def markdown(results: list[Result]) -> str:
    lines = [
        "| scale | wall time | peak RSS | RSS, 2nd half (min–max) | service_items rows | "
        "case_logs rows | hall_tickets rows | files | Parquet on disk |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.scale} | {r.seconds:.1f} s | {r.peak_rss_mb:,.0f} MB | "
            f"{r.rss_late_mb[0]:,.0f}–{r.rss_late_mb[1]:,.0f} MB | "
            f"{r.rows['service_items']:,} | {r.rows['case_logs']:,} | "
            f"{r.rows['hall_tickets']:,} | {sum(r.files.values())} | "
            f"{r.megabytes_on_disk:,.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", default=["tiny", "small", "city"])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    results = [run_scale(scale, args.seed) for scale in args.scales]
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, seed {args.seed}")
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()
