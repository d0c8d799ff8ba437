"""Write the public release from marts.mart_public_release: per period a CSV (UTF-8 with BOM,
as Excel opens it) and a JSON file, the schemas that describe them (datapackage.json with a
Frictionless Table Schema, kpi.schema.json a JSON Schema) and an offline Chinese page
(index.html). Every figure, the small-cell suppression included, comes from the mart: this
module selects and lays out, it computes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import jinja2
import polars as pl

from govwh.reports.publication.fields import FIELD_NAMES, table_schema
from govwh.reports.publication.fields import json_schema as kpi_json_schema
from govwh.warehouse.connection import connect

SHANGHAI = ZoneInfo("Asia/Shanghai")
RELEASE_MART = "marts.mart_public_release"
TITLE = "互联网+政务服务 主要指标公开"
SCHEMA_FILE = "kpi.schema.json"
PACKAGE_FILE = "datapackage.json"
PAGE_FILE = "index.html"
# columns the page lays the figures out by (not published in the data files)
LAYOUT_COLUMNS = ("display_format", "display_order", "scope_type_order")
GRAIN_ZH = {"month": "月度", "week": "周度"}
SCOPE_ZH = {"city": "全市", "county": "各县(市、区)", "department": "各部门"}


class ReleaseNotAvailableError(RuntimeError):
    """The month asked for is not a complete month of the warehouse (or nothing is)."""


@dataclass(frozen=True)
class PeriodFiles:
    grain: str
    label: str
    csv_path: Path
    json_path: Path
    records: int
    suppressed: int


@dataclass(frozen=True)
class PublicRelease:
    folder: Path
    data_as_of: dt.date
    min_cell_size: int
    periods: list[PeriodFiles]
    package_path: Path
    schema_path: Path
    page_path: Path

    @property
    def files(self) -> list[Path]:
        tables = [path for period in self.periods for path in (period.csv_path, period.json_path)]
        return [*tables, self.package_path, self.schema_path, self.page_path]


def parse_month(text: str) -> dt.date:
    """'2019-06' → 2019-06-01; a clear error for anything else."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError as error:
        raise ValueError(f"month must look like 2019-06, got {text!r}") from error


def read_release(connection: duckdb.DuckDBPyConnection, month: dt.date | None) -> pl.DataFrame:
    """The rows of one release: the latest complete month and ISO week, or month `month` with
    the last complete ISO week that ended by the month's last day."""
    columns = ", ".join([*FIELD_NAMES, *LAYOUT_COLUMNS])
    order = "order by period_grain, scope_type_order, scope_code, display_order"
    if month is None:
        sql = f"select {columns} from {RELEASE_MART} where is_latest {order}"
        params: list[Any] = []
    else:
        sql = f"""
            select {columns} from {RELEASE_MART}
            where (period_grain = 'month' and period_start = $1)
                or (period_grain = 'week' and period_start = (
                    select max(weeks.period_start) from {RELEASE_MART} as weeks
                    where weeks.period_grain = 'week' and weeks.period_end <= (
                        select max(months.period_end) from {RELEASE_MART} as months
                        where months.period_grain = 'month' and months.period_start = $1
                    )
                ))
            {order}
        """
        params = [month]
    rows = connection.sql(sql, params=params).pl()
    if rows.filter(pl.col("period_grain") == "month").height == 0:
        latest = connection.execute(
            f"select max(period_label) from {RELEASE_MART} where period_grain = 'month'"
        ).fetchone()
        available = latest[0] if latest else None
        if month is None or available is None:
            raise ReleaseNotAvailableError(
                "the warehouse has no complete month yet: nothing to publish"
            )
        raise ReleaseNotAvailableError(
            f"{month:%Y-%m} is not a complete month of the warehouse "
            f"(the latest complete month is {available})"
        )
    return rows


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _suppression_note(min_cell_size: int) -> str:
    return (
        f"为保护个人信息，分母（事项、办件、评价或取号数）少于{min_cell_size}的数据不予公开，"
        "表中以“*”标示；“—”表示本期无数据。"
        f" Figures over fewer than {min_cell_size} items, cases, ratings or tickets are withheld."
    )


def _write_period(
    rows: pl.DataFrame, folder: Path, published_at: dt.datetime, min_cell_size: int
) -> PeriodFiles:
    first = rows.row(0, named=True)
    label, grain = first["period_label"], first["period_grain"]
    csv_path = folder / f"kpi_{label}.csv"
    json_path = folder / f"kpi_{label}.json"
    published = rows.select(FIELD_NAMES)
    published.write_csv(csv_path, include_bom=True, null_value="", date_format="%Y-%m-%d")
    document = {
        "title": f"{TITLE} {label}",
        "period_grain": grain,
        "period_label": label,
        "data_as_of": _plain(first["data_as_of"]),
        "published_at": published_at.isoformat(timespec="seconds"),
        "min_cell_size": min_cell_size,
        "suppression_note": _suppression_note(min_cell_size),
        "records": [
            {name: _plain(value) for name, value in record.items()}
            for record in published.to_dicts()
        ],
    }
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return PeriodFiles(
        grain, label, csv_path, json_path, rows.height, int(rows["is_suppressed"].sum())
    )


