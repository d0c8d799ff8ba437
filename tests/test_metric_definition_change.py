"""One change in the metric registry changes the metric everywhere (issue 14's acceptance).

On a scratch copy of the dbt project, the one-trip rate's numerator becomes the zero-trip
cases; the daily (incremental) build then runs on a copy of the built warehouse, and the
one-trip rate must equal the zero-trip rate in the wide period mart, the long table, the CLI
headline, the weekly bulletin's data and the dashboards' dataset — for every period, old ones
included, with nothing else edited.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dashboards.bundle import probe_sql
from dashboards.catalog import load_catalog
from dashboards.settings import ASSETS_DIR
from dashboards.templates import template_context
from govwh.reports.bulletin.data import read_bulletin_data
from govwh.reports.bulletin.weeks import IsoWeek
from govwh.reports.headline import headline_metrics
from govwh.settings import DBT_PROFILES_DIR, REPO_ROOT, Settings, dbt_executable
from govwh.warehouse.dbt import dbt_build_args

pytestmark = pytest.mark.slow

REGISTRY_LINE = "numerator: one_trip_cases,"
CHANGED_LINE = "numerator: zero_trip_cases,"


@pytest.fixture(scope="module")
def redefined(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse after a daily build with one_trip_rate redefined in the registry."""
    root = tmp_path_factory.mktemp("redefined")
    project = root / "project"
    project.mkdir()
    shutil.copy(REPO_ROOT / "dbt_project.yml", project / "dbt_project.yml")
    # the city folders under seeds/ are no dbt seeds (.dbtignore): the copy must say so too
    shutil.copy(REPO_ROOT / ".dbtignore", project / ".dbtignore")
    for folder in ("models", "seeds", "dbt"):
        shutil.copytree(
            REPO_ROOT / folder, project / folder, ignore=shutil.ignore_patterns("target")
        )
    registry = (project / "dbt_project.yml").read_text(encoding="utf-8")
    assert registry.count(REGISTRY_LINE) == 1  # the one place the definition is written
    (project / "dbt_project.yml").write_text(
        registry.replace(REGISTRY_LINE, CHANGED_LINE), encoding="utf-8"
    )

    warehouse = root / "govwh.duckdb"
    shutil.copy(built_warehouse.warehouse_path, warehouse)
    daily = dbt_build_args(warehouse)
    assert "--threads" in daily  # the facts exist: the daily, incremental build
    result = subprocess.run(
        [
            dbt_executable(),
            *daily,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(root / "target"),
        ],
        env={**os.environ, "GOVWH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return warehouse


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def test_the_wide_mart_and_the_long_table_follow_the_registry(redefined: Path) -> None:
    ((mismatched, compared),) = _rows(
        redefined,
        """
        select count(*) filter (where one_trip_rate is distinct from zero_trip_rate), count(*)
        from marts.mart_case_metrics_by_period
        """,
    )
    assert compared > 1000 and mismatched == 0
    ((mismatched, compared, stale),) = _rows(
        redefined,
        """
        select count(*) filter (
                   where one_trip.numerator <> zero_trip.numerator
                       or one_trip.metric_value is distinct from zero_trip.metric_value
               ),
               count(*),
               count(*) filter (where one_trip._definition_hash <> registry.definition_hash)
        from marts.mart_metric_values as one_trip
        join marts.mart_metric_values as zero_trip
            using (period_grain, period_start, scope_type, scope_code)
        join marts.dim_metric as registry on registry.metric_code = one_trip.metric_code
        where one_trip.metric_code = 'one_trip_rate' and zero_trip.metric_code = 'zero_trip_rate'
        """,
    )
    # every period, the oldest included: the changed definition recomputed all of them
    assert compared > 1000 and mismatched == 0 and stale == 0
    ((numerator,),) = _rows(
        redefined, "select numerator_sql from marts.dim_metric where metric_code = 'one_trip_rate'"
    )
    assert numerator == "zero_trip_cases"


def test_the_cli_headline_follows_the_registry(redefined: Path) -> None:
    one_trip = next(m for m in headline_metrics(redefined) if m.metric_code == "one_trip_rate")
    ((zero_trip,),) = _rows(
        redefined,
        """
        select metric_value from marts.mart_metric_values
        where metric_code = 'zero_trip_rate' and period_grain = 'month'
            and scope_type = 'city' and period_start = ?
        """,
        [one_trip.period],
    )
    assert one_trip.value == zero_trip


def test_the_bulletin_follows_the_registry(redefined: Path) -> None:
    ((last_week,),) = _rows(redefined, "select max(week_start) from marts.mart_bulletin_headline")
    week = IsoWeek.containing(last_week - dt.timedelta(days=7))
    with duckdb.connect(str(redefined), read_only=True) as connection:
        data = read_bulletin_data(connection, week)
    values = dict(data.headline.select("metric_code", "value").iter_rows())
    assert values["one_trip_rate"] is not None
    assert values["one_trip_rate"] == values["zero_trip_rate"]
    trend = data.trend.pivot(on="metric_code", index="week_start", values="metric_value")
    assert trend["one_trip_rate"].to_list() == trend["zero_trip_rate"].to_list()


def test_the_dashboard_datasets_follow_the_registry(redefined: Path) -> None:
    catalog = load_catalog(ASSETS_DIR, template_context(redefined))
    sql = probe_sql(catalog.datasets["metric_values"].config["sql"])
    rows = _rows(
        redefined,
        f"""
        with dataset as ({sql})
        select period_start, metric_code, numerator, metric_value from dataset
        where metric_code in ('one_trip_rate', 'zero_trip_rate')
        """,
    )
    by_metric: dict[str, dict] = {"one_trip_rate": {}, "zero_trip_rate": {}}
    for period, code, numerator, value in rows:
        by_metric[code][period] = (numerator, value)
    assert by_metric["one_trip_rate"] and by_metric["one_trip_rate"] == by_metric["zero_trip_rate"]
    # and a dataset metric written with [[ metric_ratio(code) ]] takes the registry's parts
    ratio = template_context(redefined)["metric_ratio"]("one_trip_rate")
    assert "zero_trip_cases" in ratio and "one_trip_cases" not in ratio
