"""Whole-file copies of the warehouse (govwh.warehouse.copies): written past the page cache
where the file system allows it, through it where not, the same bytes either way."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from govwh.warehouse import copies
from govwh.warehouse.copies import publish_serving_copy, replace_atomically


def _source(tmp_path: Path) -> Path:
    # two whole chunks and a tail that is no multiple of the block size
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(2 * copies._CHUNK_BYTES + 12_345))
    return source


def test_a_direct_copy_has_the_source_bytes(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "direct.bin"
    if not copies._copy_direct(source, target):
        pytest.skip(f"no direct I/O on the file system of {tmp_path}")
    assert target.read_bytes() == source.read_bytes()
    # a smaller source over a larger file: cut to the source's size
    small = tmp_path / "small.bin"
    small.write_bytes(b"govwh")
    assert copies._copy_direct(small, target)
    assert target.read_bytes() == b"govwh"


def test_without_direct_io_the_copy_goes_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path)
    monkeypatch.delattr(os, "O_DIRECT", raising=False)
    assert not copies._copy_direct(source, tmp_path / "unused.bin")
    target = tmp_path / "serving" / "copy.bin"
    assert replace_atomically(source, target) == source.stat().st_size
    assert target.read_bytes() == source.read_bytes()
    assert list(target.parent.iterdir()) == [target]  # no partial file left


def test_the_published_copy_opens_with_every_row(tmp_path: Path) -> None:
    warehouse = tmp_path / "govwh.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table cases as select range as case_id from range(300000)")
        connection.execute("insert into cases select range + 300000 from range(1000)")
    serving = tmp_path / "serving" / "govwh.duckdb"
    publish_serving_copy(warehouse, serving)
    with duckdb.connect(str(serving), read_only=True) as connection:
        assert connection.execute("select count(*), max(case_id) from cases").fetchone() == (
            301_000,
            300_999,
        )
