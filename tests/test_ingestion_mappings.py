"""Source mappings and the formats: a vendor is onboarded with a YAML file, not code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import yaml
from test_ingestion import (
    ZH_MAPPING,
    assert_conserved,
    canonical,
    case_rows,
    load,
    quarantine,
    query,
    write_csv,
)

from govwh.demo.export import HEADERS_FILE
from govwh.ingestion.mapping import builtin_mappings, load_mapping
from govwh.ingestion.schemas import SERVICE_ITEMS, SOURCES


def test_the_zh_mapping_reads_the_generators_headers_backwards() -> None:
    headers = yaml.safe_load(HEADERS_FILE.read_text(encoding="utf-8"))
    for name in SOURCES:
        mapping = load_mapping(ZH_MAPPING, name)
        assert {c: h[0] for c, h in mapping.columns.items()} == headers[name]["columns"]
        for column, values in headers[name].get("values", {}).items():
            assert mapping.values[column] == {zh: str(en) for en, zh in values.items()}


def test_builtin_mappings_cover_every_source() -> None:
    for name in SOURCES:
        assert [m.mapping_name for m in builtin_mappings(name)] == ["govwh_en", "govwh_zh"]


VENDOR = """
name: vendor_x
encoding: auto
timezone: UTC            # this vendor exports UTC
sources:
  service_items:
    header_row: auto
    columns:
      snapshot_date: [发布日期]
      item_code: [事项编码, 实施编码]
      item_type: [类型]
      department_code: [部门]
      region_code: [区划]
      admin_level: [层级]
      depth_level: [深度]
      required_trips: [跑动]
      promised_limit_days: [承诺时限]
      status: [状态]
    values:
      item_type: {许可: licence}
      admin_level: {市: city}
      depth_level: {"1": "4", "2": "3", "3": "2", "4": "1"}   # numbered the other way round
      status: {有效: active}
  case_logs:
    columns:
      submitted_at: [submit_time]
    timestamp_formats: ["%d.%m.%Y %H:%M"]
"""


def _vendor_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "vendor_x.yaml"
    path.write_text(VENDOR, encoding="utf-8")
    return path


def test_a_vendor_mapping_renames_translates_and_finds_the_header_row(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    text = (
        "事项目录导出,2018年7月\n"  # a title line above the headers
        "\n"
        "发布日期,实施编码,类型,部门,区划,层级,深度,跑动,承诺时限,状态,备注\n"
        "2018/7/1,411900000010100001,许可,PSB,411900,市,1,0,5,有效,\n"
        "20180701,411900000010100002,许可,PSB,411900,市,4,2,0,有效,x\n"
    )
    path = tmp_path / "items.csv"
    path.write_bytes(text.encode("gb18030"))

    result = load(database, [path], SERVICE_ITEMS, _vendor_mapping(tmp_path))

    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in result.files] == [
        ("loaded", 2, 0)
    ], result.files
    assert query(
        database, "select snapshot_date, item_code, depth_level, admin_level from raw.service_items"
    ) == [
        (dt.date(2018, 7, 1), "411900000010100001", 4, "city"),
        (dt.date(2018, 7, 1), "411900000010100002", 1, "city"),
    ]
    assert query(database, "select header_row, extra_columns from ops.load_manifest") == [
        (3, "备注")
    ]


def test_timestamps_convert_from_the_mappings_time_zone(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = case_rows(1).with_columns(pl.lit("02.07.2018 01:00").alias("submitted_at"))
    frame = frame.rename({"submitted_at": "submit_time"})

    load(database, [write_csv(tmp_path / "c.csv", frame)], mapping=_vendor_mapping(tmp_path))

    # 01:00 UTC is 09:00 in Shanghai; the other timestamps are UTC too (+8 h)
    assert query(database, "select submitted_at, accepted_at from raw.case_logs") == [
        (dt.datetime(2018, 7, 2, 9, 0), dt.datetime(2018, 7, 2, 18, 0))
    ]


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    rows = case_rows(3).with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S"))
    lines = [json.dumps(r, ensure_ascii=False) for r in rows.to_dicts()]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([lines[0], lines[1][:40], lines[2]]) + "\n", encoding="utf-8")

    result = load(database, [path])

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(3, 2, 1)]
    assert [(r[1], r[4]) for r in quarantine(database)] == [(2, "malformed_row")]
    assert_conserved(database)


def test_xlsx_with_a_title_row_and_a_named_sheet(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    import xlsxwriter

    from govwh.demo.export import to_chinese
    from govwh.ingestion.schemas import CASE_LOGS

    frame = to_chinese(canonical(case_rows(3)), CASE_LOGS)
    path = tmp_path / "cases.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        workbook.add_worksheet("说明").write(0, 0, "首页")
        frame.write_excel(workbook, worksheet="办件", position="A3")
        workbook.get_worksheet_by_name("办件").write(0, 0, "办件信息导出")
    mapping = tmp_path / "zh_sheet.yaml"
    mapping.write_text(
        ZH_MAPPING.read_text(encoding="utf-8").replace(
            "timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nsheet: 办件"
        ),
        encoding="utf-8",
    )

    result = load(database, [path], mapping=mapping)

    assert [(f.status, f.rows_loaded) for f in result.files] == [("loaded", 3)], result.files
    assert query(database, "select header_row from ops.load_manifest") == [(3,)]
    assert query(database, "select count(distinct channel) from raw.case_logs") == [(1,)]