def _data_package(periods: list[PeriodFiles], published_at: dt.datetime) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": "govwh-public-kpi",
        "title": TITLE,
        "description": "Headline metrics of the Internet + government services reform for the "
        "city, its counties and districts and its departments; figures over small numbers "
        "withheld. JSON files: see kpi.schema.json.",
        "created": published_at.isoformat(timespec="seconds"),
        "resources": [
            {
                "name": f"kpi-{period.label.lower()}",
                "title": f"{TITLE} {period.label}",
                "profile": "tabular-data-resource",
                "path": period.csv_path.name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": table_schema(),
            }
            for period in periods
        ],
    }


def _format_value(value: float, display_format: str) -> str:
    if display_format.endswith("%"):
        decimals = display_format.lstrip(",.").rstrip("%") or "1"
        return f"{value:.{int(decimals)}%}"
    return f"{value:,.3f}"


def _tables(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Per scope type, one table: a row per scope, a column per metric (layout only)."""
    metrics = (
        rows.select("metric_code", "metric_name_zh", "display_format", "display_order")
        .unique()
        .sort("display_order")
        .to_dicts()
    )
    tables = []
    for scope_type, label in SCOPE_ZH.items():
        scoped = rows.filter(pl.col("scope_type") == scope_type)
        if scoped.height == 0:
            continue
        columns = [m for m in metrics if m["metric_code"] in set(scoped["metric_code"])]
        cells: dict[tuple[str, str], dict[str, Any]] = {
            (row["scope_code"], row["metric_code"]): row for row in scoped.to_dicts()
        }
        body = []
        for scope_code, scope_name in (
            scoped.select("scope_code", "scope_name").unique(maintain_order=True).iter_rows()
        ):
            line = []
            for metric in columns:
                cell = cells.get((scope_code, metric["metric_code"]))
                if cell is None:
                    line.append({"text": "", "note": ""})
                elif cell["is_suppressed"]:
                    mark = "—" if cell["suppression_reason"] == "no_data" else "*"
                    line.append({"text": mark, "note": cell["suppression_reason_zh"] or ""})
                else:
                    line.append(
                        {
                            "text": _format_value(cell["value"], metric["display_format"]),
                            "note": f"{cell['numerator']:,.0f} / {cell['denominator']:,.0f}",
                        }
                    )
            body.append({"name": scope_name, "code": scope_code, "cells": line})
        tables.append({"title": label, "metrics": columns, "rows": body})
    return tables


def render_page(
    rows: pl.DataFrame, periods: list[PeriodFiles], published_at: dt.datetime, min_cell_size: int
) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    sections = [
        {
            "grain": GRAIN_ZH[period.grain],
            "label": period.label,
            "period_start": rows.filter(pl.col("period_label") == period.label)["period_start"][0],
            "period_end": rows.filter(pl.col("period_label") == period.label)["period_end"][0],
            "csv": period.csv_path.name,
            "json": period.json_path.name,
            "tables": _tables(rows.filter(pl.col("period_label") == period.label)),
        }
        for period in periods
    ]
    return environment.get_template("page.html.j2").render(
        title=TITLE,
        data_as_of=rows["data_as_of"][0],
        published_at=published_at.strftime("%Y-%m-%d %H:%M"),
        min_cell_size=min_cell_size,
        suppression_note=_suppression_note(min_cell_size),
        sections=sections,
        package_file=PACKAGE_FILE,
        schema_file=SCHEMA_FILE,
    )


def write_public_release(
    warehouse_path: Path,
    out_dir: Path,
    *,
    month: dt.date | None = None,
    now: dt.datetime | None = None,
) -> PublicRelease:
    """Write the release (the latest complete month and ISO week, or `month`) into out_dir:
    kpi_<period>.csv and .json per period, datapackage.json, kpi.schema.json, index.html.
    Files of earlier periods already in out_dir stay (the archive); the index, the package and
    the schema describe this release."""
    with connect(warehouse_path, read_only=True) as connection:
        rows = read_release(connection, month)
    published_at = (now or dt.datetime.now(SHANGHAI)).replace(microsecond=0)
    min_cell_size = int(rows["min_cell_size"][0])
    out_dir.mkdir(parents=True, exist_ok=True)
    periods = [
        _write_period(
            rows.filter(pl.col("period_grain") == grain), out_dir, published_at, min_cell_size
        )
        for grain in ("month", "week")
        if rows.filter(pl.col("period_grain") == grain).height
    ]
    package_path = out_dir / PACKAGE_FILE
    package = _data_package(periods, published_at)
    package_path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    schema_path = out_dir / SCHEMA_FILE
    schema = kpi_json_schema(min_cell_size)
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=1), encoding="utf-8")
    page_path = out_dir / PAGE_FILE
    page_path.write_text(render_page(rows, periods, published_at, min_cell_size), encoding="utf-8")
    return PublicRelease(
        folder=out_dir,
        data_as_of=rows["data_as_of"][0],
        min_cell_size=min_cell_size,
        periods=periods,
        package_path=package_path,
        schema_path=schema_path,
        page_path=page_path,
    )
