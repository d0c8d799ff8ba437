"""The benchmark's data: a generated city (reused when present), split into what the full
build loads and the one day that arrives afterwards.

The split is done on the files, so that the incremental stage is the real daily run: new
files land and the ingestion assets load them (skipping the files loaded before by their
checksum). The last day is the last day of hall traffic (the end of the city's period); its
case versions (by `updated_at`), hall tickets (by `ticket_taken_at`), consultation versions
(by `updated_at`) and hotline calls (by `offered_at`) — and any version updated later, which
a real export of that day would also carry — are cut out of the files that hold them into
one file per source in the `day` folder; every other file (the catalogue, the service
guides: monthly snapshots, not daily) is linked into the landing folder as it is. (The
latest `updated_at` is no good as the last day: at province scale a dozen cases are
completed on the day after the period, and that day alone would be an incremental run of
12 rows.)
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from govwh.demo.generator import GENERATOR_VERSION
from govwh.ingestion.schemas import (
    CASE_LOGS,
    CONSULTATIONS,
    HALL_TICKETS,
    HOTLINE_CALLS,
    SOURCES,
)
from govwh.warehouse.connection import connect

MARKER = "_generation.json"  # written by the generator; also marks the data as the demo's
# the column that dates a row's arrival, per source split off
DAY_COLUMNS = {
    CASE_LOGS.name: "updated_at",
    HALL_TICKETS.name: "ticket_taken_at",
    CONSULTATIONS.name: "updated_at",
    HOTLINE_CALLS.name: "offered_at",
}


def generated(data: Path, scale: str, seed: int) -> bool:
    """A complete Parquet city of this scale and seed, written by this generator version, is
    in `data` (the generator writes its marker last; an older version's city lacks what the
    generator has learnt since, new sources among them, so it is generated again)."""
    marker = data / MARKER
    if not marker.exists():
        return False
    written = json.loads(marker.read_text())
    return (
        written.get("scale") == scale
        and written.get("seed") == seed
        and written.get("format", "parquet") == "parquet"
        and written.get("generator_version") == GENERATOR_VERSION
    )


@dataclass(frozen=True)
class DaySplit:
    last_day: dt.date
    day_rows: dict[str, int]  # rows of the last day, per source
    files_rewritten: int


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(("_", ".")))


def _last_day(files: list[Path], column: str) -> dt.date:
    paths = [str(p) for p in files]
    with connect(":memory:") as connection:
        return connection.execute(
            f"select max(cast({column} as date)) from read_parquet(?)", [paths]
        ).fetchall()[0][0]


def split_last_day(data: Path, landing: Path, day: Path) -> DaySplit:
    """Fill `landing` with the city of `data` less its last day (and anything later), and
    `day` with that day."""
    for folder in (landing, day):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    shutil.copyfile(data / MARKER, landing / MARKER)
    for source in SOURCES:
        if source in DAY_COLUMNS or not (data / source).is_dir():
            continue
        (landing / source).mkdir()
        for path in _parquet_files(data / source):
            (landing / source / path.name).symlink_to(path)

    last_day = _last_day(_parquet_files(data / HALL_TICKETS.name), DAY_COLUMNS[HALL_TICKETS.name])
    day_rows: dict[str, int] = {}
    rewritten = 0
    for source, column in DAY_COLUMNS.items():
        if not (data / source).is_dir():
            continue
        (landing / source).mkdir()
        (day / source).mkdir()
        parts = []
        for path in _parquet_files(data / source):
            frame = pl.scan_parquet(path)
            on_day = pl.col(column).cast(pl.Date) >= last_day
            held = frame.filter(on_day).collect()
            if held.is_empty():
                (landing / source / path.name).symlink_to(path)
                continue
            frame.filter(~on_day).collect().write_parquet(
                landing / source / path.name, compression="zstd", statistics=True
            )
            parts.append(held)
            rewritten += 1
        held_all = pl.concat(parts) if parts else pl.DataFrame()
        day_rows[source] = held_all.height
        if held_all.height:
            held_all.write_parquet(
                day / source / f"{source}_{last_day.isoformat()}_day.parquet",
                compression="zstd",
                statistics=True,
            )
    return DaySplit(last_day=last_day, day_rows=day_rows, files_rewritten=rewritten)


def land_day(day: Path, landing: Path) -> list[Path]:
    """The day's files arrive in the landing folder (copied, as an export would be)."""
    landed = []
    for path in sorted(day.glob("*/*.parquet")):
        target = landing / path.parent.name / path.name
        shutil.copyfile(path, target)
        landed.append(target)
    return landed
