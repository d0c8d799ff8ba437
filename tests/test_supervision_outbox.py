"""The supervision outbox (govwh supervise) on the built tiny warehouse: safe to rerun.

A rerun of the day writes the same files byte for byte (xlsx and csv) and replaces the day's
folder whole; an alert is new unless an earlier day reported it at the same level, so a case
that turns red is reported again; files go per department and per district; the xlsx holds
real dates, a frozen header and a filter; the summaries' 合计 rows are the sums of their rows.

The tiny city has a single alert at its last day, too few to tell departments and districts
apart, so the tests' warehouse adds the other open cases of that day to the alert list (every
third one red, one of them handled at the city itself): the outbox views and the writer read
that list as they read the real one.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from govwh.reports.outbox import (
    DEPARTMENT_FOLDER,
    DISTRICT_FOLDER,
    HEADERS_ZH,
    OutboxError,
    OutboxResult,
    write_alert_outbox,
)
from govwh.settings import Settings

pytestmark = pytest.mark.slow

TOTAL = "合计"
# the counts of the summary files, summed on the 合计 row (the worst overdue is the maximum)
SUMMED = ["红牌 red", "黄牌 yellow", "今日新增 new today"]
WORST = "最长超期工作日 worst overdue"

MORE_ALERTS = """
insert into marts.mart_supervision_alerts by name
with as_of as (
    select last_data_date as as_of_date
    from marts.mart_data_freshness where source_name = 'case_logs'
),
open_cases as (
    select cases.*, as_of.as_of_date,
        row_number() over (order by cases.case_id) % 3 = 0 as is_red
    from marts.fct_cases as cases cross join as_of
    where cases.acceptance_date <= as_of.as_of_date
        and (cases.closing_date is null or cases.closing_date > as_of.as_of_date)
        and cases.case_id not in (select case_id from marts.mart_supervision_alerts)
)
select
    open_cases.as_of_date,
    open_cases.case_id,
    case when is_red then 'red' else 'yellow' end as alert_level,
    case when is_red then '红牌' else '黄牌' end as alert_level_zh,
    open_cases.as_of_date as alert_raised_on,
    open_cases.item_code,
    items.item_name,
    open_cases.department_code,
    departments.department_name,
    open_cases.region_code,
    regions.region_name,
    regions.county_code,
    open_cases.channel,
    open_cases.accepted_at,
    open_cases.promised_limit_days,
    open_cases.suspended_working_days,
    open_cases.due_date,
    case when is_red then 1 + length(open_cases.case_id) % 4 else 0 end
        as working_days_overdue,
    case when is_red then 0 else 1 end as working_days_left
from open_cases
left join marts.dim_service_item as items
    on open_cases.item_code = items.item_code and items.is_current
left join marts.dim_department as departments
    on open_cases.department_code = departments.department_code
left join marts.dim_region as regions
    on open_cases.region_code = regions.region_code
"""

# one alert handled at the city itself: no county, the district 市本级
AT_THE_CITY = """
update marts.mart_supervision_alerts
set region_code = city.region_code, region_name = city.region_name, county_code = null
from (select region_code, region_name from marts.dim_region where admin_level = 'city') as city
where case_id = (select max(case_id) from marts.mart_supervision_alerts)
"""


@pytest.fixture(scope="module")
def alerting_warehouse(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny warehouse whose alert list holds every open case of its last day."""
    warehouse = tmp_path_factory.mktemp("alerting") / "alerting.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(MORE_ALERTS)
        connection.execute(AT_THE_CITY)
    return warehouse


