"""Hand-written bad files: each gives its documented result, and rows always add up.

docs/ingestion.md ("What happens to a bad file") is the contract these tests check: a file
that cannot be read at all is recorded as failed with a message naming the problem (and the
column and mapping, for a missing column); a bad row is rejected into ops.load_quarantine
with its row number, column, value and reason; the rest of the file is loaded. For every
file, rows read = rows loaded + rows rejected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.ingestion.checks import conservation_sql
from govwh.ingestion.loader import LoadResult, load_files
from govwh.ingestion.mapping import MAPPINGS_DIR
from govwh.ingestion.pseudonymise import PseudonymisationKey, hmac_python
from govwh.ingestion.schemas import CASE_LOGS, SERVICE_ITEMS, SOURCES, SourceSchema

SECRET = "test-secret"
KEY = PseudonymisationKey.from_secret(SECRET)
ZH_MAPPING = MAPPINGS_DIR / "govwh_zh.yaml"


def case_rows(count: int, first: int = 0, **overrides: list) -> pl.DataFrame:
    """`count` valid case versions (English headers, canonical vocabulary)."""
    submitted = [dt.datetime(2018, 7, 2, 9, 0) + dt.timedelta(hours=i) for i in range(count)]
    frame = pl.DataFrame(
        {
            "case_id": [f"SZ{first + i:06d}" for i in range(count)],
            "item_code": ["411900000010100001"] * count,
            "department_code": ["PSB"] * count,
            "region_code": ["411900"] * count,
            "applicant_type": ["person"] * count,
            "applicant_id": [f"41190319880101{first + i:04d}" for i in range(count)],
            "applicant_name": ["张三"] * count,
            "applicant_phone": [f"1380000{first + i:04d}" for i in range(count)],
            "channel": ["online_web"] * count,
            "assisted_online": [False] * count,
            "submitted_at": submitted,
            "accepted_at": [s + dt.timedelta(hours=1) for s in submitted],
            "completed_at": [s + dt.timedelta(days=2) for s in submitted],
            "status": ["completed"] * count,
            "decision": ["approved"] * count,
            "suspended_days": [0] * count,
            "trips": [1] * count,
            "result_delivery": ["post"] * count,
            "rating": [5] * count,
            "updated_at": [s + dt.timedelta(days=2) for s in submitted],
        }
    )
    return frame.with_columns(pl.Series(k, v, dtype=frame[k].dtype) for k, v in overrides.items())


def canonical(frame: pl.DataFrame, source: SourceSchema = CASE_LOGS) -> pl.DataFrame:
    """`frame` with every canonical column (missing ones null), in order and typed."""
    missing = [
        pl.lit(None, dtype).alias(c)
        for c, dtype in source.columns.items()
        if c not in frame.columns
    ]
    return frame.with_columns(missing).select(list(source.columns)).cast(source.columns)


def write_csv(path: Path, frame: pl.DataFrame, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.write_csv(datetime_format="%Y-%m-%d %H:%M:%S")
    path.write_bytes(text.encode(encoding))
    return path


def load(
    database: Path,
    files: list[Path],
    source: SourceSchema = CASE_LOGS,
    mapping: Path | None = None,
) -> LoadResult:
    with duckdb.connect(str(database)) as connection:
        return load_files(connection, source, files, KEY, mapping)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def assert_conserved(database: Path) -> None:
    """Every loaded file adds up, in the manifest, the raw tables and the quarantine."""
    manifest = query(
        database,
        "select file_name, rows_read, rows_loaded, rows_rejected from ops.load_manifest "
        "where status in ('loaded', 'empty')",
    )
    for name, read, loaded, rejected in manifest:
        assert read == loaded + rejected, name
    with duckdb.connect(str(database), read_only=True) as connection:
        for source in SOURCES.values():
            exists = connection.execute(
                "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?",
                [source.name],
            ).fetchall()[0][0]
            if exists:
                problems = connection.execute(conservation_sql(source), [source.name]).fetchall()
                assert problems == [], problems


def quarantine(database: Path) -> list[tuple]:
    return query(
        database,
        "select file_name, row_number, column_name, value, reason_code, action "
        "from ops.load_quarantine order by file_name, row_number, reason_code",
    )


def test_good_csv_loads_every_row(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    result = load(database, [write_csv(tmp_path / "cases.csv", case_rows(3))])

    assert [(f.status, f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [
        ("loaded", 3, 3, 0)
    ]
    assert query(database, "select count(*), count(distinct _loaded_at) from raw.case_logs") == [
        (3, 1)
    ]
    assert_conserved(database)


def test_wrong_encoding_fails_the_file_naming_the_encoding(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = case_rows(2).with_columns(pl.lit("嵩州恒泰物流有限公司").alias("applicant_name"))
    gb = write_csv(tmp_path / "gb" / "cases.csv", frame, encoding="gb18030")
    declared_utf8 = tmp_path / "utf8_mapping.yaml"
    declared_utf8.write_text(
        "name: vendor_utf8\nencoding: utf-8\nsources:\n  case_logs: {columns: {}}\n",
        encoding="utf-8",
    )

    result = load(database, [gb], mapping=declared_utf8)

    (failed,) = result.failed
    assert "not valid UTF-8" in str(failed.error)
    assert "GB18030" in str(failed.error)
    assert query(database, "select count(*) from raw.case_logs") == [(0,)]
    assert query(database, "select status from ops.load_manifest") == [("failed",)]
    # the same file with the encoding detected loads whole
    detected = load(database, [gb])
    assert [(f.status, f.rows_loaded) for f in detected.files] == [("loaded", 2)]
    assert query(database, "select encoding from ops.load_manifest where status = 'loaded'") == [
        ("gb18030",)
    ]
    assert_conserved(database)


def test_missing_required_column_names_the_column_and_the_mapping(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    zh = case_rows(2).rename({"case_id": "办件编号", "item_code": "事项实施编码"}).drop("status")
    path = write_csv(tmp_path / "cases_zh.csv", zh.rename({"channel": "申报渠道"}))

    result = load(database, [path], mapping=ZH_MAPPING)

    (failed,) = result.failed
    assert "required column(s)" in str(failed.error)
    assert "status" in str(failed.error) and "办件状态" in str(failed.error)
    assert "govwh_zh" in str(failed.error) and str(ZH_MAPPING) in str(failed.error)
    assert query(database, "select count(*) from raw.case_logs") == [(0,)]


def test_truncated_last_line_is_rejected_and_the_rest_loaded(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "cases.csv", case_rows(4))
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rstrip("\n").rfind(",2018-07-")], encoding="utf-8")

    result = load(database, [path])

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(4, 3, 1)]
    ((name, row, column, value, code, action),) = quarantine(database)
    assert (name, row, column, code, action) == ("cases.csv", 5, None, "malformed_row", "rejected")
    assert not any(ch.isdigit() for ch in value)  # masked: the line holds personal data
    assert_conserved(database)


def test_a_line_of_the_wrong_width_has_one_reason_with_its_field_count(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "cases.csv", case_rows(4))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += ',"a note, with a comma",extra'  # 22 fields (DuckDB: "Found: 21; Found: 22")
    lines[2] = ",".join(lines[2].split(",")[:5])  # 5 fields
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    load(database, [path])

    assert query(
        database,
        "select row_number, reason from ops.load_quarantine where reason_code = 'malformed_row' "
        "order by row_number",
    ) == [
        (2, "line has 22 fields, the header has 20"),
        (3, "line has 5 fields, the header has 20"),
    ]
    assert_conserved(database)


def test_bad_dates_are_rejected_and_local_formats_parsed(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = case_rows(5).with_columns(pl.col("submitted_at").dt.strftime("%Y-%m-%d %H:%M:%S"))
    frame = frame.with_columns(
        pl.Series(
            "submitted_at",
            ["2018/7/2 9:03", "20180702100000", "43283.4583333", "2018-13-45 10:00", "soon"],
        )
    )
    path = write_csv(tmp_path / "cases.csv", frame)

    result = load(database, [path])

    assert [(f.rows_loaded, f.rows_rejected) for f in result.files] == [(3, 2)]
    assert query(database, "select submitted_at from raw.case_logs order by case_id") == [
        (dt.datetime(2018, 7, 2, 9, 3),),
        (dt.datetime(2018, 7, 2, 10, 0),),
        (dt.datetime(2018, 7, 2, 11, 0),),  # Excel serial day
    ]
    assert [(r[1], r[2], r[3], r[4]) for r in quarantine(database)] == [
        (5, "submitted_at", "2018-13-45 10:00", "invalid_value"),
        (6, "submitted_at", "soon", "invalid_value"),
    ]
    assert_conserved(database)


def test_duplicates_in_a_file_and_across_files(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    rows = case_rows(3)
    first = write_csv(tmp_path / "a" / "cases_1.csv", pl.concat([rows, rows.slice(1, 1)]))
    load(database, [first])
    # a re-export: the same three versions, and a newer version of case 0 (now rated)
    newer = rows.slice(0, 1).with_columns(
        pl.col("updated_at") + dt.timedelta(days=3), pl.lit(4).cast(pl.Int64).alias("rating")
    )
    second = write_csv(tmp_path / "b" / "cases_2.csv", pl.concat([rows, newer]))
    result = load(database, [second])

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(4, 1, 3)]
    reasons = [(r[0], r[1], r[4]) for r in quarantine(database)]
    assert reasons == [
        ("cases_1.csv", 5, "duplicate_row"),
        ("cases_2.csv", 2, "already_loaded"),
        ("cases_2.csv", 3, "already_loaded"),
        ("cases_2.csv", 4, "already_loaded"),
    ]
    # history kept: case 0 has two versions, the later one loaded later
    assert query(
        database,
        "select rating, _source_file from raw.case_logs where case_id = 'SZ000000' "
        "order by updated_at",
    ) == [(5, "cases_1.csv"), (4, "cases_2.csv")]
    assert_conserved(database)


def test_unknown_item_codes_are_loaded_and_flagged(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        from govwh.ingestion.loader import ensure_raw_table

        ensure_raw_table(connection, SERVICE_ITEMS)
        connection.execute(
            "insert into raw.service_items (snapshot_date, item_code) "
            "values ('2018-07-01', '411900000010100001')"
        )
    frame = case_rows(2, item_code=["411900000010100001", "UNKNOWN0001"])

    result = load(database, [write_csv(tmp_path / "cases.csv", frame)])

    assert [(f.rows_loaded, f.rows_rejected, f.rows_flagged) for f in result.files] == [(2, 0, 1)]
    assert [(r[1], r[3], r[4], r[5]) for r in quarantine(database)] == [
        (3, "UNKNOWN0001", "unknown_item_code", "flagged")
    ]
    assert_conserved(database)


def test_row_rules_negative_durations_and_friends(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    base = case_rows(6)
    frame = base.with_columns(
        completed_at=pl.when(pl.int_range(6) == 0)
        .then(pl.col("accepted_at") - dt.timedelta(hours=2))
        .otherwise(pl.col("completed_at")),
        trips=pl.Series([1, -1, 1, 1, 1, 1]),
        rating=pl.Series([5, 5, 6, 5, 5, 5]),
        channel=pl.Series(["online_web", "online_web", "online_web", "网上", "online_web", "mail"]),
        updated_at=pl.when(pl.int_range(6) == 4)
        .then(pl.lit(dt.datetime(2099, 1, 1)))
        .otherwise(pl.col("updated_at")),
    )

    result = load(database, [write_csv(tmp_path / "cases.csv", frame)])

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(6, 1, 5)]
    assert [(r[1], r[2], r[4]) for r in quarantine(database)] == [
        (2, "completed_at", "negative_duration"),
        (3, "trips", "negative_value"),
        (4, "rating", "out_of_range"),
        (5, "channel", "not_in_vocabulary"),
        (6, "updated_at", "future_date"),
    ]
    assert_conserved(database)


def test_empty_files_load_nothing_and_are_recorded(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = write_csv(tmp_path / "header_only.csv", case_rows(0))

    result = load(database, [empty, header_only])

    assert [(f.status, f.rows_read) for f in result.files] == [("empty", 0), ("loaded", 0)]
    assert query(database, "select count(*) from raw.case_logs") == [(0,)]
    assert load(database, [empty, header_only]).count("skipped") == 2
    assert_conserved(database)


def test_extra_columns_are_ignored_and_named_in_the_manifest(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = case_rows(2).with_columns(
        pl.lit("备注").alias("备注"), pl.lit("913100007109283719").alias("统一社会信用代码")
    )

    result = load(database, [write_csv(tmp_path / "cases.csv", frame)])

    assert [(f.status, f.rows_loaded) for f in result.files] == [("loaded", 2)]
    assert query(database, "select extra_columns from ops.load_manifest") == [
        ("备注, 统一社会信用代码",)
    ]
    assert_conserved(database)


def test_identifiers_are_hashed_in_raw_and_in_the_quarantine(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = case_rows(2, applicant_id=["411903198801010000", "411903198801010001"])
    frame = frame.with_columns(pl.Series("submitted_at", [frame["submitted_at"][0], None]))
    load(database, [write_csv(tmp_path / "cases.csv", frame)])

    assert query(database, "select applicant_id, applicant_name from raw.case_logs") == [
        (hmac_python(SECRET, "411903198801010000"), hmac_python(SECRET, "张三"))
    ]
    dump = str(query(database, "select * from ops.load_quarantine"))
    assert "411903198801010001" not in dump and "张三" not in dump


@pytest.mark.parametrize("declared", ["auto", "gb18030"])
def test_gb18030_with_chinese_headers_loads_through_the_zh_mapping(
    tmp_path: Path, declared: str
) -> None:
    database = tmp_path / "w.duckdb"
    from govwh.demo.export import to_chinese

    frame = to_chinese(canonical(case_rows(3)), CASE_LOGS)
    path = write_csv(tmp_path / "cases.csv", frame, encoding="gb18030")
    mapping = tmp_path / "vendor.yaml"
    mapping.write_text(
        ZH_MAPPING.read_text(encoding="utf-8").replace("encoding: auto", f"encoding: {declared}"),
        encoding="utf-8",
    )

    result = load(database, [path], mapping=mapping)

    assert [(f.status, f.rows_loaded) for f in result.files] == [("loaded", 3)]
    assert query(
        database, "select distinct channel, rating, assisted_online from raw.case_logs"
    ) == [("online_web", 5, False)]


@pytest.mark.parametrize(("suffix", "delimiter"), [(".tsv", "\t"), (".txt", "|"), (".csv", ";")])
def test_delimited_text_under_any_name_loads_like_csv(
    tmp_path: Path, suffix: str, delimiter: str
) -> None:
    """Tab-separated exports and ".txt" dumps: the delimiter is detected, every row loads."""
    database = tmp_path / "w.duckdb"
    path = tmp_path / f"cases{suffix}"
    path.write_text(
        case_rows(4).write_csv(separator=delimiter, datetime_format="%Y-%m-%d %H:%M:%S"),
        encoding="utf-8",
    )

    result = load(database, [path])

    assert [(f.status, f.rows_read, f.rows_loaded) for f in result.files] == [("loaded", 4, 4)]
    assert query(database, "select count(distinct case_id) from raw.case_logs") == [(4,)]
    assert_conserved(database)


def test_hall_ticket_left_at_is_after_the_ticket_and_only_for_the_abandoned(
    tmp_path: Path,
) -> None:
    database = tmp_path / "w.duckdb"
    taken = dt.datetime(2024, 3, 4, 9, 30)
    tickets = pl.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4"],
            "hall_code": ["H1"] * 4,
            "business_type": ["consultation"] * 4,
            "ticket_taken_at": [taken] * 4,
            "outcome": ["abandoned", "abandoned", "abandoned", "served"],
            "left_at": [
                taken + dt.timedelta(minutes=25),  # exact patience
                None,  # left unrecorded: censored
                taken - dt.timedelta(minutes=5),  # before the ticket
                taken + dt.timedelta(minutes=5),  # served, yet left
            ],
        }
    )
    tickets_schema = SOURCES["hall_tickets"]
    frame = canonical(tickets, tickets_schema)

    result = load(database, [write_csv(tmp_path / "tickets.csv", frame)], tickets_schema)

    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [(4, 2, 2)]
    assert [(r[1], r[2], r[4]) for r in quarantine(database)] == [
        (4, "left_at", "left_before_taken"),  # row numbers count the header line
        (5, "left_at", "left_but_not_abandoned"),
    ]
    assert query(database, "select ticket_id, left_at from raw.hall_tickets order by 1") == [
        ("T1", taken + dt.timedelta(minutes=25)),
        ("T2", None),
    ]
    assert_conserved(database)


def test_mappings_are_read_once_per_folder_and_not_for_files_already_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a daily load lists every earlier file of the landing folder and skips it by checksum:
    # reading the built-in mappings for each of them cost seconds a day at city scale
    import govwh.ingestion.loader as loader

    reads: list[Path] = []
    real_candidates = loader.mapping_candidates

    def counted(*args, **kwargs):
        reads.append(args[2] if len(args) > 2 else kwargs.get("folder"))
        return real_candidates(*args, **kwargs)

    monkeypatch.setattr(loader, "mapping_candidates", counted)
    database = tmp_path / "w.duckdb"
    months = [write_csv(tmp_path / f"cases_{n}.csv", case_rows(2, first=10 * n)) for n in range(3)]
    assert [f.status for f in load(database, months).files] == ["loaded"] * 3
    assert reads == [tmp_path]

    reads.clear()
    new_day = write_csv(tmp_path / "cases_3.csv", case_rows(2, first=30))
    statuses = [f.status for f in load(database, [*months, new_day]).files]
    assert statuses == ["skipped", "skipped", "skipped", "loaded"]
    assert reads == [tmp_path]

    reads.clear()
    assert {f.status for f in load(database, [*months, new_day]).files} == {"skipped"}
    assert reads == []
    assert_conserved(database)
