"""Several files per transaction give exactly what loading them one by one gives.

The loader reads consecutive Parquet files of the same columns with one read_parquet and
loads a batch of files in one transaction (docs/ingestion.md, "Batches"). Each file must
still get its own manifest row, `_loaded_at`, counts and quarantine rows; a key re-delivered
by a later file of the same batch is `already_loaded`, as it would be a file later; a file
DuckDB cannot read fails alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
from test_ingestion import KEY, SECRET, assert_conserved, case_rows, query, write_csv

from govwh.ingestion.loader import LoadResult, load_files
from govwh.ingestion.pseudonymise import hmac_python
from govwh.ingestion.schemas import CASE_LOGS


def _parquet(path: Path, frame: pl.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def _files(folder: Path) -> list[Path]:
    """Four files: Parquet, Parquet, CSV, Parquet, with in-file duplicates, a row breaking a
    rule, re-deliveries of an earlier file's keys and a newer version of a case."""
    first = case_rows(50)
    rerun = first.slice(10, 5)  # re-delivered keys of the first file
    newer = first.slice(0, 1).with_columns(pl.col("updated_at") + dt.timedelta(days=1))
    second = pl.concat([case_rows(30, first=100), rerun, newer, case_rows(2, first=100)])
    third = case_rows(20, first=200, trips=[1] * 19 + [-1])
    fourth = pl.concat([case_rows(10, first=300), third.slice(0, 3), rerun.slice(0, 1)])
    return [
        _parquet(folder / "cases_1.parquet", first),
        _parquet(folder / "cases_2.parquet", second),
        write_csv(folder / "cases_3.csv", third),
        _parquet(folder / "cases_4.parquet", fourth),
    ]


def _load(database: Path, files: list[Path], batch_rows: int) -> LoadResult:
    with duckdb.connect(str(database)) as connection:
        return load_files(connection, CASE_LOGS, files, KEY, batch_rows=batch_rows)


def _content(database: Path) -> dict[str, list[tuple]]:
    """What a load leaves, without the load ids and times (they differ run to run)."""
    return {
        "raw": query(
            database,
            "select * exclude (_loaded_at) from raw.case_logs order by _source_file, case_id, "
            "updated_at",
        ),
        "quarantine": query(
            database,
            "select file_name, row_number, column_name, value, reason_code, reason, action "
            "from ops.load_quarantine order by all",
        ),
        "manifest": query(
            database,
            "select file_name, status, rows_read, rows_loaded, rows_rejected, rows_flagged "
            "from ops.load_manifest order by file_name",
        ),
    }


def test_one_batch_equals_one_file_at_a_time(tmp_path: Path) -> None:
    files = _files(tmp_path / "landing")
    batched, single = tmp_path / "batched.duckdb", tmp_path / "single.duckdb"

    result = _load(batched, files, batch_rows=10_000_000)
    _load(single, files, batch_rows=1)

    assert _content(batched) == _content(single)
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files] == [
        (50, 50, 0),
        (38, 31, 7),  # 5 re-delivered, 2 duplicates of this file's own rows
        (20, 19, 1),
        (14, 10, 4),  # 3 keys of the CSV, 1 of the first file
    ]
    reasons = query(
        batched,
        "select file_name, row_number, reason_code, reason from ops.load_quarantine "
        "where file_name = 'cases_4.parquet' order by row_number",
    )
    assert [r[:3] for r in reasons] == [
        ("cases_4.parquet", n, "already_loaded") for n in range(11, 15)
    ]
    assert reasons[-1][3].endswith("already loaded from cases_1.parquet")
    assert reasons[0][3].endswith("already loaded from cases_3.csv")
    assert query(
        batched,
        "select count(distinct load_id), count(distinct loaded_at) from ops.load_manifest",
    ) == [(4, 4)]
    # each file its own _loaded_at, in file order, equal to its manifest's
    assert query(
        batched,
        "select m.file_name from ops.load_manifest m join (select distinct _source_file, "
        "_loaded_at from raw.case_logs) r on r._source_file = m.file_name "
        "and r._loaded_at = m.loaded_at order by r._loaded_at",
    ) == [(f.name,) for f in files]
    assert_conserved(batched)
    assert_conserved(single)


def test_identifiers_hashed_whether_deduplicated_or_not(tmp_path: Path) -> None:
    # names repeat (hashed once per distinct value), ID numbers do not (hashed row by row)
    frame = case_rows(40).with_columns(
        pl.Series("applicant_name", ["张三", "李四"] * 20),
        pl.Series("applicant_phone", [None, " 13800000001 "] + ["13800000002"] * 38),
    )
    database = tmp_path / "w.duckdb"
    _load(database, [_parquet(tmp_path / "cases.parquet", frame)], batch_rows=10_000_000)

    expected = [
        (
            hmac_python(SECRET, row["applicant_id"]),
            hmac_python(SECRET, row["applicant_name"]),
            None
            if row["applicant_phone"] is None
            else hmac_python(SECRET, row["applicant_phone"].strip()),
        )
        for row in frame.iter_rows(named=True)
    ]
    assert (
        query(
            database,
            "select applicant_id, applicant_name, applicant_phone from raw.case_logs "
            "order by case_id",
        )
        == expected
    )


def test_an_unreadable_file_fails_alone_and_the_batch_loads(tmp_path: Path) -> None:
    folder = tmp_path / "landing"
    good = [_parquet(folder / f"cases_{i}.parquet", case_rows(20, first=100 * i)) for i in (1, 3)]
    broken = folder / "cases_2.parquet"
    _parquet(broken, case_rows(2_000, first=200))
    data = bytearray(broken.read_bytes())
    data[100:4000] = bytes(3900)  # data pages zeroed, footer intact: fails while reading rows
    broken.write_bytes(bytes(data))
    database = tmp_path / "w.duckdb"

    result = _load(database, [good[0], broken, good[1]], batch_rows=10_000_000)

    assert [(f.path.name, f.status, f.rows_loaded) for f in result.files] == [
        ("cases_1.parquet", "loaded", 20),
        ("cases_2.parquet", "failed", 0),
        ("cases_3.parquet", "loaded", 20),
    ]
    assert "cases_2.parquet cannot be read" in str(result.files[1].error)
    assert query(database, "select count(*) from raw.case_logs") == [(40,)]
    assert query(database, "select file_name, status from ops.load_manifest order by all") == [
        ("cases_1.parquet", "loaded"),
        ("cases_2.parquet", "failed"),
        ("cases_3.parquet", "loaded"),
    ]
    assert_conserved(database)


def test_the_same_content_twice_in_one_call_is_loaded_once(tmp_path: Path) -> None:
    first = _parquet(tmp_path / "a" / "cases.parquet", case_rows(5))
    copy = tmp_path / "b" / "cases.parquet"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    database = tmp_path / "w.duckdb"

    result = _load(database, [first, copy], batch_rows=10_000_000)

    assert [f.status for f in result.files] == ["loaded", "skipped"]
    assert query(database, "select count(*) from raw.case_logs") == [(5,)]
