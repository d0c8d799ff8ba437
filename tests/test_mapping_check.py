"""`govwh mapping check`: a dry run of the real loader, rolled back. Its counts by reason are
those of the load that follows it (rules, duplicates within the file and against rows
already loaded, flags), it changes nothing in the warehouse, and it never shows a personal
identifier in clear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_ingestion import case_rows, write_csv
from typer.testing import CliRunner

from govwh.cli import app
from govwh.ingestion.check import CheckResult, check_file
from govwh.ingestion.dry_run import HIDDEN
from govwh.ingestion.loader import ensure_raw_table
from govwh.ingestion.pseudonymise import PII_KEY_ENV, PseudonymisationKey
from govwh.ingestion.schemas import SERVICE_ITEMS
from govwh.settings import Settings

REALDATA = Path(__file__).parent / "fixtures" / "realdata"
BOSTON = REALDATA / "boston311_2022-01_sample.csv"
KEY = PseudonymisationKey.from_secret("a-test-secret")
# Boston 311 onto case logs with a deliberately poor mapping, so that a check has rejections
# to count: `ward` mistaken for trips ("Ward 3" is no number), "Self Service" untranslated.
# The mapping that loads every row is docs/onboarding/boston311_case_logs.yaml.
BOSTON_MAPPING = """
name: boston311
sources:
  case_logs:
    columns:
      case_id: case_enquiry_id
      item_code: department
      department_code: department
      channel: source
      submitted_at: open_dt
      completed_at: closed_dt
      status: case_status
      trips: ward
      updated_at: open_dt
    values:
      status: {Closed: completed, Open: in_progress}
      channel: {Citizens Connect App: mobile_app, Constituent Call: other, City Worker App: other}
"""
EN_MAPPING = "name: en\nsources:\n  case_logs: {columns: {}, values: {}}\n"


@pytest.fixture
def environment(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    point_environment_at(isolated_settings, tmp_path / "dagster_home")
    monkeypatch.setenv(PII_KEY_ENV, "a-test-secret")
    monkeypatch.setenv("COLUMNS", "200")
    return isolated_settings


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _state(warehouse: Path) -> tuple[int, ...]:
    """Rows of the raw table, the manifest and the quarantine (what a check must not touch)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return tuple(
            connection.execute(f"select count(*) from {table}").fetchall()[0][0]
            for table in ("raw.case_logs", "ops.load_manifest", "ops.load_quarantine")
        )


