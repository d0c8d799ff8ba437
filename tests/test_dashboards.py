"""Dashboards as code, without Superset: the asset files, the bundle, layouts, settings."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from dashboards.bundle import build_bundle, probe_sql
from dashboards.catalog import load_catalog
from dashboards.introspect import Column
from dashboards.layout import build_position
from dashboards.query_context import build_query_context
from dashboards.security import districts_from_warehouse
from dashboards.settings import ASSETS_DIR, MissingPasswordError, SupersetSettings
from dashboards.templates import template_context
from govwh.settings import DEMO_CITY_DIR

SERVING = Path("/nowhere/serving/govwh.duckdb")
DASHBOARDS = {"cockpit", "targets", "halls", "planning", "supervision", "consultations"}


class FakeServing:
    """A serving copy that holds the marts but not (yet) the forecast schema."""

    def existing_tables(self) -> set[str]:
        catalog = load_catalog(ASSETS_DIR, template_context(SERVING))
        needed = {table for spec in catalog.datasets.values() for table in spec.requires}
        return {table for table in needed if not table.startswith("forecast.")}

    def error_of(self, sql: str) -> str | None:
        return None

    def columns_of(self, sql: str) -> list[Column]:
        names = {"county_code", "region_name", "period_start", "department_name"}
        catalog = load_catalog(ASSETS_DIR, template_context(SERVING))
        for chart in catalog.charts.values():
            params = chart.config.get("params", {})
            for key in ("x_axis", "groupby", "all_columns"):
                value = params.get(key) or []
                names.update([value] if isinstance(value, str) else value)
            names.update(column for column, _ in chart.config.get("order_by", []))
        return [Column(name, "VARCHAR") for name in sorted(names)]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ASSETS_DIR, template_context(SERVING))


def test_six_dashboards_with_chinese_titles_and_english_subtitles(catalog) -> None:
    assert set(catalog.dashboards) == DASHBOARDS
    for dashboard in catalog.dashboards.values():
        header = dashboard.config["header"]
        assert any("\u4e00" <= char <= "\u9fff" for char in header["zh"])
        assert header["title_en"].isascii() and header["en"].isascii()
    for chart in catalog.charts.values():
        assert any("\u4e00" <= char <= "\u9fff" for char in chart.config["slice_name"])
        assert any(char.isascii() and char.isalpha() for char in chart.config["slice_name"])


def test_every_laid_out_chart_exists_and_every_chart_is_on_a_dashboard(catalog) -> None:
    placed = set()
    for dashboard in catalog.dashboards.values():
        for row in dashboard.config["rows"]:
            for cell in row:
                placed.add(cell["chart"] if isinstance(cell, dict) else cell)
    assert placed == set(catalog.charts)


def test_uuids_are_stable_and_unique(catalog) -> None:
    again = load_catalog(ASSETS_DIR, template_context(SERVING))
    uuids = [spec.uuid for group in (catalog.datasets, catalog.charts, catalog.dashboards)
             for spec in group.values()]  # fmt: skip
    assert len(uuids) == len(set(uuids))
    assert [c.uuid for c in catalog.charts.values()] == [c.uuid for c in again.charts.values()]


def test_database_is_the_serving_copy_read_only(catalog) -> None:
    assert catalog.database["sqlalchemy_uri"] == f"duckdb:///{SERVING}"
    assert catalog.database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert catalog.database["allow_dml"] is False


def test_region_scoping_renders_for_superset_and_reads_the_city_by_default(catalog) -> None:
    sql = catalog.datasets["backlog_daily"].config["sql"]
    assert "filter_values('region_name')" in sql
    assert "ancestors.region_level = 'city'" in probe_sql(sql)


def test_bundle_skips_missing_forecast_tables_and_their_charts(catalog) -> None:
    bundle = build_bundle(catalog, FakeServing())  # type: ignore[arg-type]
    assert set(bundle.skipped_datasets) == {k for k in catalog.datasets if k.startswith("forecast")}
    planning_forecasts = {k for k, c in catalog.charts.items() if c.dataset.startswith("forecast")}
    assert planning_forecasts and not planning_forecasts & set(bundle.chart_uuids)
    with zipfile.ZipFile(io.BytesIO(bundle.to_zip())) as archive:
        names = archive.namelist()
        assert "govwh_assets/metadata.yaml" in names
        dashboard = yaml.safe_load(archive.read("govwh_assets/dashboards/planning.yaml"))
    charts_on_board = [v for v in dashboard["position"].values()
                       if isinstance(v, dict) and v.get("type") == "CHART"]  # fmt: skip
    assert charts_on_board and all(
        c["meta"]["uuid"] in bundle.chart_uuids.values() for c in charts_on_board
    )
    filters = dashboard["metadata"]["native_filter_configuration"]
    assert [f["filterType"] for f in filters] == ["filter_time", "filter_select", "filter_select"]
    assert bundle.county_datasets >= {"backlog_daily", "supervision_alerts"}


def test_query_context_of_a_raw_table_orders_without_grouping() -> None:
    params = {
        "query_mode": "raw",
        "all_columns": ["a", "b"],
        "order_by_cols": [json.dumps(["b", False])],
        "adhoc_filters": [{"expressionType": "SQL", "sqlExpression": "a > 1", "clause": "WHERE"}],
    }
    query = build_query_context("table", params)["queries"][0]
    assert query["columns"] == ["a", "b"] and query["metrics"] is None
    assert query["orderby"] == [["b", False]] and query["extras"]["where"] == "(a > 1)"


def test_query_context_of_a_trend_uses_the_time_grain() -> None:
    params = {"x_axis": "period_start", "time_grain_sqla": "P1M", "metric": "rate"}
    query = build_query_context("big_number", params)["queries"][0]
    assert query["columns"][0]["timeGrain"] == "P1M" and query["metrics"] == ["rate"]


def test_layout_splits_rows_on_the_twelve_column_grid() -> None:
    from dashboards.layout import PlacedChart

    charts = {k: PlacedChart(k, f"uuid-{k}", k, i) for i, k in enumerate("abcde", start=1)}
    position = build_position({"zh": "标题", "en": "Title"}, [["a", "b", "c", "d", "e"]], charts)
    widths = [position[f"CHART-{k}"]["meta"]["width"] for k in "abcde"]
    assert sum(widths) == 12 and max(widths) - min(widths) <= 1


def test_admin_password_required_outside_the_demo(tmp_path: Path) -> None:
    env = {"GOVWH_SUPERSET_HOME": str(tmp_path)}
    with pytest.raises(MissingPasswordError):
        SupersetSettings.from_env(env).admin_password()
    demo = SupersetSettings.from_env({**env, "GOVWH_DEMO": "1"})
    generated = demo.admin_password()
    assert len(generated) >= 12 and demo.admin_password() == generated
    assert (tmp_path / "admin_password.txt").stat().st_mode & 0o077 == 0
    given = SupersetSettings.from_env({**env, "GOVWH_SUPERSET_ADMIN_PASSWORD": "s3cret-pass"})
    assert given.admin_password() == "s3cret-pass"


def test_superset_listens_on_loopback_only() -> None:
    settings = SupersetSettings.from_env({"GOVWH_SUPERSET_PORT": "18088"})
    assert settings.url == "http://127.0.0.1:18088"


def test_one_district_role_per_county_of_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "serving.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.dim_region as select *, true as is_configured "
            "from read_csv(?, all_varchar = true)",
            [str(DEMO_CITY_DIR / "regions.csv")],
        )
        counties = connection.execute(
            "select count(*) from marts.dim_region where admin_level = 'county'"
        ).fetchone()[0]
        # the unknown region is a county of the city that no district user owns
        connection.execute(
            "insert into marts.dim_region (region_code, region_name, admin_level, is_configured) "
            "values ('unknown', '未知区划', 'county', false)"
        )
    districts = districts_from_warehouse(warehouse)
    assert len(districts) == counties >= 5
    assert all(len(d.code) == 6 and d.role == f"govwh_district_{d.code}" for d in districts)


def _dataset_rows(serving: Path, dataset: str) -> list[dict]:
    """A dataset's SQL as Superset renders it with no filter picked, run on `serving`."""
    context = template_context(serving)
    catalog = load_catalog(ASSETS_DIR, context)
    sql = probe_sql(catalog.datasets[dataset].config["sql"])
    with duckdb.connect(str(serving), read_only=True) as connection:
        return connection.sql(sql).pl().to_dicts()


