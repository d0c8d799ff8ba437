"""The report marts (models/marts/bulletin and reports) hold what the bulletin and outbox show.

The bulletin and the outbox now only select from these marts; the tests pin the marts to an
independent computation from the facts — the SQL the bulletin ran itself before the marts
existed (kept here as the reference) — week by week, and the outbox's files to its views.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest

from govwh.reports.bulletin.data import read_bulletin_data
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.reports.outbox import HEADERS_ZH, write_alert_outbox
from govwh.settings import Settings

pytestmark = pytest.mark.slow

BAD_REVIEW_COUNTS = ["bad_reviews", "rectified_on_time", "rectified_late", "pending", "overdue"]


@dataclass(frozen=True)
class ReferenceSections:
    overdue_by_department: pl.DataFrame
    overdue_cases: pl.DataFrame
    depth_upgrades: pl.DataFrame
    bad_reviews: pl.DataFrame
    bad_reviews_by_department: pl.DataFrame


def _frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> pl.DataFrame:
    return connection.sql(sql, params=params).pl()


def _reference_sections(connection: duckdb.DuckDBPyConnection, week: IsoWeek) -> ReferenceSections:
    """The bulletin's sections computed from the facts, as the bulletin itself did before."""
    (case_day, ticket_day) = connection.execute(
        "select (select max(cast(updated_at as date)) from marts.fct_cases),"
        " (select max(ticket_date) from marts.fct_hall_tickets)"
    ).fetchall()[0]
    days = [day for day in (case_day, ticket_day) if day is not None]
    freshness = SimpleNamespace(as_of=min(days) if days else None)
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
        where coalesce(cases.acceptance_date, cases.submission_date) <= $week_end
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
    return ReferenceSections(
        overdue_by_department,
        overdue_cases,
        depth_upgrades,
        bad_reviews,
        bad_reviews_by_department,
    )


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, week: IsoWeek) -> list[tuple]:
    return connection.execute(sql, [week.start]).fetchall()


def _report_weeks(connection: duckdb.DuckDBPyConnection) -> list[IsoWeek]:
    """Every week any report mart has a row for, and one week before all data (empty)."""
    starts = [
        day
        for (day,) in connection.execute(
            """
            select week_start from marts.mart_weekly_overdue_by_department
            union select week_start from marts.mart_depth_upgrades
            union select week_start from marts.mart_weekly_bad_reviews
            union select week_start from marts.mart_weekly_bad_reviews_by_department
            order by 1
            """
        ).fetchall()
    ]
    before = starts[0] - dt.timedelta(days=7 * 20)
    return [IsoWeek.containing(day) for day in [before, *starts]]


def test_bulletin_tables_equal_the_report_marts(built_warehouse: Settings) -> None:
    shown = dict.fromkeys(["overdue", "upgrades", "bad_reviews"], 0)
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        weeks = _report_weeks(connection)
        assert len(weeks) > 20
        for week in weeks:
            data = _reference_sections(connection, week)
            shown_data = read_bulletin_data(connection, week)
            assert shown_data.overdue_cases.rows() == data.overdue_cases.rows(), week.label

            assert data.overdue_by_department.rows() == _rows(
                connection,
                """select department_name, overdue_cases
                   from marts.mart_weekly_overdue_by_department
                   where week_start = ? order by department_rank""",
                week,
            ), week.label
            assert data.overdue_cases.rows() == _rows(
                connection,
                """select case_id, item_name, department_name, due_date, working_days_overdue
                   from marts.mart_weekly_overdue_cases
                   where week_start = ? order by overdue_rank""",
                week,
            ), week.label

            # the bulletin orders upgrades by department and item name only: ties in any order
            upgrades = _rows(
                connection,
                """select item_name, department_name, depth_before, depth_after, valid_from
                   from marts.mart_depth_upgrades
                   where week_start = ? order by listing_order""",
                week,
            )
            assert sorted(data.depth_upgrades.rows(), key=repr) == sorted(upgrades, key=repr)
            order = [(department or "", item or "") for item, department, *_ in upgrades]
            assert order == sorted(order)

            counts = _rows(
                connection,
                f"""select {", ".join(BAD_REVIEW_COUNTS)} from marts.mart_weekly_bad_reviews
                    where week_start = ?""",
                week,
            ) or [(0,) * len(BAD_REVIEW_COUNTS)]
            assert data.bad_reviews.select(BAD_REVIEW_COUNTS).rows() == counts, week.label
            assert data.bad_reviews_by_department.rows() == _rows(
                connection,
                """select department_name, bad_reviews, not_rectified
                   from marts.mart_weekly_bad_reviews_by_department
                   where week_start = ? order by department_rank""",
                week,
            ), week.label

            shown["overdue"] += data.overdue_cases.height
            shown["upgrades"] += data.depth_upgrades.height
            shown["bad_reviews"] += data.bad_reviews_by_department.height
    assert all(shown.values()), shown  # every section had something to compare


