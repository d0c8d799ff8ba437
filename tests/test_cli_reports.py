"""The report and read-only commands of the CLI, on the built tiny warehouse."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from govwh.cli import app
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.settings import WAREHOUSE_ENV, Settings

pytestmark = pytest.mark.slow
runner = CliRunner()
BULLETIN_MARTS = ("mart_weekly_overdue_cases", "mart_bulletin_headline", "mart_depth_upgrades")


def _last_full_week(settings: Settings) -> IsoWeek:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        (day,) = connection.sql("select max(ticket_date) from marts.fct_hall_tickets").fetchall()[0]
    return IsoWeek.containing(day - dt.timedelta(days=7))


def test_bulletin_command_builds_its_marts_and_writes_html(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a warehouse the daily build left without the bulletin's marts, `govwh bulletin`
    builds them (dbt tag bulletin) and writes the week's bulletin."""
    warehouse = tmp_path / "govwh.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        for table in BULLETIN_MARTS:
            connection.execute(f"drop table marts.{table}")
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))
    week = _last_full_week(built_warehouse)
    out = tmp_path / "bulletins"
    result = runner.invoke(app, ["bulletin", "--week", week.label, "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (out / f"bulletin_{week.label}.html").exists()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert set(BULLETIN_MARTS) <= built


def test_bulletin_command_refuses_a_week_without_data(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["bulletin", "--week", "2026-W10", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "does not cover the week" in result.output
    assert not any(tmp_path.iterdir())


def test_supervise_writes_the_same_files_when_run_again_the_same_day(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "supervised.duckdb"  # the outbox log writes into the warehouse
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    monkeypatch.setenv("GOVWH_WAREHOUSE", str(warehouse))
    outbox = tmp_path / "outbox"
    first = runner.invoke(app, ["supervise", "--outbox", str(outbox), "--format", "csv"])
    assert first.exit_code == 0, first.output
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (open_alerts,) = connection.sql(
            "select count(*) from marts.mart_supervision_alerts"
        ).fetchall()[0]
    assert open_alerts > 0
    assert f"{open_alerts} new of {open_alerts} open alerts" in first.output
    (folder,) = outbox.iterdir()
    for unit in ("部门", "地区"):
        files = list((folder / unit).glob("*.csv"))
        listed = sum(len(f.read_text(encoding="utf-8-sig").splitlines()) - 1 for f in files)
        assert listed == open_alerts
    written = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    # the same day again: today's alerts are still today's news, in the same files
    again = runner.invoke(app, ["supervise", "--outbox", str(outbox), "--format", "csv"])
    assert again.exit_code == 0, again.output
    assert f"{open_alerts} new of {open_alerts} open alerts" in again.output
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == written


def test_sql_runs_read_only_on_the_serving_copy(built_warehouse: Settings) -> None:
    result = runner.invoke(app, ["sql", "select count(*) as cases from marts.fct_cases"])
    assert result.exit_code == 0, result.output
    assert "cases" in result.output
    refused = runner.invoke(app, ["sql", "delete from marts.fct_cases"])
    assert refused.exit_code != 0
    with duckdb.connect(str(built_warehouse.serving_path), read_only=True) as connection:
        assert connection.sql("select count(*) from marts.fct_cases").fetchall()[0][0] > 0


def test_docs_generates_the_data_dictionary(built_warehouse: Settings) -> None:
    result = runner.invoke(app, ["docs", "--no-serve"])
    assert result.exit_code == 0, result.output
    index = Path(result.output.split("dbt docs generated:")[1].split()[0])
    catalog = index.with_name("catalog.json").read_text(encoding="utf-8")
    assert index.exists()
    assert "model.govwh.fct_cases" in catalog and "mart_metric_values" in catalog
