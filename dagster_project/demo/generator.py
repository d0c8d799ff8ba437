"""Generate the demo city month by month and stream it into the landing folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from dagster_project.demo import params
from dagster_project.demo.cases import EMPTY_VISITS, build_model, generate_month
from dagster_project.demo.catalogue import build_items, catalogue_snapshot, snapshot_dates
from dagster_project.demo.export import write_frame
from dagster_project.landing.schemas import CASE_LOGS, HALL_TICKETS, SERVICE_ITEMS

GENERATOR_VERSION = "1"
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
    seconds: float = 0.0


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        months.append((max(first, start), min(following - dt.timedelta(days=1), end)))
        first = following
    return months


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
) -> GenerationSummary:
    """Write the three sources of a generated city; deterministic for seed and scale."""
    if scale not in params.SCALES:
        raise ValueError(f"scale must be one of {sorted(params.SCALES)}, got {scale!r}")
    scale_params = replace(
        params.SCALES[scale],
        start=start or params.SCALES[scale].start,
        end=end or params.SCALES[scale].end,
    )
    if scale_params.start > scale_params.end:
        raise ValueError(f"start {scale_params.start} is after end {scale_params.end}")
    began = time.perf_counter()
    summary = GenerationSummary(landing_dir, seed, scale, scale_params.start, scale_params.end)
    for source in (SERVICE_ITEMS, CASE_LOGS, HALL_TICKETS):
        folder = landing_dir / source.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        summary.rows[source.name] = 0
        summary.files[source.name] = 0
    write = {"fmt": fmt, "encoding": encoding, "headers": headers}

    items = build_items(np.random.default_rng([seed, 0]), scale_params)
    snapshots = snapshot_dates(scale_params)
    for number, snapshot in enumerate(snapshots, start=1):
        frame = catalogue_snapshot(items, snapshot)
        write_frame(
            frame,
            SERVICE_ITEMS,
            landing_dir / "service_items" / f"service_items_{snapshot}",
            **write,
        )
        summary.rows["service_items"] += frame.height
        summary.files["service_items"] += 1
        if progress:
            progress("service_items", number, len(snapshots))

    model = build_model(seed, scale_params, items)
    carried = EMPTY_VISITS
    next_case = 0
    months = _months(scale_params.start, scale_params.end)
    for number, (month_start, month_end) in enumerate(months, start=1):
        output = generate_month(model, month_start, month_end, carried, next_case)
        carried = output.carried_visits
        next_case += output.cases.height
        label = f"{month_start:%Y-%m}"
        for source, frame in ((CASE_LOGS, output.cases), (HALL_TICKETS, output.tickets)):
            if frame.height:
                write_frame(
                    frame, source, landing_dir / source.name / f"{source.name}_{label}", **write
                )
                summary.rows[source.name] += frame.height
                summary.files[source.name] += 1
        if progress:
            progress("months", number, len(months))

    summary.seconds = round(time.perf_counter() - began, 2)
    marker = {
        **{k: str(v) if isinstance(v, (Path, dt.date)) else v for k, v in asdict(summary).items()},
        "generator_version": GENERATOR_VERSION,
        "format": fmt,
        "encoding": encoding,
        "headers": headers,
    }
    (landing_dir / "_generation.json").write_text(json.dumps(marker, indent=2, ensure_ascii=False))
    return summary
