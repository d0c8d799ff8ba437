"""排班表: one XLSX per hall for its manager, from the forecast's rosters.

Read from the serving copy (what the dashboards show): sheet 排班 lists each working day's
shifts with their hours, break and headcount; sheet 覆盖 is the day × hour grid of staff
needed by the plan and staff the roster has on duty. The files carry the roster's first day as
their creation time, so writing the same roster again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from xlsxwriter import Workbook

from forecasting.warehouse import forecast_tables
from govwh.reports.outbox import column_widths, safe_file_name
from govwh.warehouse.connection import connect

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class RosterError(ValueError):
    """The warehouse has no roster to export (no forecast run, or no hall tickets)."""


@dataclass(frozen=True)
class RosterExport:
    files: list[Path]
    days: int
    first_day: dt.date
    last_day: dt.date


def _read(warehouse: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    with connect(warehouse, read_only=True) as connection:
        if not {"rosters", "roster_coverage"} <= forecast_tables(connection):
            raise RosterError(
                f"no roster in {warehouse}: run `govwh forecast` (rosters need hall tickets)"
            )
        shifts = connection.sql("select * from forecast.rosters order by all").pl()
        coverage = connection.sql("select * from forecast.roster_coverage order by all").pl()
        halls = connection.sql("select hall_code, hall_name from marts.dim_hall").pl()
    return shifts, coverage, halls


def _shift_sheet(shifts: pl.DataFrame) -> pl.DataFrame:
    weekday = (
        pl.col("date")
        .dt.weekday()
        .map_elements(lambda day: WEEKDAYS_ZH[day - 1], return_dtype=pl.String)
    )
    return shifts.select(
        pl.col("date").alias("日期"),
        weekday.alias("星期"),
        pl.col("shift").alias("班次"),
        pl.col("start_time").alias("上班"),
        pl.col("end_time").alias("下班"),
        pl.concat_str("break_start", pl.lit("–"), "break_end").fill_null("无").alias("午休"),
        pl.col("staff").alias("人数"),
        pl.col("paid_hours").alias("工时"),
    )


def _coverage_sheet(coverage: pl.DataFrame) -> pl.DataFrame:
    """One row per day; per hour `HH时 需/排` = staff needed / staff on duty."""
    cell = pl.format("{}/{}", "staff_needed", "staff_rostered")
    grid = coverage.with_columns(
        pl.format("{}时 需/排", pl.col("hour").cast(pl.String).str.zfill(2)).alias("hour_label"),
        cell.alias("cell"),
    ).pivot(on="hour_label", index="date", values="cell", sort_columns=True)
    return grid.rename({"date": "日期"}).sort("日期")


def write_rosters(warehouse: Path, folder: Path) -> RosterExport:
    """Write `<folder>/排班_<hall name>_<first day>.xlsx` for every hall with a roster."""
    shifts, coverage, halls = _read(warehouse)
    if shifts.is_empty():
        raise RosterError(f"the roster in {warehouse} is empty: no working day in the plan")
    names = dict(halls.iter_rows())
    folder.mkdir(parents=True, exist_ok=True)
    first, last = shifts["date"].min(), shifts["date"].max()
    files = []
    for (hall,), hall_shifts in shifts.group_by("hall_code", maintain_order=True):
        name = safe_file_name(f"{names.get(hall) or hall}_{hall}")
        path = folder / f"排班_{name}_{first:%Y%m%d}.xlsx"
        workbook = Workbook(path)
        workbook.set_properties({"created": dt.datetime.combine(first, dt.time())})
        for sheet, frame in (
            ("排班", _shift_sheet(hall_shifts)),
            ("覆盖", _coverage_sheet(coverage.filter(pl.col("hall_code") == hall))),
        ):
            frame.write_excel(
                workbook,
                worksheet=sheet,
                column_widths=column_widths(frame),
                dtype_formats={pl.Date: "yyyy-mm-dd"},
                freeze_panes=(1, 1),
            )
        workbook.close()
        files.append(path)
    return RosterExport(files, shifts["date"].n_unique(), first, last)
