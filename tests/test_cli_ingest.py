"""`govwh load` and `govwh rejects` as a user runs them: a vendor's export loaded by hand,
its bad rows listed, the same export loaded again changing nothing, and real data refused
without the personal-data key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_ingestion import ZH_MAPPING, case_rows, write_csv
from typer.testing import CliRunner

from govwh.cli import app
from govwh.ingestion.pseudonymise import PII_KEY_ENV
from govwh.settings import Settings


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _raw_count(settings: Settings) -> int | None:
    """Rows in raw.case_logs, None when there is no such table (or no warehouse)."""
    if not settings.warehouse_path.exists():
        return None
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        exists = connection.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'raw' and table_name = 'case_logs'"
        ).fetchall()[0][0]
        if not exists:
            return None
        return connection.execute("select count(*) from raw.case_logs").fetchall()[0][0]


@pytest.fixture
def environment(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    point_environment_at(isolated_settings, tmp_path / "dagster_home")
    monkeypatch.setenv(PII_KEY_ENV, "a-test-secret")
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: rich wraps cells to its width
    return isolated_settings


def _export(folder: Path) -> Path:
    """Five case versions; row 3 accepted before it was submitted, row 5 with rating 9."""
    rows = case_rows(5)
    submitted = rows["submitted_at"]
    rows = rows.with_columns(
        accepted_at=pl.when(pl.int_range(pl.len()) == 2)
        .then(submitted - dt.timedelta(hours=1))
        .otherwise(pl.col("accepted_at")),
        rating=pl.when(pl.int_range(pl.len()) == 4).then(9).otherwise(pl.col("rating")),
    )
    return write_csv(folder / "export_2018_07.csv", rows)


def test_load_lists_rejects_and_loads_each_file_once(environment: Settings, tmp_path: Path) -> None:
    export = _export(tmp_path / "vendor")

    first = _invoke("load", str(export), "--source", "case_logs")

    assert first.exit_code == 0, first.output
    assert "export_2018_07.csv" in first.output and "loaded" in first.output
    assert "2 rows rejected" in first.output
    assert _raw_count(environment) == 3

    rejects = _invoke("rejects")
    assert rejects.exit_code == 0, rejects.output
    # the file, the row number and the reason of each rejected row
    assert "export_2018_07.csv" in rejects.output
    assert "accepted_before_submitted" in rejects.output
    assert "rating" in rejects.output

    again = _invoke("load", str(export), "--source", "case_logs")
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert _raw_count(environment) == 3


def test_load_through_a_mapping_names_a_missing_column(
    environment: Settings, tmp_path: Path
) -> None:
    # a vendor's export without the channel column, read through the Chinese-headers mapping
    export = write_csv(tmp_path / "vendor" / "cases.csv", case_rows(2).drop("channel"))

    result = _invoke("load", str(export), "--source", "case_logs", "--mapping", str(ZH_MAPPING))

    assert result.exit_code == 1
    assert "failed" in result.output
    assert "channel" in result.output and "申报渠道" in result.output
    assert "govwh_zh" in result.output
    assert _raw_count(environment) in (None, 0)


def test_load_refuses_real_data_without_the_key(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    point_environment_at(isolated_settings, tmp_path / "dagster_home")
    monkeypatch.delenv(PII_KEY_ENV, raising=False)
    export = write_csv(tmp_path / "vendor" / "cases.csv", case_rows(2))

    result = _invoke("load", str(export), "--source", "case_logs")

    assert result.exit_code == 1
    assert PII_KEY_ENV in result.output
    assert _raw_count(isolated_settings) in (None, 0)


def test_unload_and_load_replace_say_what_they_removed(
    environment: Settings, tmp_path: Path
) -> None:
    export = _export(tmp_path / "vendor")
    assert _invoke("load", str(export), "--source", "case_logs").exit_code == 0

    unloaded = _invoke("unload", str(export))

    assert unloaded.exit_code == 0, unloaded.output
    assert "export_2018_07.csv" in unloaded.output
    assert "3 rows removed from raw.case_logs" in unloaded.output
    assert "2 from ops.load_quarantine" in unloaded.output
    assert _raw_count(environment) == 0
    again = _invoke("unload", str(export))
    assert again.exit_code == 1 and "unloaded already" in again.output

    assert _invoke("load", str(export), "--source", "case_logs").exit_code == 0
    assert _raw_count(environment) == 3
    replaced = _invoke("load", str(export), "--source", "case_logs", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "replaced by export_2018_07.csv: unloaded" in replaced.output
    assert "3 rows removed" in replaced.output
    assert _raw_count(environment) == 3

    missing = _invoke("unload", "no_such_export.csv")
    assert missing.exit_code == 1 and "no load matches no_such_export.csv" in missing.output


def test_rejects_of_one_file_list_only_that_file(environment: Settings, tmp_path: Path) -> None:
    export = _export(tmp_path / "vendor")
    other = write_csv(tmp_path / "vendor" / "other.csv", case_rows(2, first=50, rating=[9, 5]))
    broken = write_csv(tmp_path / "vendor" / "broken.csv", case_rows(2, first=80).drop("status"))
    for path in (export, other, broken):
        _invoke("load", str(path), "--source", "case_logs")

    listed = _invoke("rejects", "--file", str(export))  # a path names its file

    assert listed.exit_code == 0, listed.output
    assert "export_2018_07.csv" in listed.output
    assert "other.csv" not in listed.output
    assert "broken.csv" not in listed.output  # a file that failed is another file too
    failed = _invoke("rejects", "--file", "broken.csv")
    assert "file not loaded" in failed.output and "status" in failed.output
    assert "export_2018_07.csv" not in failed.output


def test_an_empty_file_unloads_too(environment: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "vendor" / "empty.csv"
    empty.parent.mkdir()
    empty.touch()
    assert _invoke("load", str(empty), "--source", "case_logs").exit_code == 0

    unloaded = _invoke("unload", str(empty))

    assert unloaded.exit_code == 0, unloaded.output
    assert "0 rows removed from raw.case_logs" in unloaded.output