def test_data_freshness_is_what_the_bulletin_states(built_warehouse: Settings) -> None:
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        week = IsoWeek.containing(dt.date(2018, 6, 1))
        freshness = read_bulletin_data(connection, week).freshness
        independent = connection.execute(
            "select (select max(cast(updated_at as date)) from marts.fct_cases),"
            " (select max(ticket_date) from marts.fct_hall_tickets),"
            " (select max(snapshot_date) from staging.stg_catalogue__service_items),"
            " (select max(cast(updated_at as date)) from staging.stg_hotline__consultations),"
            " (select max(cast(offered_at as date)) from staging.stg_hotline__calls),"
            " (select max(published_date) from staging.stg_guide_system__service_guides)"
        ).fetchall()[0]
        days = dict(
            connection.execute(
                "select source_name, last_data_date from marts.mart_data_freshness"
            ).fetchall()
        )
        (as_of,) = connection.execute(
            "select distinct as_of_date from marts.mart_data_freshness"
        ).fetchall()
    assert days == {
        "case_logs": freshness.case_logs,
        "hall_tickets": freshness.hall_tickets,
        "service_items": freshness.catalogue,
        "consultations": independent[3],
        "hotline_calls": independent[4],
        "service_guides": independent[5],
    }
    assert as_of == (freshness.as_of,)
    assert (freshness.case_logs, freshness.hall_tickets, freshness.catalogue) == independent[:3]
    # the city's as-of: the earliest last day of the daily sources (the catalogue is not one)
    assert freshness.as_of == min(day for day in (*independent[:2], *independent[3:5]) if day)


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path.read_bytes().removeprefix(b"\xef\xbb\xbf"), infer_schema=False)


def test_outbox_views_equal_the_outbox(built_warehouse: Settings, tmp_path: Path) -> None:
    warehouse = tmp_path / "outbox.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    outbox_sql = "select * from marts.mart_supervision_outbox order by outbox_order"
    summary_sql = "select * from marts.mart_supervision_outbox_summary order by summary_rank"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        before = connection.sql(outbox_sql).pl()
        summary_before = connection.sql(summary_sql).pl()
    assert before.height > 0

    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")

    assert result.as_of_date == before["as_of_date"][0]
    assert result.alerts_total == before.height
    assert result.alerts_new == before["is_new"].sum()
    new = before.filter(pl.col("is_new"))
    departments = new["department_name"].unique(maintain_order=True).to_list()
    assert len(result.department_files) == len(departments)
    for path, department in zip(result.department_files, departments, strict=True):
        written = _csv(path)
        expected = new.filter(pl.col("department_name") == department)
        assert written.columns == [HEADERS_ZH[c] for c in HEADERS_ZH if c in before.columns]
        assert written["办件编号"].to_list() == expected["case_id"].to_list()
        assert written["超期工作日"].cast(pl.Int64).to_list() == (
            expected["working_days_overdue"].to_list()
        )

    written_summary = _csv(result.summary_file)
    file_rows = {
        (row[0], *(None if v is None else int(v) for v in row[1:]))
        for row in written_summary.select(
            "责任部门 department",
            "红牌 red",
            "黄牌 yellow",
            "今日新增 new today",
            "最长超期工作日 worst overdue",
        ).rows()
    }
    mart_rows = set(
        summary_before.select(
            "department_name",
            "red_alerts",
            "yellow_alerts",
            "new_alerts",
            "worst_working_days_overdue",
        ).rows()
    )
    assert file_rows == mart_rows
    assert summary_before["department_name"][-1] == "合计"

    # the sent-log now holds every alert, reported today: a rerun of the day still sees them
    # as new; the day after, they are already sent
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        after = connection.sql(outbox_sql).pl()
    assert after.equals(before)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update ops.supervision_alert_log set reported_on = reported_on - interval 1 day"
        )
        next_day = connection.sql(outbox_sql).pl()
        summary_next_day = connection.sql(summary_sql).pl()
    assert next_day.height == before.height and not next_day["is_new"].any()
    assert summary_next_day["new_alerts"].sum() == 0
    total = summary_next_day.filter(pl.col("is_total"))
    assert total["already_sent_alerts"].item() == before.height
