"""Source 4 (consultations and complaints, hotline calls): hand-written bad files give their
documented result, as for the first three sources (tests/test_ingestion.py): a missing
column fails the file naming it, a reversed timeline or a repeated key is rejected with its
row and reason, an order without a department is loaded and flagged (counted in the unknown
department by the warehouse), GB18030 exports with Chinese headers load through the shipped
mapping, identifiers are pseudonymised. For every file, rows read = loaded + rejected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from test_ingestion import (
    SECRET,
    ZH_MAPPING,
    assert_conserved,
    canonical,
    load,
    quarantine,
    query,
    write_csv,
)

from govwh.demo.export import to_chinese
from govwh.ingestion.pseudonymise import hmac_python
from govwh.ingestion.schemas import CONSULTATIONS, HOTLINE_CALLS


def order_rows(count: int, first: int = 0, **overrides: list) -> pl.DataFrame:
    """`count` valid work orders (English headers, canonical vocabulary)."""
    received = [dt.datetime(2018, 7, 2, 9, 0) + dt.timedelta(hours=i) for i in range(count)]
    frame = pl.DataFrame(
        {
            "order_id": [f"GD{first + i:06d}" for i in range(count)],
            "channel": ["hotline"] * count,
            "kind": ["complaint"] * count,
            "department_code": ["PSB"] * count,
            "region_code": ["411900"] * count,
            "citizen_name": ["李四"] * count,
            "citizen_phone": [f"1390000{first + i:04d}" for i in range(count)],
            "received_at": received,
            "assigned_at": [r + dt.timedelta(minutes=30) for r in received],
            "first_reply_at": [r + dt.timedelta(days=1) for r in received],
            "closed_at": [r + dt.timedelta(days=3) for r in received],
            "transfers": [0] * count,
            "status": ["closed"] * count,
            "reply_limit_days": [5] * count,
            "callback_at": [r + dt.timedelta(days=4) for r in received],
            "rating": [4] * count,
            "solved": [True] * count,
            "updated_at": [r + dt.timedelta(days=3) for r in received],
        }
    )
    return frame.with_columns(pl.Series(k, v, dtype=frame[k].dtype) for k, v in overrides.items())


def call_rows(count: int) -> pl.DataFrame:
    offered = [dt.datetime(2018, 7, 2, 9, 0) + dt.timedelta(minutes=i) for i in range(count)]
    return pl.DataFrame(
        {
            "call_id": [f"CL{i:06d}" for i in range(count)],
            "line": ["12345"] * count,
            "offered_at": offered,
            "answered_at": [o + dt.timedelta(seconds=12) for o in offered],
            "ended_at": [o + dt.timedelta(seconds=200) for o in offered],
            "outcome": ["answered"] * count,
        }
    )


def test_good_orders_and_calls_load_every_row(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    orders = load(
        database, [write_csv(tmp_path / "o" / "orders.csv", order_rows(3))], CONSULTATIONS
    )
    calls = load(database, [write_csv(tmp_path / "c" / "calls.csv", call_rows(4))], HOTLINE_CALLS)

    assert [(f.status, f.rows_read, f.rows_loaded) for f in orders.files] == [("loaded", 3, 3)]
    assert [(f.status, f.rows_read, f.rows_loaded) for f in calls.files] == [("loaded", 4, 4)]
    assert (orders.first, orders.last) == (dt.date(2018, 7, 2), dt.date(2018, 7, 2))
    assert_conserved(database)


def test_missing_required_column_names_the_column_and_the_mapping(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    zh = to_chinese(canonical(order_rows(2), CONSULTATIONS), CONSULTATIONS).drop("工单状态")
    path = write_csv(tmp_path / "orders_zh.csv", zh)

    result = load(database, [path], CONSULTATIONS, mapping=ZH_MAPPING)

    (failed,) = result.failed
    assert "required column(s)" in str(failed.error)
    assert "status" in str(failed.error) and "工单状态" in str(failed.error)
    assert "govwh_zh" in str(failed.error)
    assert query(database, "select count(*) from raw.consultations") == [(0,)]
    # a call export without its outcome fails the same way
    calls = write_csv(tmp_path / "calls.csv", call_rows(2).drop("outcome"))
    (call_failed,) = load(database, [calls], HOTLINE_CALLS).failed
    assert "outcome" in str(call_failed.error)


def test_timestamps_out_of_order_are_rejected_with_their_reason(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    rows = order_rows(4)
    received = rows["received_at"]
    bad = rows.with_columns(
        # row 2: replied before it was received; row 3: closed before received
        pl.Series(
            "first_reply_at",
            [
                rows["first_reply_at"][0],
                received[1] - dt.timedelta(hours=2),
                *rows["first_reply_at"][2:],
            ],
        ),
        pl.Series(
            "closed_at",
            [*rows["closed_at"][:2], received[2] - dt.timedelta(days=1), rows["closed_at"][3]],
        ),
    )
    path = write_csv(tmp_path / "orders.csv", bad)
    calls = call_rows(3)
    calls = calls.with_columns(
        pl.Series(
            "answered_at",
            [
                calls["answered_at"][0],
                calls["offered_at"][1] - dt.timedelta(minutes=5),
                calls["answered_at"][2],
            ],
        )
    )
    call_path = write_csv(tmp_path / "calls.csv", calls)

    result = load(database, [path], CONSULTATIONS)
    call_result = load(database, [call_path], HOTLINE_CALLS)

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(4, 2, 2)]
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in call_result.files] == [(3, 2, 1)]
    reasons = [(r[0], r[1], r[2], r[4]) for r in quarantine(database)]
    # (row numbers count the header as row 1, as a spreadsheet shows them)
    assert ("orders.csv", 3, "first_reply_at", "replied_before_received") in reasons
    assert ("orders.csv", 4, "closed_at", "closed_before_received") in reasons
    assert ("calls.csv", 3, "answered_at", "answered_before_offered") in reasons
    assert_conserved(database)


def test_orders_without_a_department_are_loaded_and_flagged(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    rows = order_rows(3, department_code=["PSB", None, "NOT_CONFIGURED"])
    result = load(database, [write_csv(tmp_path / "orders.csv", rows)], CONSULTATIONS)

    assert [(f.rows_loaded, f.rows_rejected, f.rows_flagged) for f in result.files] == [(3, 0, 1)]
    assert [(r[1], r[2], r[4], r[5]) for r in quarantine(database)] == [
        (3, "department_code", "missing_department", "flagged")
    ]
    assert query(
        database, "select count(*) filter (where department_code is null) from raw.consultations"
    ) == [(1,)]
    assert_conserved(database)


def test_duplicates_in_a_file_and_across_files_and_newer_versions(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    rows = order_rows(3)
    first = write_csv(tmp_path / "a" / "orders_1.csv", pl.concat([rows, rows.slice(1, 1)]))
    load(database, [first], CONSULTATIONS)
    # a re-export: the same three versions, and a newer version of order 0 (now rated 2)
    newer = rows.slice(0, 1).with_columns(
        pl.col("updated_at") + dt.timedelta(days=2), pl.lit(2).cast(pl.Int64).alias("rating")
    )
    second = write_csv(tmp_path / "b" / "orders_2.csv", pl.concat([rows, newer]))
    result = load(database, [second], CONSULTATIONS)

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(4, 1, 3)]
    assert [(r[0], r[1], r[4]) for r in quarantine(database)] == [
        ("orders_1.csv", 5, "duplicate_row"),
        ("orders_2.csv", 2, "already_loaded"),
        ("orders_2.csv", 3, "already_loaded"),
        ("orders_2.csv", 4, "already_loaded"),
    ]
    assert query(
        database,
        "select rating, _source_file from raw.consultations "
        "where order_id = 'GD000000' order by updated_at",
    ) == [(4, "orders_1.csv"), (2, "orders_2.csv")]
    # a repeated call id is a duplicate too
    calls = call_rows(2)
    path = write_csv(tmp_path / "c" / "calls.csv", pl.concat([calls, calls.slice(0, 1)]))
    call_result = load(database, [path], HOTLINE_CALLS)
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in call_result.files] == [(3, 2, 1)]
    assert_conserved(database)


def test_gb18030_exports_with_chinese_headers_load_through_the_zh_mapping(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    orders = to_chinese(canonical(order_rows(3), CONSULTATIONS), CONSULTATIONS)
    assert "工单编号" in orders.columns and orders["诉求渠道"].to_list() == ["12345热线"] * 3
    calls = to_chinese(canonical(call_rows(2), HOTLINE_CALLS), HOTLINE_CALLS)
    order_path = write_csv(tmp_path / "o" / "工单.csv", orders, encoding="gb18030")
    call_path = write_csv(tmp_path / "c" / "话单.csv", calls, encoding="gb18030")

    result = load(database, [order_path], CONSULTATIONS)
    call_result = load(database, [call_path], HOTLINE_CALLS)

    assert [(f.status, f.rows_loaded, f.mapping) for f in result.files] == [
        ("loaded", 3, "govwh_zh")
    ]
    assert [(f.status, f.rows_loaded) for f in call_result.files] == [("loaded", 2)]
    assert query(
        database, "select distinct channel, kind, status, rating, solved from raw.consultations"
    ) == [("hotline", "complaint", "closed", 4, True)]
    assert query(database, "select distinct outcome from raw.hotline_calls") == [("answered",)]
    assert query(database, "select distinct encoding from ops.load_manifest") == [("gb18030",)]
    assert_conserved(database)


def test_citizen_identifiers_are_pseudonymised(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load(database, [write_csv(tmp_path / "orders.csv", order_rows(1))], CONSULTATIONS)

    ((name, phone),) = query(database, "select citizen_name, citizen_phone from raw.consultations")
    assert name == hmac_python(SECRET, "李四")
    assert phone == hmac_python(SECRET, "13900000000")
