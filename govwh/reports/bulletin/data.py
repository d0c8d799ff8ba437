"""Everything the bulletin shows, read from the marts — no number is computed elsewhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from govwh.reports.bulletin.weeks import IsoWeek

RANKED = 5  # top and bottom N named


@dataclass(frozen=True)
class DataFreshness:
    """The last day each source has data for, and what the week needs."""

    case_logs: dt.date | None
    hall_tickets: dt.date | None
    catalogue: dt.date | None
    last_workday_of_week: dt.date
    as_of: dt.date | None  # mart_data_freshness.as_of_date: the activity sources' common day
    week_start: dt.date
    # the first day of data of case_logs and hall_tickets (mart_data_freshness.first_data_date)
    case_logs_from: dt.date | None = None
    hall_tickets_from: dt.date | None = None
    # sources the city does not load at all (no row ever): their sections say so, and they
    # do not hold the bulletin back; case logs are the bulletin's core and are never absent
    absent: tuple[str, ...] = ()

    def stale_sources(self) -> list[str]:
        """Sources that stop before the week's last working day (or have no data), or that
        start after the week began: either way the week's figures would be partial."""
        stale = [
            f"{name} (last data {day or 'none'})"
            for name, day in (("case_logs", self.case_logs), ("hall_tickets", self.hall_tickets))
            if (day is None or day < self.last_workday_of_week) and name not in self.absent
        ]
        stale += [
            f"{name} (data starts {first}, after the week began)"
            for name, first in (
                ("case_logs", self.case_logs_from),
                ("hall_tickets", self.hall_tickets_from),
            )
            if first is not None and first > self.week_start
        ]
        if self.catalogue is None and "service_items" not in self.absent:
            stale.append("service_items (no catalogue snapshot)")
        return stale


@dataclass(frozen=True)
class BulletinCity:
    """Who the bulletin is of and from: the city's configuration (city.city_profile)."""

    name: str
    issuing_office: str | None
    summary_template: str | None  # the city's own bulletin_summary.zh.j2, if it has one


SUMMARY_OVERRIDE = "bulletin_summary.zh.j2"  # in the city's configuration folder


def read_city(connection: duckdb.DuckDBPyConnection) -> BulletinCity:
    name, office, folder = connection.sql(
        "select city_name, issuing_office, config_dir from city.city_profile"
    ).fetchall()[0]
    override = Path(folder) / SUMMARY_OVERRIDE
    text = override.read_text(encoding="utf-8") if override.exists() else None
    return BulletinCity(name, office, text)


@dataclass(frozen=True)
class BulletinData:
    week: IsoWeek
    city: BulletinCity
    freshness: DataFreshness
    headline: pl.DataFrame  # metric, value this week, previous week, target
    trend: pl.DataFrame  # metric × week for the last 12 weeks
    department_ranking: pl.DataFrame  # ranked units only, in rank order
    district_ranking: pl.DataFrame
    department_unranked: pl.DataFrame  # too few cases to rank: name, cases, the minimum
    district_unranked: pl.DataFrame
    overdue_by_department: pl.DataFrame
    overdue_by_district: pl.DataFrame  # red and yellow counts per district
    overdue_cases: pl.DataFrame
    yellow_cases: pl.DataFrame  # the 20 open cases closest to their deadline
    depth_upgrades: pl.DataFrame
    bad_reviews: pl.DataFrame  # one row: counts by rectification status
    bad_reviews_by_department: pl.DataFrame
    # 咨询投诉: the week's city figures (one row, none without orders) and the departments,
    # ranked ones first (mart_weekly_consultations_by_department.listing_order)
    consultations_city: pl.DataFrame
    consultations_by_department: pl.DataFrame


def _frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> pl.DataFrame:
    return connection.sql(sql, params=params).pl()


def read_freshness(connection: duckdb.DuckDBPyConnection, week: IsoWeek) -> DataFreshness:
    """How far each source reaches (mart_data_freshness) and the week's last working day."""
    case_day, ticket_day, snapshot_day, as_of, case_from, ticket_from, last_workday, absent = (
        connection.sql(
            """
        select
            max(last_data_date) filter (where source_name = 'case_logs'),
            max(last_data_date) filter (where source_name = 'hall_tickets'),
            max(last_data_date) filter (where source_name = 'service_items'),
            max(as_of_date),
            max(first_data_date) filter (where source_name = 'case_logs'),
            max(first_data_date) filter (where source_name = 'hall_tickets'),
            (select max(calendar_date) from marts.dim_date
             where is_workday and calendar_date between ? and ?),
            coalesce(list(source_name order by source_name) filter (
                where source_name <> 'case_logs' and coalesce(row_count, 0) = 0
            ), [])
        from marts.mart_data_freshness
        """,
            params=[week.start, week.end],
        ).fetchall()[0]
    )
    return DataFreshness(
        case_day,
        ticket_day,
        snapshot_day,
        last_workday or week.end,
        as_of,
        week.start,
        case_from,
        ticket_from,
        tuple(absent),
    )


