"""The mapping language real exports need, each form loaded through the real loader.

docs/ingestion.md ("Columns that are more than a header") is the contract: constants and
defaults, the first non-empty of several columns, a date column combined with a time column
(past midnight: the next day), per-column timestamp formats, value translations by pattern,
hashed codes, a declared delimiter and a clock-skew tolerance. A time-only column read alone
is a clear error, never a 1900 date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_ingestion import assert_conserved, load, query

from govwh.ingestion.mapping import MappingError, load_mapping
from govwh.ingestion.schemas import CASE_LOGS, HALL_TICKETS, SERVICE_ITEMS

VENDOR_ROWS = [
    [
        "申请编号",
        "申请日期",
        "申请时刻",
        "受理时间",
        "办结时间",
        "更新时间",
        "业务类型",
        "部门",
        "状态",
        "来源",
    ],
    [
        "A-001",
        "2021-03-01",
        "9:03:00",
        "03/01/2021 09:30:00 AM",
        "03/02/2021 04:15:00 PM",
        "",
        "General Comments For a Program",
        "区 经信局",
        "Closed",
        "Citizens Connect App",
    ],
    [
        "A-002",
        "2021-03-01",
        "23:59:30",
        "03/02/2021 08:00:00 AM",
        "",
        "03/02/2021 08:00:00 AM",
        "Needle Pickup",
        "区 经信局",
        "Open",
        "Constituent Call",
    ],
    [
        "A-003",
        "2021-03-02",
        "10:00:00",
        "03/02/2021 10:20:00 AM",
        "03/02/2021 10:19:59 AM",
        "",
        "Needle Pickup",
        "区教科体局",
        "Closed",
        "Self Service",
    ],
]
VENDOR_CASES = "".join("\t".join(row) + "\n" for row in VENDOR_ROWS)

VENDOR_MAPPING = """\
name: vendor_tab
delimiter: tab
clock_skew_seconds: 5
sources:
  case_logs:
    columns:
      case_id: 申请编号
      submitted_at: {date: 申请日期, time: 申请时刻}
      accepted_at: {header: 受理时间, format: "%m/%d/%Y %I:%M:%S %p"}
      completed_at: {header: 办结时间, format: "%m/%d/%Y %I:%M:%S %p"}
      updated_at: {coalesce: [更新时间, 办结时间, 受理时间], format: "%m/%d/%Y %I:%M:%S %p"}
      item_code: 业务类型
      department_code: {header: 部门, code: hash}
      region_code: {constant: "511602000000"}
      channel: 来源
      status: {header: 状态, values: {Closed: completed, "re:Open|In progress": in_progress}}
      limit_day_kind: {default: working}
    values:
      channel: {"re:.*App$": mobile_app, Self Service: online_web, Constituent Call: other}
