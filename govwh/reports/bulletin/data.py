"""Everything the bulletin shows, read from the marts — no number is computed elsewhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

    @property
    def as_of(self) -> dt.date | None:
        days = [d for d in (self.case_logs, self.hall_tickets) if d is not None]
        return min(days) if days else None

    def stale_sources(self) -> list[str]:
        """Sources that stop before the week's last working day (or have no data)."""
        stale = [
            f"{name} (last data {day or 'none'})"
            for name, day in (("case_logs", self.case_logs), ("hall_tickets", self.hall_tickets))
            if day is None or day < self.last_workday_of_week
        ]
        if self.catalogue is None:
            stale.append("service_items (no catalogue snapshot)")
        return stale


@dataclass(frozen=True)
class BulletinData:
    week: IsoWeek
    freshness: DataFreshness
    headline: pl.DataFrame  # metric, value this week, previous week, target
    trend: pl.DataFrame  # metric × week for the last 12 weeks
    department_ranking: pl.DataFrame
    district_ranking: pl.DataFrame
    overdue_by_department: pl.DataFrame
    overdue_cases: pl.DataFrame
    depth_upgrades: pl.DataFrame
    bad_reviews: pl.DataFrame  # one row: counts by rectification status
    bad_reviews_by_department: pl.DataFrame


def _frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> pl.DataFrame:
    return connection.sql(sql, params=params).pl()


def read_freshness(connection: duckdb.DuckDBPyConnection, week: IsoWeek) -> DataFreshness:
    case_day, ticket_day, snapshot_day, last_workday = connection.sql(
        """
        select
            (select max(cast(updated_at as date)) from marts.fct_cases),
            (select max(ticket_date) from marts.fct_hall_tickets),
            (select max(snapshot_date) from staging.stg_catalogue__service_items),
            (select max(calendar_date) from marts.dim_date
             where is_workday and calendar_date between ? and ?)
        """,
        params=[week.start, week.end],
    ).fetchall()[0]
    return DataFreshness(case_day, ticket_day, snapshot_day, last_workday or week.end)


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

    ranking_sql = """
        select score_rank, {name} as name, composite_score, rank_change, units_ranked,
               on_time_rate, online_case_share, one_trip_rate
        from marts.{mart}
        where week_start = ?
        order by score_rank, {name}
    """
    department_ranking = _frame(
        connection,
        ranking_sql.format(name="department_name", mart="mart_department_ranking"),
        [week.start],
    )
    district_ranking = _frame(
        connection,
        ranking_sql.format(name="county_name", mart="mart_district_ranking"),
        [week.start],
    )

    # Red alerts at 24:00 of the week's last day: accepted, still open, past the deadline.
    overdue_cases_sql = """
        select cases.case_id, items.item_name, departments.department_name, cases.due_date,
               week_end.workday_seq - due_day.workday_seq as working_days_overdue
        from marts.fct_cases as cases
        join marts.dim_department as departments using (department_code)
        left join marts.dim_service_item as items
            on items.item_code = cases.item_code and items.is_current
        join marts.dim_date as due_day on due_day.calendar_date = cases.due_date
        join marts.dim_date as week_end on week_end.calendar_date = $week_end
        where cases.acceptance_date <= $week_end
            and (cases.closing_date is null or cases.closing_date > $week_end)
            and cases.red_alert_date <= $week_end
    """
    overdue_by_department = _frame(
        connection,
        f"""
            select department_name, count(*) as overdue_cases
            from ({overdue_cases_sql}) as overdue
            group by 1
            order by overdue_cases desc, 1
            """,
        {"week_end": week.end},
    )
    overdue_cases = _frame(
        connection,
        f"{overdue_cases_sql} order by working_days_overdue desc, cases.case_id limit 20",
        {"week_end": week.end},
    )

    depth_upgrades = _frame(
        connection,
        """
        select current_version.item_name, departments.department_name,
               previous_version.depth_level as depth_before,
               current_version.depth_level as depth_after, current_version.valid_from
        from marts.dim_service_item as current_version
        join marts.dim_service_item as previous_version
            on previous_version.item_code = current_version.item_code
            and previous_version.version_number = current_version.version_number - 1
        join marts.dim_department as departments
            on departments.department_code = current_version.department_code
        where current_version.valid_from between ? and ?
            and current_version.depth_level > previous_version.depth_level
            and current_version.is_in_scope
        order by departments.department_name, current_version.item_name
        """,
        [week.start, week.end],
    )

    # Bad ratings given this week and where their rectification stands at the as-of date.
    bad_reviews_sql = """
        select departments.department_name,
               case
                   when cases.rectified_at is not null and cases.is_rectified_on_time
                       then 'rectified_on_time'
                   when cases.rectified_at is not null then 'rectified_late'
                   when cases.rectification_due_date < $as_of then 'overdue'
                   else 'pending'
               end as rectification_status
        from marts.fct_cases as cases
        join marts.dim_department as departments using (department_code)
        where cases.is_bad_rating
            and cast(cases.rated_at as date) between $week_start and $week_end
    """
    review_params = {
        "as_of": freshness.as_of or week.end,
        "week_start": week.start,
        "week_end": week.end,
    }
    bad_reviews = _frame(
        connection,
        f"""
            select count(*) as bad_reviews,
                   count(*) filter (where rectification_status = 'rectified_on_time')
                       as rectified_on_time,
                   count(*) filter (where rectification_status = 'rectified_late')
                       as rectified_late,
                   count(*) filter (where rectification_status = 'pending') as pending,
                   count(*) filter (where rectification_status = 'overdue') as overdue
            from ({bad_reviews_sql}) as reviews
            """,
        review_params,
    )
    bad_reviews_by_department = _frame(
        connection,
        f"""
            select department_name, count(*) as bad_reviews,
                   count(*) filter (where rectification_status in ('pending', 'overdue'))
                       as not_rectified
            from ({bad_reviews_sql}) as reviews
            group by 1
            order by bad_reviews desc, 1
            """,
        review_params,
    )
    return BulletinData(
        week=week,
        freshness=freshness,
        headline=headline,
        trend=trend,
        department_ranking=department_ranking,
        district_ranking=district_ranking,
        overdue_by_department=overdue_by_department,
        overdue_cases=overdue_cases,
        depth_upgrades=depth_upgrades,
        bad_reviews=bad_reviews,
        bad_reviews_by_department=bad_reviews_by_department,
    )