def read_bulletin_data(connection: duckdb.DuckDBPyConnection, week: IsoWeek) -> BulletinData:
    freshness = read_freshness(connection, week)
    # the registry's bulletin metrics, in its order (dim_metric.shown_in_bulletin)
    headline = _frame(
        connection,
        """
        select metric_code, metric_name_zh, metric_name_en, higher_is_better,
               numerator, denominator, value, previous_value, change_points,
               target_value, target_due_date, display_format
        from marts.mart_bulletin_headline
        where week_start = ?
        order by display_order
        """,
        [week.start],
    )
    trend = _frame(
        connection,
        """
        select metric_code, metric_name_zh, week_start, metric_value
        from marts.mart_bulletin_trend
        where week_start between ? - interval 77 day and ?
        order by display_order, week_start
        """,
        [week.start, week.start],
    )

    # ranked units in rank order; units below the minimum sample listed apart, with counts
    ranking_sql = """
        select score_rank, {name} as name, composite_score, cases_in_sample, rank_change,
               units_ranked, on_time_rate, online_case_share, one_trip_rate
        from marts.{mart}
        where week_start = ? and is_ranked
        order by score_rank, {name}
    """
    unranked_sql = """
        select {name} as name, cases_in_sample, min_cases_to_rank
        from marts.{mart}
        where week_start = ? and not is_ranked
        order by cases_in_sample desc, {name}
    """
    department_ranking, district_ranking, department_unranked, district_unranked = (
        _frame(connection, sql.format(name=name, mart=mart), [week.start])
        for sql in (ranking_sql, unranked_sql)
        for name, mart in (
            ("department_name", "mart_department_ranking"),
            ("county_name", "mart_district_ranking"),
        )
    )

    # each section from its mart (models/marts/bulletin), the week's rows in the mart's order
    def section(mart: str, columns: str, order_by: str | None) -> pl.DataFrame:
        order = f" order by {order_by}" if order_by else ""
        return _frame(
            connection,
            f"select {columns} from marts.{mart} where week_start = ?{order}",
            [week.start],
        )

    overdue_by_department = section(
        "mart_weekly_overdue_by_department", "department_name, overdue_cases", "department_rank"
    )
    overdue_by_district = section(
        "mart_weekly_overdue_by_district",
        "district_name, overdue_cases, yellow_cases",
        "district_rank",
    )
    yellow_cases = section(
        "mart_weekly_yellow_cases",
        "case_id, item_name, department_name, due_date, working_days_left",
        "yellow_rank",
    )
    overdue_cases = section(
        "mart_weekly_overdue_cases",
        "case_id, item_name, department_name, due_date, working_days_overdue",
        "overdue_rank",
    )
    depth_upgrades = section(
        "mart_depth_upgrades",
        "item_name, department_name, depth_before, depth_after, valid_from",
        "listing_order",
    )
    bad_reviews = section(
        "mart_weekly_bad_reviews",
        "bad_reviews, rectified_on_time, rectified_late, pending, overdue",
        None,
    )
    if bad_reviews.height == 0:  # no bad rating that week: a row of zeros
        bad_reviews = pl.DataFrame(
            {column: [0] for column in bad_reviews.columns}, schema=bad_reviews.schema
        )
    bad_reviews_by_department = section(
        "mart_weekly_bad_reviews_by_department",
        "department_name, bad_reviews, not_rectified",
        "department_rank",
    )

    consultations_city = _frame(
        connection,
        """
        select orders_received, reply_5wd_due_orders, replied_within_5wd_orders,
               reply_5wd_rate, reply_5wd_decided_orders, late_reply_orders, late_reply_share,
               solved_known_orders, solved_orders, solved_rate, rated_orders,
               consultation_satisfaction_rate
        from marts.mart_consultation_metrics_by_period
        where period_grain = 'week' and scope_type = 'city' and period_start = ?
        """,
        [week.start],
    )
    consultations_by_department = section(
        "mart_weekly_consultations_by_department",
        "department_rank, departments_ranked, is_ranked, min_orders_to_rank, department_name, "
        "orders_received, reply_5wd_due_orders, reply_5wd_rate, late_reply_orders, "
        "late_reply_share, solved_rate, consultation_satisfaction_rate",
        "listing_order",
    )

    return BulletinData(
        week=week,
        city=read_city(connection),
        freshness=freshness,
        headline=headline,
        trend=trend,
        department_ranking=department_ranking,
        district_ranking=district_ranking,
        department_unranked=department_unranked,
        district_unranked=district_unranked,
        overdue_by_department=overdue_by_department,
        overdue_by_district=overdue_by_district,
        overdue_cases=overdue_cases,
        yellow_cases=yellow_cases,
        depth_upgrades=depth_upgrades,
        bad_reviews=bad_reviews,
        bad_reviews_by_department=bad_reviews_by_department,
        consultations_city=consultations_city,
        consultations_by_department=consultations_by_department,
    )
