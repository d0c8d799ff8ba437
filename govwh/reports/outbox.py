"""Write the day's red/yellow alert lists, one file per department plus a summary.

An alert is reported once per level change: the warehouse keeps a log of what was sent
(ops.supervision_alert_log), so a case that stays yellow is not re-sent every morning, and a
case that turns red is sent again as red.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from govwh.warehouse.connection import connect

ALERT_LOG = "ops.supervision_alert_log"
FORMATS = ("csv", "xlsx")

# Chinese headers of the outbox files, as supervision staff read them.
HEADERS_ZH = {
    "alert_level_zh": "预警级别",
    "case_id": "办件编号",
    "item_name": "事项名称",
    "department_name": "责任部门",
    "region_name": "办理地区",
    "accepted_at": "受理时间",
    "due_date": "办结期限",
    "working_days_overdue": "超期工作日",
    "working_days_left": "剩余工作日",
    "alert_raised_on": "预警日期",
}


@dataclass(frozen=True)
class OutboxResult:
    as_of_date: dt.date
    folder: Path
    department_files: list[Path]
    summary_file: Path
    alerts_total: int
    alerts_new: int


def _safe_file_name(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_") or "unknown"


def _ensure_log(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists ops")
    connection.execute(
        f"""
        create table if not exists {ALERT_LOG} (
            case_id varchar not null,
            alert_level varchar not null,
            reported_on date not null,
            primary key (case_id, alert_level)
        )
        """
    )


def _write(frame: pl.DataFrame, path_without_suffix: Path, file_format: str) -> Path:
    readable = frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M"))
    renamed = readable.rename({k: v for k, v in HEADERS_ZH.items() if k in frame.columns})
    path = path_without_suffix.with_suffix(f".{file_format}")
    if file_format == "csv":
        # BOM so that Excel on a Chinese Windows desktop opens the UTF-8 file correctly
        path.write_bytes(b"\xef\xbb\xbf" + renamed.write_csv().encode("utf-8"))
    else:
        renamed.write_excel(path, worksheet="预警清单", autofit=True)
    return path


def write_alert_outbox(
    warehouse_path: Path, outbox_dir: Path, *, file_format: str = "xlsx"
) -> OutboxResult:
    """Report today's new alerts (new case or changed level) per department; log them."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {file_format!r}")
    with connect(warehouse_path) as connection:
        _ensure_log(connection)
        # today's alerts with is_new (not reported at this level on an earlier day) and the
        # per-department summary: computed by the warehouse (models/marts/reports), read as
        # they stand
        alerts = connection.sql(
            "select * from marts.mart_supervision_outbox order by outbox_order"
        ).pl()
        (as_of,) = connection.sql(
            "select last_data_date from marts.mart_data_freshness where source_name = 'case_logs'"
        ).fetchall()[0]
        new_alerts = alerts.filter(pl.col("is_new"))

        folder = outbox_dir / str(as_of)
        folder.mkdir(parents=True, exist_ok=True)
        columns = [c for c in HEADERS_ZH if c in alerts.columns]
        department_files = [
            _write(group.select(columns), folder / _safe_file_name(str(name)), file_format)
            for (name,), group in new_alerts.group_by("department_name", maintain_order=True)
        ]
        summary = connection.sql(
            """
            select department_name as "责任部门 department", red_alerts as "红牌 red",
                   yellow_alerts as "黄牌 yellow", new_alerts as "今日新增 new today",
                   worst_working_days_overdue as "最长超期工作日 worst overdue"
            from marts.mart_supervision_outbox_summary
            order by summary_rank
            """
        ).pl()
        summary_file = _write(summary, folder / "summary_汇总", file_format)

        if new_alerts.height:
            connection.register("new_alerts", new_alerts.select("case_id", "alert_level"))
            connection.execute(
                # a rerun of the day finds its alerts logged already: still new, not logged twice
                f"insert into {ALERT_LOG} select case_id, alert_level, ? from new_alerts "
                "on conflict do nothing",
                [as_of],
            )
            connection.unregister("new_alerts")
    return OutboxResult(
        as_of_date=as_of,
        folder=folder,
        department_files=department_files,
        summary_file=summary_file,
        alerts_total=alerts.height,
        alerts_new=new_alerts.height,
    )