@pytest.fixture
def warehouse(alerting_warehouse: Path, tmp_path: Path) -> Path:
    """A fresh copy per test: the outbox writes its sent-log into the warehouse."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(alerting_warehouse, copy)
    return copy


def _query(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).pl()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _csv(path: Path) -> pl.DataFrame:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return pl.read_csv(path.read_bytes().removeprefix(b"\xef\xbb\xbf"), infer_schema=False)


def _case_ids(paths: list[Path]) -> dict[str, list[str]]:
    return {path.stem: _csv(path)["办件编号"].to_list() for path in paths}


def _log(warehouse: Path) -> list[tuple]:
    return _query(
        warehouse, "select * from ops.supervision_alert_log order by case_id, alert_level"
    ).rows()


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_rerun_of_the_day_writes_the_same_bytes(
    warehouse: Path, tmp_path: Path, file_format: str
) -> None:
    outbox = tmp_path / "outbox"
    first = write_alert_outbox(warehouse, outbox, file_format=file_format)
    written = _files(first.folder)
    log = _log(warehouse)
    assert first.alerts_new == first.alerts_total > 1
    assert len(first.department_files) > 1 and len(first.district_files) > 1
    # a file of an earlier run of the day that this run does not write
    stale = first.folder / DEPARTMENT_FOLDER / f"撤销部门.{file_format}"
    stale.write_bytes(b"stale")

    again = write_alert_outbox(warehouse, outbox, file_format=file_format)

    assert again == first
    assert _files(again.folder) == written  # every file, byte for byte; the stale one gone
    assert not stale.exists()
    assert sorted(p.name for p in outbox.iterdir()) == [str(first.as_of_date)]
    assert _log(warehouse) == log  # logged once, as reported on the as-of day
    assert {row[2] for row in log} == {first.as_of_date}


def test_a_case_turning_red_is_reported_again(warehouse: Path, tmp_path: Path) -> None:
    alerts = _query(
        warehouse, "select case_id, alert_level, as_of_date from marts.mart_supervision_alerts"
    )
    as_of = alerts["as_of_date"][0]
    red = sorted(alerts.filter(pl.col("alert_level") == "red")["case_id"])
    yellow = sorted(alerts.filter(pl.col("alert_level") == "yellow")["case_id"])
    turned_red, still_red, still_yellow = red[0], red[1], yellow[0]
    yesterday = as_of - dt.timedelta(days=1)
    # what the outbox of the day before sent
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table if not exists ops.supervision_alert_log (case_id varchar not null, "
            "alert_level varchar not null, reported_on date not null, "
            "primary key (case_id, alert_level))"
        )
        connection.executemany(
            "insert into ops.supervision_alert_log values (?, ?, ?)",
            [
                (turned_red, "yellow", yesterday),
                (still_red, "red", yesterday),
                (still_yellow, "yellow", yesterday),
            ],
        )

    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")

    reported = [c for ids in _case_ids(result.department_files).values() for c in ids]
    in_districts = [c for ids in _case_ids(result.district_files).values() for c in ids]
    assert turned_red in reported and turned_red in in_districts
    assert still_red not in reported and still_yellow not in reported
    assert (
        sorted(reported)
        == sorted(in_districts)
        == sorted(set(alerts["case_id"]) - {still_red, still_yellow})
    )
    assert result.alerts_new == alerts.height - 2
    log = {(case, level): day for case, level, day in _log(warehouse)}
    assert log[(turned_red, "red")] == as_of and log[(turned_red, "yellow")] == yesterday
    assert log[(still_red, "red")] == yesterday
    # and written again the same day, the case turned red is still today's news
    again = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    assert _case_ids(again.department_files) == _case_ids(result.department_files)


def test_files_per_department_and_per_district_hold_their_alerts(
    warehouse: Path, tmp_path: Path
) -> None:
    # the alerts of each unit straight from the alert list, not through the outbox views
    expected = _query(
        warehouse,
        """
        select alerts.case_id, alerts.department_name, alerts.alert_level,
            alerts.working_days_overdue,
            case when alerts.county_code is null then '市本级' else counties.region_name end
                as district_name
        from marts.mart_supervision_alerts as alerts
        left join marts.dim_region as counties on alerts.county_code = counties.region_code
        """,
    )
    assert "市本级" in expected["district_name"].to_list()

    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")

    assert {p.parent.name for p in result.department_files} == {DEPARTMENT_FOLDER}
    assert {p.parent.name for p in result.district_files} == {DISTRICT_FOLDER}
    for paths, unit in (
        (result.department_files, "department_name"),
        (result.district_files, "district_name"),
    ):
        written = {path.stem: _csv(path) for path in paths}
        assert set(written) == set(expected[unit])
        for name, frame in written.items():
            rows = expected.filter(pl.col(unit) == name).sort(
                ["alert_level", "working_days_overdue", "case_id"],
                descending=[False, True, False],
            )
            assert frame.columns == list(HEADERS_ZH.values())
            assert frame["办件编号"].to_list() == rows["case_id"].to_list()
            assert set(frame[HEADERS_ZH[unit]]) == {name}


def _xml(path: Path) -> tuple[str, str, str]:
    """The sheet, its table (the filter lives there) and the document properties."""
    with zipfile.ZipFile(path) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        tables = [n for n in workbook.namelist() if n.startswith("xl/tables/")]
        table = "".join(workbook.read(n).decode() for n in tables)
        properties = workbook.read("docProps/core.xml").decode()
    return sheet, table, properties


def test_xlsx_has_dates_a_frozen_header_and_a_filter(warehouse: Path, tmp_path: Path) -> None:
    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="xlsx")
    alerts = _query(warehouse, "select * from marts.mart_supervision_outbox")

    for path in [*result.department_files, *result.district_files]:
        frame = pl.read_excel(path)
        assert frame.columns == list(HEADERS_ZH.values())
        assert frame.schema["受理时间"] == pl.Datetime
        assert frame.schema["办结期限"] == pl.Date
        assert frame.schema["预警日期"] == pl.Date
        assert frame.schema["超期工作日"] == pl.Int64
        case = alerts.filter(pl.col("case_id") == frame["办件编号"][0]).row(0, named=True)
        assert frame["办结期限"][0] == case["due_date"]
        assert abs(frame["受理时间"][0] - case["accepted_at"]) < dt.timedelta(seconds=1)

        sheet, table, properties = _xml(path)
        # stamped with the as-of day, not the time of writing: a rerun gives the same bytes
        stamp = f"{result.as_of_date}T00:00:00Z"
        assert f">{stamp}</dcterms:created>" in properties
        assert f">{stamp}</dcterms:modified>" in properties
        assert re.search(r'<pane ySplit="1" topLeftCell="A2"[^>]*state="frozen"', sheet)
        rows = frame.height + 1
        assert f'<autoFilter ref="A1:K{rows}"/>' in table
        widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', sheet)]
        assert min(widths) >= 10  # 4 Chinese characters of a header and some room

    for path in (result.summary_file, result.district_summary_file):
        frame = pl.read_excel(path)
        assert frame.row(-1)[0] == TOTAL
        assert frame.schema[SUMMED[0]] == pl.Int64


def _assert_total_row(summary: pl.DataFrame) -> None:
    units, total = summary.head(-1), summary.tail(1)
    assert total.item(0, 0) == TOTAL and TOTAL not in units[summary.columns[0]].to_list()
    for column in SUMMED:
        assert total[column].item() == units[column].sum()
    assert total[WORST].item() == units[WORST].max()


def test_summaries_total_the_rows(warehouse: Path, tmp_path: Path) -> None:
    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    summaries = {}
    for path in (result.summary_file, result.district_summary_file):
        summary = _csv(path).with_columns(pl.col([*SUMMED, WORST]).cast(pl.Int64))
        _assert_total_row(summary)
        assert summary.tail(1)["红牌 red"].item() + summary.tail(1)["黄牌 yellow"].item() == (
            result.alerts_total
        )
        assert summary.tail(1)["今日新增 new today"].item() == result.alerts_new
        summaries[path.stem] = summary
    # the files are the views as they stand
    for stem, mart, unit in (
        ("汇总_部门", "mart_supervision_outbox_summary", "department_name"),
        ("汇总_地区", "mart_supervision_outbox_district_summary", "district_name"),
    ):
        view = _query(
            warehouse,
            f"select {unit}, red_alerts, yellow_alerts, new_alerts, worst_working_days_overdue "
            f"from marts.{mart} order by summary_rank",
        )
        assert summaries[stem].rows() == view.rows()
    assert summaries["汇总_地区"].height > 2


def test_a_day_without_alerts_writes_empty_folders_and_a_zero_total(
    warehouse: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("delete from marts.mart_supervision_alerts")
    result: OutboxResult = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    assert result.alerts_total == 0 and not result.department_files and not result.district_files
    assert (result.folder / DEPARTMENT_FOLDER).is_dir() and (
        result.folder / DISTRICT_FOLDER
    ).is_dir()
    summary = _csv(result.summary_file)
    assert summary.rows() == [(TOTAL, "0", "0", "0", None)]


def test_a_warehouse_without_case_logs_or_consultations_is_refused_by_name(
    warehouse: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.mart_data_freshness set last_data_date = null "
            "where source_name in ('case_logs', 'consultations')"
        )
    with pytest.raises(OutboxError, match="no case logs or consultations are loaded"):
        write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    assert not (tmp_path / "outbox").exists()


def test_consultation_orders_on_alert_go_to_their_departments_once_per_level(
    warehouse: Path, tmp_path: Path
) -> None:
    # the alerts straight from the consultation alert list, not through the outbox view
    alerts = _query(
        warehouse,
        "select order_id, alert_level, department_name, as_of_date"
        " from marts.mart_consultation_alerts",
    )
    assert alerts.height > 1
    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    files = result.listing_files["consultation_alerts"]
    assert {path.parent.name for path in files} == {"咨询投诉"}
    listed = {path.stem: _csv(path)["工单编号"].to_list() for path in files}
    expected = alerts.group_by("department_name").agg(pl.col("order_id").sort())
    assert {stem: sorted(ids) for stem, ids in listed.items()} == {
        re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name).strip("_"): ids
        for name, ids in expected.iter_rows()
    }
    assert result.listing_new["consultation_alerts"] == alerts.height
    logged = _query(
        warehouse, "select order_id, alert_level, reported_on from ops.consultation_alert_log"
    )
    assert sorted(logged.rows()) == sorted(
        (order, level, day) for order, level, _, day in alerts.iter_rows()
    )

    # the next day's outbox: the same orders at the same levels are not sent again
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update ops.consultation_alert_log set reported_on = reported_on - 1")
    again = write_alert_outbox(warehouse, tmp_path / "next", file_format="csv")
    assert again.listing_new["consultation_alerts"] == 0
    assert not again.listing_files["consultation_alerts"]


def test_guide_gaps_go_to_their_departments_once(warehouse: Path, tmp_path: Path) -> None:
    # the gaps straight from the gap list of the current guides, not through the outbox view
    gaps = _query(
        warehouse, "select item_code, gap_code, department_name from marts.mart_guide_gaps"
    )
    assert gaps.height > 1
    result = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    files = result.listing_files["guide_gaps"]
    assert {path.parent.name for path in files} == {"办事指南"}
    listed = {
        path.stem: sorted(zip(_csv(path)["实施编码"], _csv(path)["问题"], strict=True))
        for path in files
    }
    assert sum(len(rows) for rows in listed.values()) == gaps.height
    assert set(listed) == {
        re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name).strip("_")
        for name in gaps["department_name"].unique()
    }
    assert result.listing_new["guide_gaps"] == gaps.height
    assert _query(warehouse, "select count(*) as n from ops.guide_gap_log")["n"][0] == gaps.height

    # written again the same day: the same files; the next day: nothing new to send
    again = write_alert_outbox(warehouse, tmp_path / "outbox", file_format="csv")
    assert again.listing_new["guide_gaps"] == gaps.height
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update ops.guide_gap_log set reported_on = reported_on - 1")
    later = write_alert_outbox(warehouse, tmp_path / "next", file_format="csv")
    assert later.listing_new["guide_gaps"] == 0 and not later.listing_files["guide_gaps"]
