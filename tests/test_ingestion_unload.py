"""The fix-and-reload loop: a load taken back out (`unload_load`, `load_files(replace=True)`)
leaves the warehouse as if it had never been loaded, keeps its manifest row, and the same file
loads again to exactly the rows it gave the first time."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from test_ingestion import KEY, assert_conserved, case_rows, load, query, write_csv

from govwh.ingestion import ops
from govwh.ingestion.loader import load_files
from govwh.ingestion.schemas import CASE_LOGS
from govwh.ingestion.unload import NothingToUnloadError, find_load, unload_load


def _exports(folder: Path) -> tuple[Path, Path]:
    """Two exports: the first with one rating out of range (rejected), the second clean."""
    first = write_csv(folder / "cases_2018_07.csv", case_rows(5, rating=[5, 9, 4, 5, 3]))
    second = write_csv(folder / "cases_2018_08.csv", case_rows(4, first=100))
    return first, second


def _raw_rows(database: Path) -> list[tuple]:
    """Every raw row, every column but the load time."""
    return query(database, "select * exclude (_loaded_at) from raw.case_logs order by all")


def _quarantine_counts(database: Path) -> list[tuple]:
    return query(
        database,
        "select file_name, reason_code, action, count(*) from ops.load_quarantine "
        "group by all order by all",
    )


def _manifest(database: Path) -> list[tuple]:
    return query(
        database,
        "select file_name, status, unloaded_at is not null from ops.load_manifest "
        "order by started_at",
    )


def _unload(database: Path, target: str, source: str | None = None) -> ops.Removed:
    with duckdb.connect(str(database)) as connection:
        return unload_load(connection, target, source)


def test_unload_then_reload_gives_the_same_rows(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, second = _exports(tmp_path / "landing")
    load(database, [first, second])
    raw_before, rejects_before = _raw_rows(database), _quarantine_counts(database)

    removed = _unload(database, str(first))

    assert (removed.file_name, removed.rows_raw, removed.rows_loaded) == (first.name, 4, 4)
    assert removed.rows_quarantine == 1
    assert query(database, "select distinct _source_file from raw.case_logs") == [(second.name,)]
    assert query(database, "select distinct file_name from ops.load_quarantine") == []
    assert _manifest(database) == [(first.name, "unloaded", True), (second.name, "loaded", False)]
    assert_conserved(database)  # the loads still loaded add up; the unloaded one is history

    reloaded = load(database, [first, second])

    assert [(f.path.name, f.status) for f in reloaded.files] == [
        (first.name, "loaded"),
        (second.name, "skipped"),  # still loaded
    ]
    assert _raw_rows(database) == raw_before
    assert _quarantine_counts(database) == rejects_before
    assert _manifest(database) == [
        (first.name, "unloaded", True),
        (second.name, "loaded", False),
        (first.name, "loaded", False),
    ]
    assert_conserved(database)


def test_a_load_is_found_by_content_path_name_or_id(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, second = _exports(tmp_path / "landing")
    load(database, [first, second])
    (load_id,) = query(
        database, f"select load_id from ops.load_manifest where file_name = '{second.name}'"
    )[0]
    copy = tmp_path / "elsewhere" / "renamed.csv"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())

    with duckdb.connect(str(database)) as connection:
        assert find_load(connection, str(copy)).file_name == first.name  # by content
        assert find_load(connection, load_id).file_name == second.name
        assert find_load(connection, second.name, "case_logs").load_id == load_id
        with pytest.raises(NothingToUnloadError, match="no load of hall_tickets"):
            find_load(connection, str(first), "hall_tickets")
        with pytest.raises(NothingToUnloadError, match="no load matches"):
            find_load(connection, "never_loaded.csv")

    _unload(database, load_id)
    with pytest.raises(NothingToUnloadError, match="unloaded already"):
        _unload(database, load_id)
    # a file whose export was deleted: by its path as loaded
    first.unlink()
    assert _unload(database, str(first)).rows_raw == 4
    assert query(database, "select count(*) from raw.case_logs") == [(0,)]


def test_of_several_loads_the_latest_is_unloaded(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, _ = _exports(tmp_path / "landing")
    load(database, [first])
    # the export corrected in place (a new content at the same path) and loaded beside it
    write_csv(first, case_rows(5, first=50))
    load(database, [first])

    removed = _unload(database, str(first))

    assert removed.rows_raw == 5  # the corrected export's rows
    assert query(database, "select min(case_id) from raw.case_logs") == [("SZ000000",)]
    assert [s for _, s, _ in _manifest(database)] == ["loaded", "unloaded"]


def test_load_replace_unloads_the_earlier_load_in_the_same_command(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, second = _exports(tmp_path / "landing")
    load(database, [first, second])
    write_csv(first, case_rows(5, rating=[5, 5, 4, 5, 3]))  # the rating corrected

    with duckdb.connect(str(database)) as connection:
        result = load_files(connection, CASE_LOGS, [first, second], KEY, replace=True)

    replaced = {
        f.path.name: [(r.rows_raw, r.rows_quarantine) for r in f.replaced] for f in result.files
    }
    assert replaced == {first.name: [(4, 1)], second.name: [(4, 0)]}
    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in result.files] == [
        ("loaded", 5, 0),
        ("loaded", 4, 0),  # the same content loaded again: same rows, not already_loaded
    ]
    assert query(database, "select count(*) from raw.case_logs") == [(9,)]
    assert _quarantine_counts(database) == []
    assert [s for _, s, _ in _manifest(database)] == ["unloaded"] * 2 + ["loaded"] * 2
    assert_conserved(database)


def test_load_replace_keeps_the_earlier_load_when_the_new_file_fails(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, _ = _exports(tmp_path / "landing")
    load(database, [first])
    write_csv(first, case_rows(5).drop("status"))  # a required column missing

    with duckdb.connect(str(database)) as connection:
        result = load_files(connection, CASE_LOGS, [first], KEY, replace=True)

    assert [f.status for f in result.files] == ["failed"]
    assert query(database, "select count(*) from raw.case_logs") == [(4,)]
    assert [s for _, s, _ in _manifest(database)] == ["loaded", "failed"]


def test_same_content_twice_with_replace_is_loaded_once(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    first, _ = _exports(tmp_path / "landing")
    copy = tmp_path / "landing" / "copy.csv"
    copy.write_bytes(first.read_bytes())

    with duckdb.connect(str(database)) as connection:
        result = load_files(connection, CASE_LOGS, [first, copy], KEY, replace=True)

    assert [f.status for f in result.files] == ["loaded", "skipped"]
    assert query(database, "select count(*) from raw.case_logs") == [(4,)]


def test_a_manifest_of_an_older_warehouse_gets_the_unloaded_at_column(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        ops.ensure_ops_tables(connection)
        connection.execute("alter table ops.load_manifest drop column unloaded_at")
    first, _ = _exports(tmp_path / "landing")

    load(database, [first])
    _unload(database, str(first))

    assert _manifest(database) == [(first.name, "unloaded", True)]
