"""Write the day's new red/yellow alerts, one file per department and per district, plus summaries.

An alert is reported once per level change: the warehouse keeps a log of what was sent
(ops.supervision_alert_log), so a case that stays yellow is not re-sent every morning, and a
case that turns red is sent again as red. "New" means not reported at this level on an
earlier day (mart_supervision_outbox.is_new), so the outbox of a day can be written again: the
same alerts, the same summaries with their 合计 rows (computed by the warehouse), the same
bytes. Logging is idempotent for the day, and the day's folder is replaced whole:

    <outbox>/<as-of date>/部门/<department>.xlsx     new alerts of each department
    <outbox>/<as-of date>/地区/<district>.xlsx       new alerts of each district (county)
    <outbox>/<as-of date>/汇总_部门.xlsx            summary by department, with 合计
    <outbox>/<as-of date>/汇总_地区.xlsx            summary by district, with 合计
    <outbox>/<as-of date>/咨询投诉/<department>.xlsx  new red/yellow consultation orders
    <outbox>/<as-of date>/办事指南/<department>.xlsx  new gaps of its service guides

The consultation orders past (red) or near (yellow) their reply limit and the gaps of the
service guides are listed the same way (LISTINGS): once per order and level, once per guide
and gap, each with its own sent-log. A city that loads only some sources gets the folders of
those it loads; the day is the case logs' last day, else the consultations' last day.

This module only selects from the marts (models/marts/reports) and writes files.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from xlsxwriter import Workbook

from govwh.warehouse.connection import connect

ALERT_LOG = "ops.supervision_alert_log"
FORMATS = ("csv", "xlsx")
DEPARTMENT_FOLDER = "部门"
DISTRICT_FOLDER = "地区"
DEPARTMENT_SUMMARY = "汇总_部门"
DISTRICT_SUMMARY = "汇总_地区"

# Chinese headers of the alert files, as supervision staff read them.
HEADERS_ZH = {
    "alert_level_zh": "预警级别",
    "case_id": "办件编号",
    "item_name": "事项名称",
    "department_name": "责任部门",
    "district_name": "所属区县",
    "region_name": "办理地区",
    "accepted_at": "受理时间",
    "due_date": "办结期限",
    "working_days_overdue": "超期工作日",
    "working_days_left": "剩余工作日",
    "alert_raised_on": "预警日期",
}

# Headers of the summary files: the unit (合计 on the total row, the last), then the counts.
SUMMARY_UNIT_HEADERS_ZH = {
    "department_name": "责任部门 department",
    "district_name": "所属区县 district",
}
SUMMARY_COUNT_HEADERS_ZH = {
    "red_alerts": "红牌 red",
    "yellow_alerts": "黄牌 yellow",
    "new_alerts": "今日新增 new today",
    "worst_working_days_overdue": "最长超期工作日 worst overdue",
}

# Excel number formats: dates and times are real Excel dates, shown the Chinese way round.
EXCEL_FORMATS = {pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd hh:mm"}
# Widths in characters of what the formats show (a CJK character counts two).
FORMATTED_WIDTHS = {pl.Date: 10, pl.Datetime: 16}
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Listing:
    """A list sent per department, each entry once: the view that marks the entries not sent
    on an earlier day (is_new, in outbox_order, with department_name), the sent-log with the
    columns that identify an entry, and the columns of the files with their Chinese headers."""

    name: str
    folder: str
    view: str
    log: str
    keys: tuple[str, ...]
    headers: dict[str, str]
    sheet: str


CONSULTATION_ALERTS = Listing(
    name="consultation_alerts",
    folder="咨询投诉",
    view="marts.mart_consultation_outbox",
    log="ops.consultation_alert_log",
    keys=("order_id", "alert_level"),
    headers={
        "alert_level_zh": "预警级别",
        "order_id": "工单编号",
        "kind_zh": "诉求类型",
        "channel_zh": "来源渠道",
        "department_name": "承办部门",
        "received_at": "受理时间",
        "reply_due_at": "答复期限",
        "working_days_used": "已用工作日",
        "limit_working_days": "答复时限（工作日）",
    },
    sheet="工单预警",
)
GUIDE_GAPS = Listing(
    name="guide_gaps",
    folder="办事指南",
    view="marts.mart_guide_gap_outbox",
    log="ops.guide_gap_log",
    keys=("item_code", "gap_code"),
    headers={
        "item_code": "实施编码",
        "item_name": "事项名称",
        "department_name": "责任部门",
        "gap_label_zh": "问题",
        "detail": "说明",
        "guide_version": "指南版本",
    },
    sheet="指南问题清单",
)
LISTINGS = (CONSULTATION_ALERTS, GUIDE_GAPS)


class OutboxError(RuntimeError):
    """The outbox cannot be written from this warehouse (the message says why)."""


@dataclass(frozen=True)
class OutboxResult:
    as_of_date: dt.date
    folder: Path
    department_files: list[Path]
    district_files: list[Path]
    summary_file: Path
    district_summary_file: Path
    alerts_total: int
    alerts_new: int
    # per listing (LISTINGS, by name): the department files written and the entries new today
    listing_files: dict[str, list[Path]] = field(default_factory=dict)
    listing_new: dict[str, int] = field(default_factory=dict)


def safe_file_name(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_") or "unknown"


def _ensure_log(connection: duckdb.DuckDBPyConnection, log: str, keys: tuple[str, ...]) -> None:
    """The sent-log (dbt's on-run-start creates it too, for the views that read it)."""
    connection.execute("create schema if not exists ops")
    columns = ", ".join(f"{key} varchar not null" for key in keys)
    connection.execute(
        f"create table if not exists {log} ({columns}, reported_on date not null, "
        f"primary key ({', '.join(keys)}))"
    )


def _log_sent(connection: duckdb.DuckDBPyConnection, log: str, sent: pl.DataFrame) -> None:
    """Log the entries sent (their keys and the day they were reported on, the as-of day of
    the list they came from); an entry logged on an earlier run keeps its first day."""
    if sent.height == 0:
        return
    connection.register("sent_entries", sent)
    connection.execute(f"insert into {log} select * from sent_entries on conflict do nothing")
    connection.unregister("sent_entries")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Column widths in pixels: the widest header or value as shown, CJK counted double."""
    widths: dict[str, int] = {}
    for name, dtype in frame.schema.items():
        shown = FORMATTED_WIDTHS.get(dtype.base_type())
        if shown is None:
            values = frame[name].drop_nulls().cast(pl.String)
            shown = max((_display_width(v) for v in values), default=0)
        characters = min(max(shown, _display_width(name)) + 2, MAX_COLUMN_WIDTH)
        widths[name] = characters * 7 + 5  # Excel's pixels of a character width
    return widths


def _write(
    frame: pl.DataFrame,
    path_without_suffix: Path,
    file_format: str,
    as_of: dt.date,
    *,
    sheet: str = "预警清单",
) -> Path:
    path = path_without_suffix.with_suffix(f".{file_format}")
    if file_format == "csv":
        readable = frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M"))
        # BOM so that Excel on a Chinese Windows desktop opens the UTF-8 file correctly
        path.write_bytes(b"\xef\xbb\xbf" + readable.write_csv().encode("utf-8"))
        return path
    workbook = Workbook(path)
    # xlsxwriter stamps the file with the time it is written: the as-of day instead, so
    # that writing the day again gives the same bytes
    created = dt.datetime.combine(as_of, dt.time())
    workbook.set_properties({"created": created})
    frame.write_excel(
        workbook,
        worksheet=sheet,
        table_name="outbox",
        dtype_formats=EXCEL_FORMATS,
        column_widths=column_widths(frame),
        autofilter=True,
        freeze_panes=(1, 0),
    )
    workbook.close()
    return path


def _write_groups(
    new_alerts: pl.DataFrame,
    order_column: str,
    unit_column: str,
    folder: Path,
    file_format: str,
    as_of: dt.date,
    *,
    headers: dict[str, str] = HEADERS_ZH,
    sheet: str = "预警清单",
) -> list[Path]:
    columns = [c for c in headers if c in new_alerts.columns]
    folder.mkdir()
    ordered = new_alerts.sort(order_column)
    return [
        _write(
            group.select(columns).rename({c: headers[c] for c in columns}),
            folder / safe_file_name(str(name)),
            file_format,
            as_of,
            sheet=sheet,
        )
        for (name,), group in ordered.group_by(unit_column, maintain_order=True)
    ]


def _write_listing(
    connection: duckdb.DuckDBPyConnection,
    listing: Listing,
    folder: Path,
    file_format: str,
    as_of: dt.date,
) -> tuple[list[Path], int]:
    """The listing's new entries, one file per department, logged as sent today."""
    _ensure_log(connection, listing.log, listing.keys)
    new = connection.sql(f"select * from {listing.view} where is_new order by outbox_order").pl()
    if new.height == 0:
        return [], 0
    files = _write_groups(
        new,
        "outbox_order",
        "department_name",
        folder / listing.folder,
        file_format,
        as_of,
        headers=listing.headers,
        sheet=listing.sheet,
    )
    # dated by the list's own as-of day (the consultations' last day may differ from the
    # outbox's), which its view compares the sent-log with
    _log_sent(connection, listing.log, new.select(*listing.keys, "as_of_date"))
    return files, new.height


def _summary(connection: duckdb.DuckDBPyConnection, mart: str, unit_column: str) -> pl.DataFrame:
    headers = {unit_column: SUMMARY_UNIT_HEADERS_ZH[unit_column], **SUMMARY_COUNT_HEADERS_ZH}
    summary = connection.sql(f"select * from marts.{mart} order by summary_rank").pl()
    return summary.select(list(headers)).rename(headers)


def _replace_folder(written: Path, folder: Path) -> None:
    """Put the freshly written folder in place of the day's folder of an earlier run."""
    stale = folder.with_name(f".{folder.name}.stale")
    if stale.exists():
        shutil.rmtree(stale)
    if folder.exists():
        folder.rename(stale)
    written.rename(folder)
    if stale.exists():
        shutil.rmtree(stale)


def _outbox_day(connection: duckdb.DuckDBPyConnection, warehouse_path: Path) -> dt.date:
    """The day the outbox reports on: the case logs' last day, else the consultations'."""
    days = dict(
        connection.sql(
            "select source_name, last_data_date from marts.mart_data_freshness "
            "where source_name in ('case_logs', 'consultations')"
        ).fetchall()
    )
    day = days.get("case_logs") or days.get("consultations")
    if day is None:
        # alerts are about cases and consultation orders: without either, no day to report on
        raise OutboxError(
            f"{warehouse_path}: no case logs or consultations are loaded "
            "(marts.mart_data_freshness has no day for either), so there are no alerts to "
            "report; load them and build first"
        )
    return day


def write_alert_outbox(
    warehouse_path: Path, outbox_dir: Path, *, file_format: str = "xlsx"
) -> OutboxResult:
    """Report the day's new alerts (new case or changed level) per department and district."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {file_format!r}")
    with connect(warehouse_path) as connection:
        _ensure_log(connection, ALERT_LOG, ("case_id", "alert_level"))
        # today's alerts with is_new (not reported at this level on an earlier day) and the
        # summaries with their totals: all computed by the warehouse, read as they stand
        alerts = connection.sql(
            "select * from marts.mart_supervision_outbox order by outbox_order"
        ).pl()
        as_of = _outbox_day(connection, warehouse_path)
        new_alerts = alerts.filter(pl.col("is_new"))
        department_summary = _summary(
            connection, "mart_supervision_outbox_summary", "department_name"
        )
        district_summary = _summary(
            connection, "mart_supervision_outbox_district_summary", "district_name"
        )

        # the whole day's folder is written aside, then put in place of an earlier run's
        outbox_dir.mkdir(parents=True, exist_ok=True)
        folder = outbox_dir / str(as_of)
        writing = outbox_dir / f".{as_of}.writing"
        if writing.exists():
            shutil.rmtree(writing)
        writing.mkdir()
        department_files = _write_groups(
            new_alerts,
            "outbox_order",
            "department_name",
            writing / DEPARTMENT_FOLDER,
            file_format,
            as_of,
        )
        district_files = _write_groups(
            new_alerts,
            "district_outbox_order",
            "district_name",
            writing / DISTRICT_FOLDER,
            file_format,
            as_of,
        )
        summary_file = _write(
            department_summary, writing / DEPARTMENT_SUMMARY, file_format, as_of, sheet="汇总"
        )
        district_summary_file = _write(
            district_summary, writing / DISTRICT_SUMMARY, file_format, as_of, sheet="汇总"
        )
        listings = {
            listing.name: _write_listing(connection, listing, writing, file_format, as_of)
            for listing in LISTINGS
        }

        # logged as reported today; a rerun of the day finds them logged already
        _log_sent(
            connection,
            ALERT_LOG,
            new_alerts.select("case_id", "alert_level", pl.lit(as_of).alias("reported_on")),
        )
    _replace_folder(writing, folder)

    def moved(path: Path) -> Path:
        return folder / path.relative_to(writing)

    return OutboxResult(
        as_of_date=as_of,
        folder=folder,
        department_files=[moved(p) for p in department_files],
        district_files=[moved(p) for p in district_files],
        summary_file=moved(summary_file),
        district_summary_file=moved(district_summary_file),
        alerts_total=alerts.height,
        alerts_new=new_alerts.height,
        listing_files={name: [moved(p) for p in files] for name, (files, _) in listings.items()},
        listing_new={name: new for name, (_, new) in listings.items()},
    )
