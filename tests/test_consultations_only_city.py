"""A city that loads only source 4 — its 12345 work orders and hotline calls, no cases, no
halls, no catalogue — builds through the real Dagster job, its consultation marts have rows
(the demo city's exports, Chinese headers in GB18030 as a hotline system writes them), and its
consultations dashboard publishes whole and shows data (the bundle the publisher uploads,
every dataset's SQL as Superset runs it without a filter)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboards.bundle import probe_sql
from dashboards.catalog import load_catalog
from dashboards.publish import ASSETS_DIR, make_bundle
from dashboards.templates import template_context
from govwh.cli import app
from govwh.demo import generate_demo_city
from govwh.ingestion.pseudonymise import PII_KEY_ENV
from govwh.settings import Settings

pytestmark = pytest.mark.slow


def test_a_city_with_only_consultations_and_calls_builds(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing = isolated_settings.landing_dir
    generate_demo_city(landing, seed=3, scale="tiny", fmt="csv", encoding="gb18030", headers="zh")
    for source in (
        "service_items",
        "case_logs",
        "hall_tickets",
        "service_guides",
        "service_guide_materials",
    ):
        shutil.rmtree(landing / source)
    (landing / "_generation.json").unlink()
    point_environment_at(isolated_settings, tmp_path / "dagster_home")
    monkeypatch.setenv(PII_KEY_ENV, "a-city-secret")

    result = CliRunner().invoke(app, ["build"], env={"COLUMNS": "200"}, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert (
        "absent sources: case_logs, hall_tickets, service_guide_materials, service_guides, "
        "service_items" in result.output
    )
    with duckdb.connect(str(isolated_settings.serving_path), read_only=True) as connection:
        loaded = connection.execute(
            "select source, sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
            "from ops.load_manifest group by all order by all"
        ).fetchall()
        city = connection.execute(
            """
            select orders_received, late_reply_share, reply_5wd_rate, solved_rate
            from marts.mart_consultation_metrics_by_period
            where period_grain = 'year' and scope_type = 'city'
                and period_start = date '2018-01-01'
            """
        ).fetchone()
        calls = connection.execute(
            """
            select calls_offered, call_answer_rate, average_speed_of_answer
            from marts.mart_hotline_calls_by_period
            where period_grain = 'year' and scope_type = 'city'
            """
        ).fetchone()
        departments = connection.execute(
            "select count(distinct department_code) from marts.mart_consultation_metrics_by_period "
            "where scope_type = 'department'"
        ).fetchone()
        metric_values = connection.execute(
            "select count(distinct metric_code) from marts.mart_metric_values "
            "where metric_code in ('late_reply_share', 'call_answer_rate', 'reply_5wd_rate')"
        ).fetchone()
    # every row of both exports loaded: nothing rejected
    assert [
        (source, read == loaded_rows, rejected) for source, read, loaded_rows, rejected in loaded
    ] == [
        ("consultations", True, 0),
        ("hotline_calls", True, 0),
    ]
    orders, late, on_time, solved = city
    assert orders > 400 and 0.2 < late < 0.36 and 0.6 < on_time < 0.8 and 0.5 < solved < 0.95
    assert calls[0] > 300 and 0.85 < calls[1] < 1 and 5 < calls[2] < 60
    # the departments the orders name are members of dim_department, plus the unknown one
    assert departments[0] > 20
    assert metric_values == (3,)

    # the consultations dashboard: nothing of it skipped, every dataset of it has rows, and
    # its 数据截至 line names the hotline's day (the catalogue, cases and tickets not loaded)
    bundle = make_bundle(isolated_settings.serving_path)
    consultation_charts = [
        key for key in bundle.chart_uuids if key.startswith(("consultations_", "hotline_"))
    ]
    assert len(consultation_charts) == 13, bundle.skipped_charts
    datasets = ("consultation_daily", "consultation_departments", "consultation_alerts",
                "hotline_calls_daily", "data_freshness")  # fmt: skip
    assert not set(datasets) & set(bundle.skipped_datasets), bundle.skipped_datasets
    catalog = load_catalog(ASSETS_DIR, template_context(isolated_settings.serving_path))
    with duckdb.connect(str(isolated_settings.serving_path), read_only=True) as connection:
        for key in datasets:
            sql = probe_sql(catalog.datasets[key].config["sql"])
            (rows,) = connection.execute(f"select count(*) from ({sql})").fetchone()
            assert rows > 0, key
        (as_of_text, sources_text) = connection.execute(
            probe_sql(catalog.datasets["data_freshness"].config["sql"])
        ).fetchone()
    assert as_of_text.startswith("数据截至 2018-")
    assert "咨询投诉 2018-" in sources_text and "办件 未加载 not loaded" in sources_text
