"""run_forecasts end to end on a small synthetic warehouse (marts built here, not by dbt)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from forecasting.backtest import BacktestConfig
from forecasting.calendar import load_calendar_csv
from forecasting.model import ModelConfig
from forecasting.roster import RosterRules, rule_violations
from forecasting.run import RunConfig, run_forecasts, windows_normal
from forecasting.simulation import SimulationSettings
from forecasting.synthetic import synthetic_arrivals

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2019, 1, 2), date(2020, 6, 30)


def _marts(path: Path) -> None:
    calendar = load_calendar_csv(ROOT / "seeds" / "calendar.csv")
    levels = {"AMR:hall": 40.0, "AMR:online": 20.0, "PSB:hall": 12.0, "PSB:online": 3.0}
    arr = synthetic_arrivals(calendar, start=START, end=END, levels=levels, seed=5)
    arrivals = arr.filter(pl.col("y") > 0).select(
        pl.col("date").alias("submission_date"),
        pl.col("series_id").str.split(":").list.get(0).alias("department_code"),
        pl.col("group").alias("channel_group"),
        pl.col("y").cast(pl.Int64).alias("arrivals"),
    )
    halls = synthetic_arrivals(
        calendar, start=START, end=END, levels={"H1:hall": 60.0, "H2:hall": 15.0}, seed=6
    )
    share = {9: 0.12, 10: 0.18, 11: 0.15, 12: 0.05, 13: 0.08, 14: 0.15, 15: 0.14, 16: 0.1, 17: 0.03}
    hourly = pl.concat(
        [
            halls.select(
                pl.col("series_id").str.split(":").list.get(0).alias("hall_code"),
                pl.col("date").alias("ticket_date"),
                pl.lit(h).alias("ticket_hour"),
                (pl.col("y") * s).round().cast(pl.Int64).alias("tickets_issued"),
            )
            for h, s in share.items()
        ]
    ).filter(pl.col("tickets_issued") > 0)
    rng = np.random.default_rng(0)
    n = 3000
    ticket_days = [END - timedelta(days=int(d)) for d in rng.integers(0, 50, n)]
    tickets = pl.DataFrame(
        {
            "ticket_id": [f"T{number:05d}" for number in range(n)],
            "hall_code": rng.choice(["H1", "H2"], n),
            "ticket_date": ticket_days,
            "ticket_taken_at": [datetime.combine(day, time(9)) for day in ticket_days],
            "service_minutes": rng.lognormal(np.log(7), 0.5, n),
            "wait_minutes": rng.exponential(5, n),
            "is_abandoned": np.zeros(n, dtype=bool),
            "is_served": np.ones(n, dtype=bool),
        }
    )
    dim_hall = pl.DataFrame(
        {
            "hall_code": ["H1", "H2"],
            "admin_level": ["city", "county"],
            "windows_normal": [20, 6],
            "windows_lunch": [10, 3],
            "open_time": ["09:00", "09:00"],
            "close_time": ["17:30", "17:30"],
            "lunch_start": ["12:00", "12:00"],
            "lunch_end": ["13:30", "13:30"],
        }
    )
    acc = [END - timedelta(days=int(d)) for d in rng.integers(1, 300, 2000)]
    cases = pl.DataFrame(
        {
            "department_code": rng.choice(["AMR", "PSB"], 2000),
            "submission_date": acc,
            "acceptance_date": acc,
            "completion_date": [
                a + timedelta(days=int(k))
                for a, k in zip(acc, rng.integers(0, 12, 2000), strict=True)
            ],
            "closing_date": [None] * 2000,
            "due_date": [a + timedelta(days=9) for a in acc],
        }
    ).with_columns(pl.col("closing_date").cast(pl.Date))
    dim_date = pl.read_csv(ROOT / "seeds" / "calendar.csv", try_parse_dates=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, frame in {
            "dim_date": dim_date,
            "mart_case_arrivals_daily": arrivals,
            "mart_hall_metrics_hourly": hourly,
            "fct_hall_tickets": tickets,
            "dim_hall": dim_hall,
            "fct_cases": cases,
        }.items():
            con.register("f", frame)
            con.execute(f"create table marts.{name} as select * from f")
            con.unregister("f")


@pytest.mark.slow
def test_run_forecasts_writes_every_table(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _marts(warehouse)
    fast = ModelConfig(max_iter=40, learning_rate=0.15, max_leaf_nodes=15, horizons_per_origin=6)
    config = RunConfig(
        arrivals=fast,
        hall=ModelConfig(
            horizon=14, calibration_days=42, max_iter=40, horizons_per_origin=4, name="hall_traffic"
        ),
        backtest=BacktestConfig(span_days=91, origin_step=28, refit_days=400),
        simulation=SimulationSettings(target_customers=300),
    )
    summary = run_forecasts(warehouse, config=config, model_dir=tmp_path / "models")
    assert summary.as_of == END
    assert summary.check is not None and summary.check.passed, summary.check
    assert len(summary.model_files) == 2 and all(Path(f).exists() for f in summary.model_files)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'forecast'"
            ).fetchall()
        }
        assert tables == {
            "case_arrivals",
            "hall_traffic",
            "staffing_plan",
            "backlog_projection",
            "backtest_metrics",
            "model_registry",
            "staffing_simulations",  # the plan's simulations, kept for the next run
            "rosters",
            "roster_coverage",
        }
        arrivals = con.sql("select * from forecast.case_arrivals").pl()
        plan = con.sql("select * from forecast.staffing_plan").pl()
        coverage = con.sql("select * from forecast.roster_coverage").pl()
        roster = con.sql("select * from forecast.rosters").pl()
        halls = con.sql("select * from marts.dim_hall").pl()
        backlog = con.sql("select * from forecast.backlog_projection").pl()
    assert arrivals["series_id"].n_unique() == 6  # 2 departments × 2 channels + CITY × 2
    assert arrivals["date"].min() == END + timedelta(days=1)
    assert plan["meets_target"].mean() >= 0.95
    # the roster covers every hall-hour of the plan, on the plan's working days only
    assert coverage.height == plan.height
    assert (coverage["staff_rostered"] >= coverage["staff_needed"]).all()
    # and so say the stored shifts, counted minute by minute against the stored plan
    rules = RosterRules(hours=windows_normal(halls)[1])
    assert rule_violations(roster, plan, rules, coverage) == []
    roster_days = set(roster["date"])
    workdays = set(
        load_calendar_csv(ROOT / "seeds" / "calendar.csv")
        .filter(pl.col("is_workday"))["calendar_date"]
        .to_list()
    )
    assert roster_days == set(plan["date"]) and roster_days <= workdays
    assert (plan["windows_needed"] > 0).any()
    assert set(backlog["department_code"]) == {"AMR", "PSB"}
    assert summary.backtest_as_of == END and "backtest" in summary.seconds
    # a second run keeps the registry's history and replaces the rest; the backtest of the
    # same week still holds, so the run only refits, and the check reads the stored one
    again = run_forecasts(warehouse, config=config)
    assert "backtest" not in again.seconds and again.backtest_as_of == END
    assert again.check == summary.check
    # the plan's simulations all come from the first run's cache, and the plan is the same
    assert summary.simulations["misses"] > 0
    assert again.simulations == {
        "hits": summary.simulations["hits"] + summary.simulations["misses"],
        "misses": 0,
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert (
            con.sql("select * from forecast.staffing_plan")
            .pl()
            .drop("model_version")
            .equals(plan.drop("model_version"))
        )
        assert con.execute("select count(*) from forecast.model_registry").fetchall()[0][0] == 4
        assert (
            con.execute("select count(*) from forecast.case_arrivals").fetchall()[0][0]
            == arrivals.height
        )
    # a run on other data than the stored backtest's (here: a week earlier) backtests again
    earlier = run_forecasts(warehouse, as_of=END - timedelta(days=7), config=config)
    assert "backtest" in earlier.seconds and earlier.backtest_as_of == END - timedelta(days=7)


@pytest.mark.slow
def test_dagster_forecast_assets_materialize(tmp_path: Path, monkeypatch) -> None:
    from dagster import materialize

    import dagster_project.forecasting.assets as assets
    from dagster_project.resources import DuckDBWarehouse
    from forecasting import run as run_module

    warehouse = tmp_path / "w.duckdb"
    _marts(warehouse)
    fast = RunConfig(
        arrivals=ModelConfig(max_iter=30, max_leaf_nodes=15, horizons_per_origin=4),
        hall=ModelConfig(
            horizon=14, calibration_days=42, max_iter=30, horizons_per_origin=3, name="hall_traffic"
        ),
        backtest=BacktestConfig(span_days=56, origin_step=28, refit_days=400),
        simulation=SimulationSettings(target_customers=200),
    )
    real = run_module.run_forecasts
    monkeypatch.setattr(
        run_module, "run_forecasts", lambda path, **kw: real(path, config=fast, **kw)
    )
    result = materialize(
        [assets.forecasts],
        resources={"warehouse": DuckDBWarehouse(path=str(warehouse))},
        selection=[assets.FORECAST_KEYS[name] for name in assets.FORECAST_TABLES],
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [c.check_name for c in checks] == ["forecast_beats_seasonal_naive"]
    assert checks[0].passed
    assert (tmp_path / "models").is_dir()


# A city may load only some sources (issue 15): the run forecasts what its marts allow.
QUICK = RunConfig(
    arrivals=ModelConfig(max_iter=15, max_leaf_nodes=7, horizons_per_origin=2),
    hall=ModelConfig(
        horizon=14, calibration_days=42, max_iter=15, horizons_per_origin=2, name="hall_traffic"
    ),
    backtest=BacktestConfig(span_days=28, origin_step=28, refit_days=400),
    simulation=SimulationSettings(target_customers=100),
)
CASE_MARTS = ("mart_case_arrivals_daily", "fct_cases")
HALL_MARTS = ("mart_hall_metrics_hourly", "fct_hall_tickets")
ALL_TABLES = {
    "case_arrivals",
    "hall_traffic",
    "staffing_plan",
    "rosters",
    "roster_coverage",
    "backlog_projection",
    "backtest_metrics",
    "model_registry",
    "staffing_plan_by_business",
    "queue_calibration",
    "queue_calibration_summary",
}
# the synthetic fct_hall_tickets has no business types, windows or call times: no queue model
QUEUE_TABLES = {"staffing_plan_by_business", "queue_calibration", "queue_calibration_summary"}


def _partial_warehouse(path: Path, emptied: tuple[str, ...]) -> None:
    """The small warehouse with the marts of an absent source empty, and a forecast schema
    of an earlier run (one stale row per table, one registry row) the run must not leave."""
    _marts(path)
    with duckdb.connect(str(path)) as con:
        for mart in emptied:
            con.execute(f"delete from marts.{mart}")
        con.execute("create schema forecast")
        for name in ALL_TABLES - {"model_registry"}:
            con.execute(f"create table forecast.{name} as select 'stale' as model_version")
        con.execute(
            "create table forecast.model_registry as select 'old' as model_version,"
            " 'case_arrivals' as kind, date '2019-01-02' as train_start,"
            " date '2020-06-01' as train_end, 10 as training_rows, '{}' as card_json,"
            " '' as model_file, timestamp '2020-06-02 06:30' as created_at"
        )


def _forecast_tables(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'forecast'"
            ).fetchall()
        ]
        return {
            name: con.execute(f"select count(*) from forecast.{name}").fetchall()[0][0]
            for name in names
        }


def test_run_without_case_data_forecasts_hall_traffic_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _partial_warehouse(warehouse, CASE_MARTS)
    summary = run_forecasts(warehouse, config=QUICK, model_dir=tmp_path / "models")
    assert summary.as_of == END  # the hall tickets' last day
    assert set(summary.skipped) == {"case_arrivals", "backlog_projection"} | QUEUE_TABLES
    assert summary.skipped["queue_calibration"].startswith("marts.fct_hall_tickets lacks ")
    assert summary.skipped["case_arrivals"] == (
        "no case arrivals in marts.mart_case_arrivals_daily (no case_logs loaded)"
    )
    assert summary.check is None and summary.passed
    assert set(summary.model_versions) == {"hall_traffic"} and len(summary.model_files) == 1
    tables = _forecast_tables(warehouse)
    # the skipped tables are dropped, not left with an earlier run's rows
    # and the staffing plan's simulations, kept for the next run
    assert set(tables) == ALL_TABLES - {"case_arrivals", "backlog_projection"} - QUEUE_TABLES | {
        "staffing_simulations"
    }
    assert all(tables[name] > 0 for name in ("hall_traffic", "staffing_plan"))
    assert tables["model_registry"] == 2  # the old row kept, the hall model appended
    with duckdb.connect(str(warehouse), read_only=True) as con:
        targets = con.execute("select distinct target from forecast.backtest_metrics").fetchall()
        kinds = con.execute("select kind from forecast.model_registry").fetchall()
    assert targets == [("hall_traffic",)]
    assert sorted(kinds) == [("case_arrivals",), ("hall_traffic",)]


def test_run_without_hall_tickets_forecasts_cases_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _partial_warehouse(warehouse, HALL_MARTS)
    summary = run_forecasts(warehouse, config=QUICK)
    assert summary.as_of == END
    assert (
        set(summary.skipped)
        == {
            "hall_traffic",
            "staffing_plan",
            "rosters",
            "roster_coverage",
        }
        | QUEUE_TABLES
    )
    assert "no hall_tickets loaded" in summary.skipped["staffing_plan"]
    assert "no hall_tickets loaded" in summary.skipped["queue_calibration"]
    assert summary.check is not None  # the arrival backtest ran
    assert set(summary.model_versions) == {"case_arrivals"}
    tables = _forecast_tables(warehouse)
    assert (
        set(tables)
        == ALL_TABLES
        - {"hall_traffic", "staffing_plan", "rosters", "roster_coverage"}
        - QUEUE_TABLES
    )
    assert tables["case_arrivals"] > 0 and tables["backlog_projection"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        targets = con.execute("select distinct target from forecast.backtest_metrics").fetchall()
        stale = con.execute(
            "select count(*) from forecast.case_arrivals where model_version = 'stale'"
        ).fetchall()
    assert targets == [("case_arrivals",)] and stale == [(0,)]


def test_run_without_any_data_skips_every_table(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _partial_warehouse(warehouse, CASE_MARTS + HALL_MARTS)
    summary = run_forecasts(warehouse, config=QUICK, model_dir=tmp_path / "models")
    assert summary.as_of is None and summary.rows == {} and summary.model_versions == {}
    assert set(summary.skipped) == ALL_TABLES
    assert "no case_logs loaded" in summary.skipped["backtest_metrics"]
    assert "no hall_tickets loaded" in summary.skipped["backtest_metrics"]
    assert summary.check is None and not (tmp_path / "models").exists()
    assert _forecast_tables(warehouse) == {"model_registry": 1}  # history only


@pytest.mark.slow
def test_dagster_forecasts_without_case_data_report_the_skips(tmp_path: Path, monkeypatch) -> None:
    from dagster import materialize

    import dagster_project.forecasting.assets as assets
    from dagster_project.resources import DuckDBWarehouse
    from dagster_project.runner import _translate
    from forecasting import run as run_module
    from govwh.jobs import EventKind

    warehouse = tmp_path / "w.duckdb"
    _partial_warehouse(warehouse, CASE_MARTS)
    real = run_module.run_forecasts
    monkeypatch.setattr(
        run_module, "run_forecasts", lambda path, **kw: real(path, config=QUICK, **kw)
    )
    result = materialize(
        [assets.forecasts, assets.forecast_interval_coverage],
        resources={"warehouse": DuckDBWarehouse(path=str(warehouse))},
    )
    assert result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {"forecast_beats_seasonal_naive", "forecast_interval_coverage"}
    assert all(c.passed for c in checks.values())
    assert checks["forecast_beats_seasonal_naive"].description == (
        "skipped: no case arrivals in marts.mart_case_arrivals_daily (no case_logs loaded)"
    )
    assert checks["forecast_interval_coverage"].description.startswith("skipped: ")
    # what the runner hands the CLI: each table's rows, or why it was skipped
    events = [_translate(e) for e in result.all_events]
    materialized = {
        e.asset: (e.rows, e.skipped) for e in events if e and e.kind is EventKind.MATERIALIZED
    }
    assert materialized["forecast/case_arrivals"] == (
        None,
        "no case arrivals in marts.mart_case_arrivals_daily (no case_logs loaded)",
    )
    assert materialized["forecast/backlog_projection"][1] is not None
    rows, skipped = materialized["forecast/hall_traffic"]
    assert skipped is None and rows is not None and rows > 0


def test_cli_forecast_prints_rows_or_why_skipped(tmp_path: Path, monkeypatch) -> None:
    """`govwh forecast` prints each forecast table's rows, or skipped and why (the job is
    replaced by its events: the tables it wrote and the ones it skipped)."""
    from typer.testing import CliRunner

    import govwh.cli.reports as reports
    from govwh.cli import app
    from govwh.jobs import SERVING_JOB, EventKind, JobEvent, JobResult
    from govwh.settings import DAGSTER_HOME_ENV, SERVING_ENV, WAREHOUSE_ENV

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema forecast")
        con.execute("create table forecast.hall_traffic as select * from range(3)")
    reason = "no case arrivals in marts.mart_case_arrivals_daily (no case_logs loaded)"

    published: list[str] = []

    def fake_run_job(settings, job_name, *, on_event=None, **_):
        if job_name == SERVING_JOB:  # after the forecast job, as the daily cycle does
            published.append(job_name)
            return JobResult("run", True)
        assert on_event is not None
        on_event(JobEvent(EventKind.MATERIALIZED, asset="forecast/case_arrivals", skipped=reason))
        on_event(JobEvent(EventKind.MATERIALIZED, asset="forecast/hall_traffic", rows=3))
        on_event(JobEvent(EventKind.MATERIALIZED, asset="serving/serving_warehouse", rows=1))
        return JobResult("run", True, check_messages={"forecast/backtest_metrics: x": "skipped"})

    monkeypatch.setattr(reports, "run_job", fake_run_job)
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))
    monkeypatch.setenv(SERVING_ENV, str(tmp_path / "serving.duckdb"))
    monkeypatch.setenv(DAGSTER_HOME_ENV, str(tmp_path / "dagster_home"))
    result = CliRunner().invoke(app, ["forecast"])
    assert result.exit_code == 0, result.output
    assert f"forecast.case_arrivals: skipped: {reason}" in result.output
    assert "forecast.hall_traffic: 3 rows" in result.output
    assert "serving_warehouse" not in result.output.split("serving copy")[0]
    assert "check forecast/backtest_metrics: x: skipped" in result.output
    assert published == [SERVING_JOB] and "serving copy republished" in result.output
