"""Generate the demo city month by month and stream it into the landing folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from govwh.demo.calendar_arrays import day_number
from govwh.demo.cases import (
    build_model,
    expected_case_arrivals,
    finish_cases,
    generate_cases,
)
from govwh.demo.catalogue import build_items, catalogue_snapshot, snapshot_dates
from govwh.demo.city import City
from govwh.demo.consultations import generate_consultations, month_frames
from govwh.demo.export import check_format, write_frame
from govwh.demo.guides import write_guides
from govwh.demo.oracle import expected_hall_tickets
from govwh.demo.params import scale_params
from govwh.demo.tickets import month_tickets
from govwh.ingestion.schemas import (
    CASE_LOGS,
    CONSULTATIONS,
    HALL_TICKETS,
    HOTLINE_CALLS,
    SERVICE_ITEMS,
    SOURCES,
)
from govwh.settings import DEMO_CITY_DIR

# The demo's truth, beside the exports (no source folder: no load reads it): the expected
# cases per day, department and channel group, and hall tickets per day, hall and hour
ORACLE_FOLDER = "_oracle"
ORACLE_CASE_ARRIVALS = "expected_case_arrivals.parquet"
ORACLE_HALL_TICKETS = "expected_hall_tickets.parquet"
GENERATOR_VERSION = "6"  # 4: consultations and hotline calls; 5: service guides; 6: left_at
Progress = Callable[[str, int, int], None]


@dataclass
class GenerationSummary:
    landing_dir: Path
    seed: int
    scale: str
    start: dt.date
    end: dt.date
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    paths: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        months.append((max(first, start), min(following - dt.timedelta(days=1), end)))
        first = following
    return months


def _record(summary: GenerationSummary, source: str, paths: list[Path], rows: int) -> None:
    summary.rows[source] += rows
    summary.files[source] += len(paths)
    summary.paths[source].extend(str(p) for p in paths)


def generate_demo_city(
    landing_dir: Path,
    *,
    seed: int = 42,
    scale: str = "small",
    start: dt.date | None = None,
    end: dt.date | None = None,
    fmt: str = "parquet",
    encoding: str = "utf-8",
    headers: str = "en",
    progress: Progress | None = None,
    city_dir: Path = DEMO_CITY_DIR,
) -> GenerationSummary:
    """Write the sources of a generated city; deterministic for seed and scale."""
    params = scale_params(scale).with_period(start, end)
    if params.start > params.end:
        raise ValueError(f"start {params.start} is after end {params.end}")
    check_format(fmt, encoding, headers, scale)
    began = time.perf_counter()
    landing_dir = Path(landing_dir)
    summary = GenerationSummary(landing_dir, seed, scale, params.start, params.end)
    for source in SOURCES.values():  # every source: the demo city writes them all
        folder = landing_dir / source.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        summary.rows[source.name], summary.files[source.name] = 0, 0
        summary.paths[source.name] = []
    (landing_dir / "_generation.json").unlink(missing_ok=True)
    shutil.rmtree(landing_dir / ORACLE_FOLDER, ignore_errors=True)
    write = {"fmt": fmt, "encoding": encoding, "headers": headers}

    city = City.from_folder(city_dir)
    items = build_items(np.random.default_rng([seed, 0]), params, city)
    snapshots = snapshot_dates(params.start, params.end)
    for number, snapshot in enumerate(snapshots, start=1):
        frame = catalogue_snapshot(items, snapshot)
        paths = write_frame(
            frame,
            SERVICE_ITEMS,
            landing_dir / "service_items" / f"service_items_{snapshot}",
            **write,
        )
        _record(summary, "service_items", paths, frame.height)
        if progress:
            progress("service_items", number, len(snapshots))

    for name, paths, rows in write_guides(items, seed, params, landing_dir, write):
        _record(summary, name, paths, rows)
    if progress:
        progress("service_guides", 1, 1)

    model = build_model(
        seed, params, city, items, np.array([day_number(s) for s in snapshots], dtype=np.int64)
    )
    consultations = generate_consultations(seed, params, city, items)
    carried: pl.DataFrame | None = None
    next_case = 0
    months = _months(params.start, params.end)
    oracle: list[pl.DataFrame] = []
    for number, (month_start, month_end) in enumerate(months, start=1):
        first, last = day_number(month_start), day_number(month_end)
        month = generate_cases(model, first, last, next_case)
        oracle.append(expected_case_arrivals(model, first, last))
        next_case += month.cases.height
        visits = month.visits if carried is None else pl.concat([carried, month.visits])
        carried = visits.filter(pl.col("visit_day") > last)
        tickets, filings = month_tickets(
            model, visits.filter(pl.col("visit_day") <= last), first, last
        )
        filed = pl.DataFrame(
            {"case_number": month.cases["case_number"].to_numpy()[month.filing_case]}
        ).join(filings, on="case_number", how="left", maintain_order="left")
        cases = finish_cases(
            model, month, filed["filing_start"].to_numpy(), filed["filing_end"].to_numpy()
        )
        label = f"{month_start:%Y-%m}"
        orders, calls = month_frames(consultations, month_start, month_end)
        for source, frame in (
            (CASE_LOGS, cases),
            (HALL_TICKETS, tickets),
            (CONSULTATIONS, orders),
            (HOTLINE_CALLS, calls),
        ):
            if frame.height:
                paths = write_frame(
                    frame, source, landing_dir / source.name / f"{source.name}_{label}", **write
                )
                _record(summary, source.name, paths, frame.height)
        if progress:
            progress("months", number, len(months))

    # the truth the arrival forecasts are scored against (bench/bench_oracle.py); outside
    # every source folder, so no load ever reads it
    (landing_dir / ORACLE_FOLDER).mkdir(exist_ok=True)
    pl.concat(oracle).write_parquet(landing_dir / ORACLE_FOLDER / ORACLE_CASE_ARRIVALS)
    expected_hall_tickets(model).write_parquet(landing_dir / ORACLE_FOLDER / ORACLE_HALL_TICKETS)
    summary.seconds = round(time.perf_counter() - began, 2)
    marker = {
        **{
            k: str(v) if isinstance(v, (Path, dt.date)) else v
            for k, v in asdict(summary).items()
            if k != "paths"
        },
        "generator_version": GENERATOR_VERSION,
        "format": fmt,
        "encoding": encoding,
        "headers": headers,
    }
    (landing_dir / "_generation.json").write_text(json.dumps(marker, indent=2, ensure_ascii=False))
    return summary
