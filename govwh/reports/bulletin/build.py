"""Build the weekly bulletin: read the marts, render HTML with inline charts, print a PDF."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import polars as pl

from govwh.reports.bulletin.charts import ranking_chart, trend_chart
from govwh.reports.bulletin.data import RANKED, BulletinData, read_bulletin_data
from govwh.reports.bulletin.pdf import print_to_pdf
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.warehouse.connection import connect

SHANGHAI = ZoneInfo("Asia/Shanghai")


class StaleDataError(RuntimeError):
    """The warehouse does not cover the week yet: no bulletin is built on stale data."""


@dataclass(frozen=True)
class BulletinResult:
    week: IsoWeek
    html_path: Path
    pdf_path: Path | None
    data: BulletinData


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _points(points: float | None) -> str:
    return "—" if points is None else f"{points:+.1f} pt"


def _score(value: float | None) -> str:
    """The composite score (0–1 in the marts) on the 百分制 scale the dashboards use too."""
    return "—" if value is None else f"{value * 100:.1f}"


def _count(value: float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def _rank_change(value: int | None) -> str:
    if value is None:
        return "新 new"
    return "→" if value == 0 else (f"↑{value}" if value > 0 else f"↓{-value}")


def _headline_rows(headline: pl.DataFrame) -> list[dict]:
    rows = []
    for row in headline.iter_rows(named=True):
        value, target, change = row["value"], row["target_value"], row["change_points"]
        better = 1 if row["higher_is_better"] else -1
        row["change_class"] = "" if not change else ("up" if change * better > 0 else "down")
        met = None if value is None or target is None else (value - target) * better >= 0
        row["target_class"] = "" if met is None else ("status-met" if met else "status-miss")
        rows.append(row)
    return rows


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(
        pct=_pct, points=_points, score=_score, count=_count, rank_change=_rank_change
    )
    return environment


def _summary(data: BulletinData, environment: jinja2.Environment) -> str:
    """The opening paragraph from summary.zh.j2 (or the city's own copy of it): the week's
    numbers as the marts give them, worded by the template."""
    headline = _headline_rows(data.headline)
    template = environment.get_template("summary.zh.j2")
    if data.city.summary_template is not None:
        template = environment.from_string(data.city.summary_template)
    last = data.department_ranking.tail(1).to_dicts()
    last_district = data.district_ranking.tail(1).to_dicts()
    # the template's line breaks are for its editor: Chinese prose runs on without spaces
    return re.sub(
        r"\s*\n\s*",
        "",
        template.render(
            city=data.city.name,
            week=data.week,
            headline=headline,
            improved=[m for m in headline if m["change_class"] == "up"],
            fell=[m for m in headline if m["change_class"] == "down"],
            last_department=last[0] if last else None,
            last_district=last_district[0] if last_district else None,
            overdue_total=int(data.overdue_by_department["overdue_cases"].sum()),
            yellow_total=int(data.overdue_by_district["yellow_cases"].sum()),
            bad_reviews=data.bad_reviews.row(0, named=True) if data.bad_reviews.height else None,
        ),
    ).strip()


SOURCE_NAMES_ZH = {
    "hall_tickets": "排队叫号",
    "service_items": "事项目录",
    "consultations": "咨询投诉",
    "hotline_calls": "热线话务",
    "service_guides": "办事指南",
}


def render_html(data: BulletinData, generated_at: dt.datetime) -> str:
    departments = data.department_ranking
    districts = data.district_ranking
    environment = _environment()
    return environment.get_template("template.html.j2").render(
        title=f"{data.city.name}互联网+政务服务每周通报 {data.week.label}",
        issue_number=f"{data.week.year}年第{data.week.week}期",
        issuing_office=data.city.issuing_office or f"{data.city.name}政务服务管理部门",
        issued_on=f"{generated_at.year}年{generated_at.month}月{generated_at.day}日",
        summary=_summary(data, environment),
        week=data.week,
        as_of=data.freshness.as_of,
        absent_sources=[SOURCE_NAMES_ZH.get(name, name) for name in data.freshness.absent],
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M"),
        headline=_headline_rows(data.headline),
        trend_svg=trend_chart(data.trend) if data.trend.height else "",
        top_n=RANKED,
        departments_top=departments.head(RANKED).to_dicts(),
        departments_bottom=departments.tail(RANKED).reverse().to_dicts(),
        districts_top=districts.head(RANKED).to_dicts(),
        districts_bottom=districts.tail(RANKED).reverse().to_dicts(),
        departments_unranked=data.department_unranked.to_dicts(),
        districts_unranked=data.district_unranked.to_dicts(),
        department_svg=ranking_chart(departments, "部门综合得分 Department scores")
        if departments.height
        else "",
        overdue_total=int(data.overdue_by_department["overdue_cases"].sum()),
        overdue_by_department=data.overdue_by_department.to_dicts(),
        overdue_by_district=data.overdue_by_district.to_dicts(),
        yellow_total=int(data.overdue_by_district["yellow_cases"].sum()),
        overdue_cases=data.overdue_cases.to_dicts(),
        yellow_cases=data.yellow_cases.to_dicts(),
        depth_upgrades=data.depth_upgrades.to_dicts(),
        bad_reviews=data.bad_reviews.row(0, named=True),
        bad_reviews_by_department=data.bad_reviews_by_department.to_dicts(),
        consultations_loaded="consultations" not in data.freshness.absent,
        consultations_city=data.consultations_city.row(0, named=True)
        if data.consultations_city.height
        else None,
        consultations_ranked=data.consultations_by_department.filter(
            pl.col("is_ranked")
        ).to_dicts(),
        consultations_unranked=data.consultations_by_department.filter(
            ~pl.col("is_ranked")
        ).to_dicts(),
    )


def build_weekly_bulletin(
    warehouse_path: Path,
    week: IsoWeek,
    out_dir: Path,
    *,
    pdf: bool = True,
    now: dt.datetime | None = None,
) -> BulletinResult:
    """Write bulletin_<week>.html (and .pdf) into out_dir; refuse when the data is stale."""
    with connect(warehouse_path, read_only=True) as connection:
        data = read_bulletin_data(connection, week)
    if stale := data.freshness.stale_sources():
        raise StaleDataError(
            f"no bulletin for {week.label}: the data does not cover the week "
            f"(needs data from {week.start} through {data.freshness.last_workday_of_week}): "
            + "; ".join(stale)
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"bulletin_{week.label}.html"
    html_path.write_text(render_html(data, now or dt.datetime.now(SHANGHAI)), encoding="utf-8")
    pdf_path = print_to_pdf(html_path, out_dir / f"bulletin_{week.label}.pdf") if pdf else None
    return BulletinResult(week, html_path, pdf_path, data)