@pytest.mark.slow
def test_planning_views_scale_to_many_halls(built_warehouse, tmp_path: Path) -> None:
    """With a staffing plan for every hall (made up here: the tiny city is too short to
    forecast), the city-wide heatmap holds one hall, the one short of the most windows, and
    the by-hall summary has one row per hall with its district and its largest shortfall."""
    serving = tmp_path / "serving.duckdb"
    serving.write_bytes(built_warehouse.serving_path.read_bytes())
    with duckdb.connect(str(serving)) as connection:
        connection.execute("create schema forecast")
        connection.execute(
            """
            create table forecast.staffing_plan as
            select date '2019-01-02' + (slot % 5)::int as date, 9 + slot % 8 as hour, hall_code,
                   10.0 as forecast_tickets, 4 as windows_normal, true as meets_target,
                   (slot * 7 + hash(hall_code)) % 9 as windows_needed,
                   (slot * 7 + hash(hall_code)) % 9 + 2 as staff_needed
            from marts.dim_hall, range(40) as slots(slot)
            """
        )
        shortfalls = dict(
            connection.execute(
                "select hall_code, max(windows_needed - windows_normal)"
                " from forecast.staffing_plan group by hall_code"
            ).fetchall()
        )
        names = dict(
            connection.execute("select hall_code, hall_name from marts.dim_hall").fetchall()
        )
    worst = min(shortfalls, key=lambda code: (-shortfalls[code], code))
    heatmap = _dataset_rows(serving, "forecast_staffing_plan")
    assert {row["hall_name"] for row in heatmap} == {names[worst]}
    by_hall = _dataset_rows(serving, "forecast_staffing_by_hall")
    assert len(by_hall) == len(shortfalls) > 1
    assert all(row["hall_district"] for row in by_hall)
    assert {row["hall_name"]: row["peak_shortfall"] for row in by_hall} == {
        names[code]: max(shortfall, 0) for code, shortfall in shortfalls.items()
    }
    # the rosters of that plan: every shift of every hall, with its district (city scope)
    from forecasting.roster import rosters

    with duckdb.connect(str(serving)) as connection:
        plan = connection.sql("select * from forecast.staffing_plan").pl()
        roster, _ = rosters(plan)
        connection.execute("create table forecast.rosters as select * from roster")
    shifts = _dataset_rows(serving, "forecast_roster")
    assert len(shifts) == roster.height > 0
    assert sum(row["staff"] for row in shifts) == roster["staff"].sum()
    assert {row["hall_name"] for row in shifts} == {names[code] for code in roster["hall_code"]}
    # a what-if scenario as `govwh whatif` writes it: the city's rows, with readable names
    from forecasting.whatif import write_scenario

    scenario = pl.DataFrame(
        {
            "scenario_id": ["whatif-1"] * 3,
            "description": ["top 5 upgrade candidates to full-online"] * 3,
            "parameters": ['{"upgrade_top": 5}'] * 3,
            "as_of": [date(2019, 1, 1)] * 3,
            "items_upgraded": [5] * 3,
            "metric": ["hall_arrivals", "hall_arrivals", "online_case_share"],
            "scope": ["CITY", "H1", "CITY"],
            "baseline": [100.0, 40.0, 0.3],
            "scenario": [90.0, 30.0, 0.35],
            "delta": [-10.0, -10.0, 0.05],
            "baseline_lo80": [80.0, 30.0, None],
            "baseline_hi80": [120.0, 50.0, None],
            "scenario_lo80": [72.0, 22.0, None],
            "scenario_hi80": [108.0, 38.0, None],
        }
    )
    write_scenario(serving, scenario)
    rows = _dataset_rows(serving, "forecast_whatif")
    assert {row["metric_name"] for row in rows} == {
        "大厅取号 hall arrivals",
        "网上办件率 online case share",
    }