def _loaded_issues(warehouse: Path, file_name: str) -> set[tuple[str, str | None, str, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select reason_code, column_name, action, count(distinct row_number) "
            "from ops.load_quarantine where file_name = ? group by all",
            [file_name],
        ).fetchall()
    return {(r, c, a, int(n)) for r, c, a, n in rows}


def _checked_issues(result: CheckResult) -> set[tuple[str, str | None, str, int]]:
    assert result.file.dry_run is not None
    return {(i.reason_code, i.column, i.action, i.rows) for i in result.file.dry_run.issues}


def _counts(result: CheckResult) -> tuple[int, int, int, int]:
    f = result.file
    return f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_flagged


def _load(settings: Settings, path: Path, mapping: Path) -> tuple[int, int, int, int]:
    result = _invoke("load", str(path), "--source", "case_logs", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        (row,) = connection.execute(
            "select rows_read, rows_loaded, rows_rejected, rows_flagged from ops.load_manifest "
            "where file_name = ? and status = 'loaded'",
            [path.name],
        ).fetchall()
    return row


def test_check_of_boston_counts_what_the_load_then_does(
    environment: Settings, tmp_path: Path
) -> None:
    mapping = tmp_path / "boston.yaml"
    mapping.write_text(BOSTON_MAPPING, encoding="utf-8")

    shown = _invoke(
        "mapping", "check", str(BOSTON), "--source", "case_logs", "--mapping", str(mapping)
    )
    assert shown.exit_code == 0, shown.output
    assert "a temporary empty warehouse" in shown.output
    assert "case_enquiry_id" in shown.output and "first 5 rows as typed" in shown.output
    assert "not_in_vocabulary" in shown.output and "invalid_value" in shown.output
    assert not environment.warehouse_path.exists()  # nothing written, not even a file

    checked = check_file(BOSTON, "case_logs", mapping, environment.warehouse_path, KEY)
    assert checked.warehouse is None
    read, loaded, rejected, _ = _counts(checked)
    assert read == 100 and rejected > 0 and loaded > 0
    assert f"rows read 100, would load {loaded}, would reject {rejected}" in shown.output
    assert checked.file.dry_run is not None
    assert checked.file.dry_run.rows("rejected")["not_in_vocabulary"] == 3  # Self Service

    assert _load(environment, BOSTON, mapping) == _counts(checked)
    assert _loaded_issues(environment.warehouse_path, BOSTON.name) == _checked_issues(checked)


def test_check_counts_duplicates_against_loaded_rows_and_changes_nothing(
    environment: Settings, tmp_path: Path
) -> None:
    warehouse = environment.warehouse_path
    mapping = tmp_path / "en.yaml"
    mapping.write_text(EN_MAPPING, encoding="utf-8")
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as connection:  # a catalogue: unknown items flagged
        ensure_raw_table(connection, SERVICE_ITEMS)
        connection.execute(
            "insert into raw.service_items (snapshot_date, item_code) "
            "values ('2018-07-01', '411900000010100001')"
        )
    first = write_csv(tmp_path / "a" / "cases_1.csv", case_rows(4))
    _load(environment, first, mapping)
    # a re-export: the four versions again (already loaded), a newer version of case 0, a
    # row repeated in the file, an unknown item, a rating of 9 and a trip count of -1
    rows = case_rows(8)
    newer = rows.slice(0, 1).with_columns(pl.col("updated_at") + dt.timedelta(days=3))
    bad = case_rows(3, first=20, item_code=["UNKNOWN0001"] * 3, rating=[5, 9, 5], trips=[1, 1, -1])
    second = write_csv(
        tmp_path / "b" / "cases_2.csv", pl.concat([rows, newer, rows.slice(5, 1), bad])
    )
    before = _state(warehouse)

    checked = check_file(second, "case_logs", mapping, warehouse, KEY)

    assert _state(warehouse) == before  # nothing loaded, no manifest row, no quarantine row
    assert checked.warehouse == warehouse
    assert _checked_issues(checked) == {
        ("already_loaded", "case_id, updated_at", "rejected", 4),
        ("duplicate_row", "case_id, updated_at", "rejected", 1),
        ("out_of_range", "rating", "rejected", 1),
        ("negative_value", "trips", "rejected", 1),
        ("unknown_item_code", "item_code", "flagged", 1),  # the third bad row, not rejected
    }
    assert _counts(checked) == (13, 6, 7, 1)
    report = checked.file.dry_run
    assert report is not None
    # personal identifiers never in clear: masked in the sample, absent from the issues
    assert set(report.sample["applicant_id"].to_list()) == {HIDDEN}
    assert set(report.sample["applicant_name"].to_list()) == {HIDDEN}
    clear = set(rows["applicant_id"].to_list())
    assert not clear & {str(v) for column in report.sample.iter_columns() for v in column}
    assert report.sample["issues"][0] == "already_loaded"

    assert _load(environment, second, mapping) == _counts(checked)
    assert _loaded_issues(warehouse, second.name) == _checked_issues(checked)

    again = _invoke(
        "mapping", "check", str(second), "--source", "case_logs", "--mapping", str(mapping)
    )
    assert again.exit_code == 0 and "a load would skip it" in again.output


def test_check_says_why_a_load_would_fail(environment: Settings, tmp_path: Path) -> None:
    mapping = tmp_path / "en.yaml"
    mapping.write_text(EN_MAPPING, encoding="utf-8")
    export = write_csv(tmp_path / "cases.csv", case_rows(2).drop("status"))

    result = _invoke(
        "mapping", "check", str(export), "--source", "case_logs", "--mapping", str(mapping)
    )

    assert result.exit_code == 1
    assert "a load would fail" in result.output and "status" in result.output
    assert not environment.warehouse_path.exists()
