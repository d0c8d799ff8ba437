"""A load killed half-way (SIGKILL, in a subprocess) leaves the warehouse as it was before
that file; the next run loads the file whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
from test_ingestion import assert_conserved, case_rows, load, write_csv

from govwh.ingestion.schemas import CASE_LOGS

# The child loads the files with the manifest write patched to stop inside the transaction,
# after the last file's manifest row: the raw rows and the quarantine rows are inserted, the
# manifest rows too, nothing committed (had each file its own transaction, the first ones
# would be committed by then).
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import duckdb
    from govwh.ingestion import ops
    from govwh.ingestion.loader import load_files
    from govwh.ingestion.pseudonymise import PseudonymisationKey
    from govwh.ingestion.schemas import CASE_LOGS

    database, marker, *paths = sys.argv[1:]
    record = ops.record
    recorded = []

    def record_then_hang(connection, entry):
        record(connection, entry)
        recorded.append(entry.file_name)
        if len(recorded) == len(paths):
            Path(marker).write_text("inside the transaction")
            time.sleep(600)

    ops.record = record_then_hang
    with duckdb.connect(database) as connection:
        files = [Path(p) for p in paths]
        load_files(connection, CASE_LOGS, files, PseudonymisationKey.from_secret("s"))
    """
)


def _snapshot(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            table: connection.execute(f"select * from {table} order by all").fetchall()
            for table in ("raw.case_logs", "ops.load_manifest", "ops.load_quarantine")
        }


def _kill_inside_the_transaction(database: Path, marker: Path, files: list[Path]) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(database), str(marker), *map(str, files)],
        cwd=Path(__file__).parent.parent,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the loading process ended before it was killed"
            assert time.monotonic() < deadline, "the load never reached its transaction"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_killed_load_leaves_the_warehouse_unchanged_then_recovers(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load(database, [write_csv(tmp_path / "cases_1.csv", case_rows(5))])
    before = _snapshot(database)
    second = write_csv(
        tmp_path / "cases_2.csv",
        case_rows(2_000, first=100, trips=[1] * 1_999 + [-1]),  # one row to quarantine too
    )

    _kill_inside_the_transaction(database, tmp_path / "inside", [second])

    assert _snapshot(database) == before  # nothing of cases_2.csv, not even a manifest row

    result = load(database, [second])
    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in result.files] == [
        ("loaded", 1_999, 1)
    ]
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(f"select count(*) from {CASE_LOGS.raw_table}").fetchall() == [
            (2_004,)
        ]
    assert_conserved(database)


def test_a_killed_batch_leaves_none_of_its_files(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load(database, [write_csv(tmp_path / "cases_1.csv", case_rows(5))])
    before = _snapshot(database)
    batch = [tmp_path / "cases_2.parquet", tmp_path / "cases_3.parquet"]
    case_rows(1_000, first=100).write_parquet(batch[0])
    case_rows(1_000, first=2_000).write_parquet(batch[1])

    # killed after the second file's manifest row: the first one's is recorded too
    _kill_inside_the_transaction(database, tmp_path / "inside", batch)

    assert _snapshot(database) == before
    result = load(database, batch)
    assert [(f.status, f.rows_loaded) for f in result.files] == [("loaded", 1_000)] * 2
    assert_conserved(database)


# The child transcodes a GB18030 export, then stops before reading it: the clear UTF-8 copy
# is on disk, where a killed process leaves it (no `finally`, no TemporaryDirectory cleanup).
TRANSCODING_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import duckdb
    from govwh.ingestion import readers
    from govwh.ingestion.loader import load_files
    from govwh.ingestion.pseudonymise import PseudonymisationKey
    from govwh.ingestion.schemas import CASE_LOGS

    database, marker, path = sys.argv[1:]
    transcode = readers.transcode_to_utf8

    def transcode_then_hang(*args):
        target = transcode(*args)
        Path(marker).write_text(str(target))
        time.sleep(600)

    readers.transcode_to_utf8 = transcode_then_hang
    with duckdb.connect(database) as connection:
        load_files(connection, CASE_LOGS, [Path(path)], PseudonymisationKey.from_secret("s"))
    """
)


def test_a_load_killed_while_transcoding_leaves_no_clear_copy_after_the_next_load(
    tmp_path: Path,
) -> None:
    database = tmp_path / "warehouse" / "w.duckdb"
    database.parent.mkdir()
    export = write_csv(tmp_path / "cases_gb.csv", case_rows(3), encoding="gb18030")
    marker = tmp_path / "transcoded"
    child = subprocess.Popen(
        [sys.executable, "-c", TRANSCODING_CHILD, str(database), str(marker), str(export)],
        cwd=Path(__file__).parent.parent,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert child.poll() is None, "the loading process ended before it was killed"
            assert time.monotonic() < deadline, "the load never transcoded the file"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    clear_copy = Path(marker.read_text())
    work_root = database.parent / "w.duckdb.load-tmp"

    # the clear copy is beside the warehouse, not somewhere in the system's temporary folder
    assert clear_copy.is_file() and clear_copy.is_relative_to(work_root)

    result = load(database, [write_csv(tmp_path / "cases_other.csv", case_rows(2, first=50))])

    assert [f.status for f in result.files] == ["loaded"]
    assert not work_root.exists()  # removed at the start of the load (and after it)
    assert [f.status for f in load(database, [export]).files] == ["loaded"]
    assert not work_root.exists()
