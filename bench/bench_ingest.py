"""Ingestion throughput: rows per second loading the demo city's case logs.

    .venv/bin/python bench/bench_ingest.py --scale city --formats parquet csv --repeat 3

Generates the city (once per format, in a scratch folder, or reused from --landing), loads
the catalogue (so that the item-code check runs) and then times loading every case-log file
into a fresh warehouse with the real loader: checksums, DuckDB's readers, mapping, typing,
validation, HMAC of the three identifier columns, duplicate, re-delivery and catalogue
checks, quarantine, manifest, batches of files per transaction. Each run uses a new
warehouse; prints every run (wall seconds, the process's CPU seconds, the load average
while it ran: the machine is shared) and the best and median rows/s per format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from govwh.demo import generate_demo_city
from govwh.ingestion.loader import landing_files, load_files
from govwh.ingestion.pseudonymise import PseudonymisationKey
from govwh.ingestion.schemas import CASE_LOGS, SERVICE_ITEMS
from govwh.warehouse.connection import connect


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_format(root: Path, scale: str, fmt: str, keep: Path | None, run: int) -> dict[str, float]:
    landing = (keep / fmt) if keep else root / f"landing_{fmt}"
    if not (landing / "_generation.json").exists():
        generate_demo_city(landing, scale=scale, fmt=fmt)
    key = PseudonymisationKey.from_secret("bench")
    database = root / f"bench_{fmt}_{run}.duckdb"
    with connect(database) as connection:
        load_files(connection, SERVICE_ITEMS, landing_files(landing, SERVICE_ITEMS), key)
        files = landing_files(landing, CASE_LOGS)
        began, cpu = time.perf_counter(), _cpu_seconds()
        result = load_files(connection, CASE_LOGS, files, key)
        seconds, cpu = time.perf_counter() - began, _cpu_seconds() - cpu
    database.unlink()
    rows = result.total("rows_loaded")
    assert result.total("rows_read") == rows + result.total("rows_rejected")
    size = sum(f.stat().st_size for f in files)
    return {
        "files": len(files),
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "load": os.getloadavg()[0],
        "mb": size / 1e6,
        "rejected": result.total("rows_rejected"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city")
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--landing", type=Path, help="keep generated cities here (reused)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per format")
    args = parser.parse_args()
    machine = f"{platform.machine()} {os.cpu_count()} cores, duckdb {duckdb.__version__}"
    print(f"{dt.date.today()} {machine}")
    with tempfile.TemporaryDirectory(prefix="govwh-bench-") as scratch:
        for fmt in args.formats:
            rates = []
            for run in range(args.repeat):
                r = bench_format(Path(scratch), args.scale, fmt, args.landing, run)
                rates.append(r["rows"] / r["seconds"])
                print(
                    f"{fmt:8} {r['files']:3.0f} files {r['mb']:8.0f} MB {r['rows']:>12,.0f} rows "
                    f"{r['seconds']:7.1f} s (cpu {r['cpu']:6.1f} s, load {r['load']:4.1f}) "
                    f"{rates[-1]:>12,.0f} rows/s (rejected {r['rejected']:.0f})",
                    flush=True,
                )
            print(f"{fmt:8} best {max(rates):,.0f} rows/s, median {statistics.median(rates):,.0f}")
            shutil.rmtree(Path(scratch) / f"landing_{fmt}", ignore_errors=True)


if __name__ == "__main__":
    main()