"""


def _vendor_files(tmp_path: Path, cases: str = VENDOR_CASES) -> tuple[Path, Path]:
    export = tmp_path / "exports" / "requests.txt"
    export.parent.mkdir(parents=True)
    export.write_text(cases, encoding="utf-8")
    mapping = tmp_path / "vendor.yaml"
    mapping.write_text(VENDOR_MAPPING, encoding="utf-8")
    return export, mapping


def test_a_tab_separated_txt_loads_through_combined_constant_coalesce_and_us_formats(
    tmp_path: Path,
) -> None:
    database = tmp_path / "w.duckdb"
    export, mapping = _vendor_files(tmp_path)

    result = load(database, [export], CASE_LOGS, mapping)

    (file,) = result.files
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_rejected) == (
        "loaded",
        3,
        3,
        0,
    )
    rows = query(
        database,
        "select case_id, submitted_at, accepted_at, completed_at, updated_at, item_code, "
        "department_code, region_code, channel, status, limit_day_kind "
        "from raw.case_logs order by case_id",
    )
    first, second, third = rows
    assert first[1:5] == (
        dt.datetime(2021, 3, 1, 9, 3),
        dt.datetime(2021, 3, 1, 9, 30),
        dt.datetime(2021, 3, 2, 16, 15),
        dt.datetime(2021, 3, 2, 16, 15),  # no update time: the completion time comes next
    )
    assert second[3] is None and second[4] == dt.datetime(2021, 3, 2, 8, 0)
    # a request type with blanks is a code as it is; a department name becomes a stable code
    assert first[5] == "General Comments For a Program"
    assert first[6] == second[6] != third[6] and len(first[6]) == 16
    assert {r[7] for r in rows} == {"511602"}  # a 12-digit statistics code, as 6 digits
    assert [r[8] for r in rows] == ["mobile_app", "other", "online_web"]
    assert [r[9] for r in rows] == ["completed", "in_progress", "completed"]
    assert {r[10] for r in rows} == {"working"}
    # completed a second before acceptance: within the 5 s tolerance, loaded and flagged
    assert file.rows_flagged == 1
    assert query(
        database, "select row_number, column_name, reason_code, action from ops.load_quarantine"
    ) == [(4, "completed_at", "clock_skew", "flagged")]
    assert_conserved(database)


def test_a_reversal_beyond_the_tolerance_is_rejected(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    late = VENDOR_CASES.replace("03/02/2021 10:19:59 AM", "03/02/2021 10:19:00 AM")
    export, mapping = _vendor_files(tmp_path, late)

    (file,) = load(database, [export], CASE_LOGS, mapping).files

    assert (file.rows_loaded, file.rows_rejected) == (2, 1)
    assert query(database, "select row_number, reason_code from ops.load_quarantine") == [
        (4, "negative_duration")
    ]


def test_a_combined_time_past_midnight_falls_on_the_next_day(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    tickets = tmp_path / "queue" / "tickets.csv"
    tickets.parent.mkdir()
    tickets.write_text(
        "号码,日期,取号,叫号,结束,大厅,结果\n"
        "Q1,2021-03-29,23:50:00,23:58:00,00:06:00,H1,served\n"
        "Q2,2021-03-29,10:00:00,10:05:00,10:12:00,H1,served\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "queue.yaml"
    mapping.write_text(
        "sources:\n  hall_tickets:\n    columns:\n"
        "      ticket_id: 号码\n      hall_code: 大厅\n      outcome: 结果\n"
        "      ticket_taken_at: {date: 日期, time: 取号}\n"
        "      called_at: {date: 日期, time: 叫号, after: ticket_taken_at}\n"
        "      service_start_at: {date: 日期, time: 叫号, after: ticket_taken_at}\n"
        "      service_end_at: {date: 日期, time: 结束, after: service_start_at}\n",
        encoding="utf-8",
    )

    (file,) = load(database, [tickets], HALL_TICKETS, mapping).files

    assert (file.rows_loaded, file.rows_rejected) == (2, 0)
    assert query(database, "select ticket_id, service_end_at from raw.hall_tickets order by 1") == [
        ("Q1", dt.datetime(2021, 3, 30, 0, 6)),
        ("Q2", dt.datetime(2021, 3, 29, 10, 12)),
    ]


def test_a_time_only_column_without_its_date_is_an_error_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    export, mapping = _vendor_files(tmp_path)
    mapping.write_text(
        VENDOR_MAPPING.replace("{date: 申请日期, time: 申请时刻}", "申请时刻"), encoding="utf-8"
    )

    (file,) = load(database, [export], CASE_LOGS, mapping).files

    assert file.status == "failed"
    assert "申请时刻 (submitted_at) holds times of day without a date" in str(file.error)
    assert "{date: <date column>, time: 申请时刻}" in str(file.error)
    assert query(database, "select count(*) from raw.case_logs") == [(0,)]


def test_a_format_without_a_date_is_refused_when_the_mapping_is_read(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "sources:\n  hall_tickets:\n    columns:\n"
        "      called_at: {header: 叫号, format: '%H:%M:%S'}\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match=r"'%H:%M:%S' has no date .*1900-01-01"):
        load_mapping(mapping, "hall_tickets")


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("{header: a, constant: b}", "only one of header, constant"),
        ("{date: a}", "needs both date and time"),
        ("{header: a, pattern: b}", "unknown key(s) pattern"),
        ("{header: a, code: md5}", "code must be one of keep, hash"),
    ],
)
def test_malformed_column_rules_are_refused_naming_the_column(
    tmp_path: Path, column: str, message: str
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        f"sources:\n  service_items:\n    columns:\n      item_name: {column}\n", encoding="utf-8"
    )
    with pytest.raises(MappingError, match=r"columns\.item_name") as error:
        load_mapping(mapping, SERVICE_ITEMS.name)
    assert message in str(error.value)
