"""The report marts (models/marts/reports) hold exactly what the bulletin and the outbox compute.

The bulletin (dagster_project/bulletin/data.py) and the supervision outbox
(dagster_project/supervision/outbox.py) still run their own SQL; these tests pin the marts
that replace it to their output, week by week and alert by alert, so that switching the
Python to `select … where week_start = ?` changes no number.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.bulletin.data import read_bulletin_data
from dagster_project.bulletin.weeks import IsoWeek
from dagster_project.settings import Settings
from dagster_project.supervision.outbox import HEADERS_ZH, write_alert_outbox

pytestmark = pytest.mark.slow

BAD_REVIEW_COUNTS = ["bad_reviews", "rectified_on_time", "rectified_late", "pending", "overdue"]


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
            data = read_bulletin_data(connection, week)

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
    }
    assert as_of == (freshness.as_of,)


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
        (row[0], *map(int, row[1:]))
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

    # the sent-log now holds every alert: nothing is new, everything already sent
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        after = connection.sql(outbox_sql).pl()
        summary_after = connection.sql(summary_sql).pl()
    assert after.height == before.height and not after["is_new"].any()
    assert summary_after["new_alerts"].sum() == 0
    assert summary_after["already_sent_alerts"].sum() == before.height
