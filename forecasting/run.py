"""``run_forecasts``: read the marts, train, forecast, backtest, plan staffing, project the
backlog and write the ``forecast`` schema. ``govwh forecast`` and the Dagster assets call it."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from forecasting.backlog import BacklogSettings, project_backlog
from forecasting.backtest import (
    BacktestConfig,
    CheckResult,
    check_against_baseline,
    mase_scales,
    rolling_forecasts,
    summarise,
)
from forecasting.business_plan import hall_totals, plan_by_business
from forecasting.calibration import calibrate, log_fingerprint
from forecasting.hall_traffic import OpeningHours, hour_slots, hourly_profile, split_into_hours
from forecasting.model import FittedModel, InsufficientHistoryError, ModelConfig, fit_model
from forecasting.panel import Panel, build_panel
from forecasting.registry import model_card, registry_rows, save_model
from forecasting.roster import RosterRules, rosters
from forecasting.simulation import SimulationSettings
from forecasting.staffing import HallProfile, ServiceTarget, SimulationCache, staffing_plan
from forecasting.warehouse import (
    SIMULATION_CACHE_TABLE,
    MartInputs,
    read_backtest_metrics,
    read_calibration_fingerprint,
    read_marts,
    read_queue_log,
    read_simulation_cache,
    write_forecast_tables,
)


@dataclass(frozen=True)
class RunConfig:
    arrivals: ModelConfig = field(default_factory=ModelConfig)
    hall: ModelConfig = field(
        default_factory=lambda: ModelConfig(
            horizon=14,
            calibration_days=42,
            train_days=2 * 365,
            horizons_per_origin=4,
            name="hall_traffic",
        )
    )
    backtest: BacktestConfig | None = field(default_factory=BacktestConfig)
    # The rolling-origin backtest refits the model at every origin (most of a run's time): it
    # runs when the stored one is this many days older than the data, so the daily run only
    # refits and forecasts, and the retraining check reads the latest weekly backtest.
    backtest_every_days: int = 7
    target: ServiceTarget = field(default_factory=ServiceTarget)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    backlog: BacklogSettings = field(default_factory=BacklogSettings)
    required_improvement: float = 0.0  # the retraining check: never worse than seasonal naive


@dataclass(frozen=True)
class ForecastRunSummary:
    as_of: date | None  # None: neither case arrivals nor hall tickets in the marts
    model_versions: dict[str, str]
    rows: dict[str, int]
    check: CheckResult | None
    seconds: dict[str, float]
    model_files: list[str]
    backtest_as_of: date | None = None  # the data date of the backtest behind ``check``
    # forecast table -> why this run did not produce it (its input marts are empty)
    skipped: dict[str, str] = field(default_factory=dict)
    # the staffing plan's simulations: taken from the last run's cache ("hits") or run now
    simulations: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.check is None or self.check.passed


def arrival_panel(inputs: MartInputs, horizon: int) -> Panel:
    if inputs.as_of is None:
        raise ValueError("no case arrivals in the marts: nothing to build a panel from")
    return build_panel(
        inputs.arrivals.select("series_id", "date", "y", "group"),
        inputs.calendar,
        end=inputs.as_of,
        future_days=horizon,
    )


def _series_columns(frame: pl.DataFrame) -> pl.DataFrame:
    parts = pl.col("series_id").str.split_exact(":", 1)
    return frame.with_columns(
        department_code=parts.struct.field("field_0"), channel_group=parts.struct.field("field_1")
    )


def hall_profiles(tickets: pl.DataFrame, target: ServiceTarget) -> dict[str, HallProfile]:
    """Observed service times per hall; patience only where enough customers leave."""
    out = {}
    for (hall,), part in tickets.group_by("hall_code"):
        served = part.filter(pl.col("is_served"))["service_minutes"].drop_nulls().to_numpy()
        if served.size < 20:
            served = tickets.filter(pl.col("is_served"))["service_minutes"].drop_nulls().to_numpy()
        abandoned = int(part["is_abandoned"].sum())
        share = abandoned / max(part.height, 1)
        patience = None
        if share >= target.abandonment_threshold and abandoned > 0:
            exposure = float(part["wait_minutes"].drop_nulls().sum())
            patience = max(exposure / abandoned, 1.0)
        rng = np.random.default_rng(0)
        sample = rng.choice(served, size=min(served.size, 2000), replace=False)
        out[str(hall)] = HallProfile(str(hall), sample, patience)
    return out


def windows_normal(halls: pl.DataFrame) -> tuple[pl.DataFrame, OpeningHours]:
    """(hall_code, hour, windows_normal) with the lunch-time windows, from marts.dim_hall
    (opening hours and windows per hall; the city's halls share one timetable: the first
    hall's hours, else the default)."""
    hours = OpeningHours()
    timed = halls.drop_nulls(["open_time", "close_time"]) if "open_time" in halls.columns else None
    if timed is not None and timed.height:
        first = timed.row(0, named=True)
        hours = OpeningHours(
            time.fromisoformat(first["open_time"]),
            time.fromisoformat(first["close_time"]),
            time.fromisoformat(first.get("lunch_start") or "12:00"),
            time.fromisoformat(first.get("lunch_end") or "13:30"),
        )
    lunch = pl.col("windows_lunch") if "windows_lunch" in halls.columns else pl.lit(None)
    base = halls.select(
        "hall_code",
        "windows_normal",
        pl.coalesce(lunch, pl.col("windows_normal")).alias("windows_lunch"),
    )
    slots = hour_slots(hours)
    table = base.join(slots, how="cross").with_columns(
        windows_normal=pl.when(pl.col("lunch_minutes") * 2 >= pl.col("interval_minutes"))
        .then(pl.col("windows_lunch"))
        .otherwise(pl.col("windows_normal"))
    )
    return table.select("hall_code", "hour", "windows_normal"), hours


def skip_reasons(inputs: MartInputs) -> dict[str, str]:
    """Forecast table -> why this run cannot produce it: the marts it needs are empty (the city
    does not load that source, or has no data up to ``as_of``). Empty: the run does it all."""
    cases = _missing_cases(inputs)
    halls = _missing_hall_traffic(inputs)
    staffing = halls or _missing_staffing_inputs(inputs)
    reasons = {
        "case_arrivals": cases,
        "backlog_projection": cases,
        "hall_traffic": halls,
        "staffing_plan": staffing,
        "rosters": staffing,
        "roster_coverage": staffing,
        "queue_calibration": halls,
        "queue_calibration_summary": halls,
        "staffing_plan_by_business": staffing,
    }
    if cases and halls:
        reasons["backtest_metrics"] = f"nothing to backtest: {cases}; {halls}"
        reasons["model_registry"] = (
            f"no model trained (earlier versions kept as history): {cases}; {halls}"
        )
    return {name: reason for name, reason in reasons.items() if reason}


def _missing_cases(inputs: MartInputs) -> str | None:
    if inputs.has_cases:
        return None
    if not inputs.case_days:
        return "no case arrivals in marts.mart_case_arrivals_daily (no case_logs loaded)"
    return f"no case arrivals in marts.mart_case_arrivals_daily on or before {inputs.as_of}"


def _missing_hall_traffic(inputs: MartInputs) -> str | None:
    if inputs.has_hall_traffic:
        return None
    if not inputs.hall_days:
        return "no hall tickets in marts.mart_hall_metrics_hourly (no hall_tickets loaded)"
    return f"no hall tickets in marts.mart_hall_metrics_hourly on or before {inputs.as_of}"


def _missing_staffing_inputs(inputs: MartInputs) -> str | None:
    if inputs.halls.is_empty():
        return "no halls in marts.dim_hall (windows and opening hours unknown)"
    if inputs.hall_tickets.filter(pl.col("is_served"))["service_minutes"].drop_nulls().is_empty():
        return (
            f"no served tickets in marts.fct_hall_tickets in the weeks up to {inputs.as_of} "
            "(service times unknown)"
        )
    return None


def run_forecasts(
    warehouse_path: Path,
    *,
    as_of: date | None = None,
    config: RunConfig | None = None,
    model_dir: Path | None = None,
    write: bool = True,
) -> ForecastRunSummary:
    """Train, forecast, backtest, plan staffing, project the backlog; write ``forecast.*``.

    Only what the marts allow: without case data, no arrivals, backlog or arrival backtest;
    without hall tickets, no hall traffic, hall backtest or staffing plan. The summary's
    ``skipped`` says which tables and why; a skipped table is dropped from the ``forecast``
    schema (see :func:`forecasting.warehouse.write_forecast_tables`)."""
    config = config or RunConfig()
    seconds: dict[str, float] = {}
    tick = clock.perf_counter()

    def lap(name: str) -> None:
        nonlocal tick
        now = clock.perf_counter()
        seconds[name] = round(now - tick, 2)
        tick = now

    inputs = read_marts(warehouse_path, as_of)
    skipped = skip_reasons(inputs)
    lap("read_marts")
    if inputs.as_of is None:  # neither cases nor hall tickets: nothing to train
        if write:
            write_forecast_tables(warehouse_path, {}, drop=skipped)
        return ForecastRunSummary(
            as_of=None,
            model_versions={},
            rows={},
            check=None,
            seconds=seconds,
            model_files=[],
            skipped=skipped,
        )
    run_as_of = inputs.as_of

    tables: dict[str, pl.DataFrame] = {}
    models: dict[str, tuple[FittedModel, Panel]] = {}
    simulations: dict[str, int] = {}

    if "case_arrivals" not in skipped:
        panel = arrival_panel(inputs, config.arrivals.horizon)
        try:
            arrival_model = fit_model(panel, config.arrivals)
        except InsufficientHistoryError as error:
            # a city's first months: skipped with the reason, like a source it does not load
            skipped.update(case_arrivals=str(error), backlog_projection=str(error))
    if "case_arrivals" not in skipped:
        models["case_arrivals"] = (arrival_model, panel)
        arrivals = _series_columns(arrival_model.predict(panel))
        tables["case_arrivals"] = arrivals
        lap("case_arrivals")
        tables["backlog_projection"] = _backlog(inputs, run_as_of, arrivals, config).with_columns(
            model_version=pl.lit(arrival_model.version)
        )
        lap("backlog_projection")

    if "hall_traffic" not in skipped:
        try:
            hall_panel, hall_model, hall_traffic = _hall_traffic(inputs, run_as_of, config.hall)
        except InsufficientHistoryError as error:
            skipped.update(
                hall_traffic=str(error),
                staffing_plan=str(error),
                rosters=str(error),
                roster_coverage=str(error),
            )
    if "hall_traffic" not in skipped:
        models["hall_traffic"] = (hall_model, hall_panel)
        tables["hall_traffic"] = hall_traffic
        lap("hall_traffic")
    log: tuple[pl.DataFrame, pl.DataFrame] | None = None
    if "queue_calibration" not in skipped:  # history only: no forecast needed
        found = read_queue_log(warehouse_path, run_as_of)
        if isinstance(found, str):
            skipped.update(queue_calibration=found, queue_calibration_summary=found)
            skipped.setdefault("staffing_plan_by_business", found)
        else:
            log = found
            threshold = config.target.abandonment_threshold
            fingerprint = log_fingerprint(*log, threshold)
            # the same weeks of tickets as the stored calibration's: it stands as it is
            if read_calibration_fingerprint(warehouse_path) != fingerprint:
                calibration = calibrate(*log, abandonment_threshold=threshold)
                tables["queue_calibration"] = calibration.hourly
                tables["queue_calibration_summary"] = calibration.summary.with_columns(
                    log_fingerprint=pl.lit(fingerprint)
                )
            lap("queue_calibration")
    if "hall_traffic" not in skipped and "staffing_plan" not in skipped:
        cache = SimulationCache.from_frame(read_simulation_cache(warehouse_path))
        plan, by_business = plan_staffing(inputs, hall_traffic, config, cache, log)
        version = pl.lit(hall_model.version)
        tables["staffing_plan"] = plan.with_columns(model_version=version)
        if by_business is not None:
            tables["staffing_plan_by_business"] = by_business.with_columns(model_version=version)
        tables[SIMULATION_CACHE_TABLE] = cache.frame()
        simulations = {"hits": cache.hits, "misses": cache.misses}
        lap("staffing_plan")
        _, opening_hours = windows_normal(inputs.halls)
        tables["rosters"], tables["roster_coverage"] = rosters(
            tables["staffing_plan"], RosterRules(hours=opening_hours)
        )
        lap("rosters")
    for name in ("staffing_plan", "hall_traffic"):
        if name in skipped:
            skipped.setdefault("staffing_plan_by_business", skipped[name])

    if not models:
        reasons = "; ".join(sorted(set(skipped.values())))
        skipped.setdefault("backtest_metrics", f"nothing to backtest: {reasons}")
        skipped.setdefault("model_registry", f"no model trained: {reasons}")

    # backtest + check (the check is the arrival model's; none when arrivals were skipped)
    check: CheckResult | None = None
    cards_metrics: dict[str, dict[str, object]] = {kind: {} for kind in models}
    stored = None if config.backtest is None else read_backtest_metrics(warehouse_path)
    backtest_as_of = _latest_as_of(stored)
    if config.backtest is not None and not (
        _backtest_is_current(backtest_as_of, run_as_of, config.backtest_every_days)
        and _targets(stored) == set(models)
    ):
        backtest_as_of = run_as_of
        parts = []
        for kind, (model, model_panel) in models.items():
            model_config = config.arrivals if kind == "case_arrivals" else config.hall
            try:
                backtested = _backtest(model_panel, model_config, config.backtest)
            except InsufficientHistoryError as error:
                # the model fits, but the earlier origins of the backtest are too short
                cards_metrics[kind] = {"backtest_skipped": str(error)}
                continue
            metrics = backtested.with_columns(
                target=pl.lit(kind), model_version=pl.lit(model.version)
            )
            if kind == "case_arrivals":
                check = check_against_baseline(
                    metrics, required_improvement=config.required_improvement
                )
                cards_metrics[kind] = check.as_dict()
            else:
                cards_metrics[kind] = check_against_baseline(metrics.drop("target")).as_dict()
            parts.append(metrics)
            lap("backtest" if kind == "case_arrivals" else f"backtest_{kind}")
        if parts:
            tables["backtest_metrics"] = pl.concat(parts).with_columns(as_of=pl.lit(run_as_of))
        else:
            skipped.setdefault("backtest_metrics", "too little history for the backtest")
    elif stored is not None and "case_arrivals" in models:
        check = check_against_baseline(stored, required_improvement=config.required_improvement)
        cards_metrics["case_arrivals"] = {**check.as_dict(), "backtest_as_of": str(backtest_as_of)}

    created = datetime.now()
    cards = [model_card(model, kind, cards_metrics[kind]) for kind, (model, _) in models.items()]
    files: list[str] = []
    if model_dir is not None:
        files = [
            str(save_model(model, card, model_dir))
            for (model, _), card in zip(models.values(), cards, strict=True)
        ]
    if cards:
        tables["model_registry"] = registry_rows(cards, created, files or [""] * len(cards))
    if write:
        write_forecast_tables(warehouse_path, tables, drop=skipped)
    lap("write")
    return ForecastRunSummary(
        as_of=run_as_of,
        model_versions={kind: model.version for kind, (model, _) in models.items()},
        rows={k: v.height for k, v in tables.items()},
        check=check,
        seconds=seconds,
        model_files=files,
        backtest_as_of=backtest_as_of,
        skipped=skipped,
        simulations=simulations,
    )


def hall_traffic_panel(inputs: MartInputs, as_of: date, horizon: int) -> Panel:
    """The hall-traffic model's series: daily tickets per hall (grouped by admin level)."""
    daily = inputs.hall_hourly.group_by("hall_code", "date").agg(pl.col("tickets").sum())
    hall_obs = daily.rename({"hall_code": "series_id", "tickets": "y"}).join(
        inputs.halls.select(
            pl.col("hall_code").alias("series_id"), pl.col("admin_level").alias("group")
        ),
        on="series_id",
        how="left",
    )
    return build_panel(hall_obs, inputs.calendar, end=as_of, future_days=horizon)


def _hall_traffic(
    inputs: MartInputs, as_of: date, config: ModelConfig
) -> tuple[Panel, FittedModel, pl.DataFrame]:
    """Daily tickets per hall forecast by the model, split into opening hours."""
    panel = hall_traffic_panel(inputs, as_of, config.horizon)
    hall_model = fit_model(panel, config)
    hall_daily = hall_model.predict(panel)
    profile = hourly_profile(inputs.hall_hourly, as_of)
    return panel, hall_model, split_into_hours(hall_daily, profile)


def plan_staffing(
    inputs: MartInputs,
    hall_traffic: pl.DataFrame,
    config: RunConfig,
    cache: SimulationCache,
    log: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The staffing plan on working days (``cache``: the simulations of earlier runs) and,
    where the tickets name business types and windows (``log``), the plan per business queue,
    whose sums replace the hall-pool windows (kept as ``windows_hall_pool``)."""
    workdays = inputs.calendar.filter(pl.col("is_workday"))["calendar_date"]
    normal, hours = windows_normal(inputs.halls)
    slots = hour_slots(hours).select("hour", "interval_minutes")
    load = (
        hall_traffic.filter(pl.col("date").is_in(workdays.implode()))
        .join(slots, on="hour", how="inner")
        .select("hall_code", "date", "hour", pl.col("mean").alias("arrivals"), "interval_minutes")
    )
    by_business = (
        None if log is None or load.is_empty() else plan_by_business(load, log[0], config.target)
    )
    totals = None if by_business is None else hall_totals(by_business)
    if totals is not None:
        # the simulation checks the plan: an hour planned per business queue keeps the hall
        # pool's formula answer for comparison (the queue plan is a formula's too), and only
        # the hours planned for the hall pool are screened and simulated
        keys = ["hall_code", "date", "hour"]
        load = load.join(
            totals.select(keys).with_columns(simulate=pl.lit(False)), on=keys, how="left"
        ).with_columns(pl.col("simulate").fill_null(True))
    pooled = staffing_plan(
        load,
        hall_profiles(inputs.hall_tickets, config.target),
        normal,
        target=config.target,
        settings=config.simulation,
        cache=cache,
    )
    if totals is None or pooled.is_empty():
        return pooled.with_columns(
            windows_hall_pool=pl.col("windows_needed"), planned_per=pl.lit("hall")
        ), None
    return combine_plans(pooled, totals), by_business


def combine_plans(pooled: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """The hall-hour plan with the per-business sums where the hall has them: windows, staff,
    staff-hours, occupancy and meets_target, decided_by 'queue_model'; the hall-pool answer
    stays as windows_hall_pool, and the analytic_/simulated_ columns describe it
    (``planned_per`` says which the hour's windows are: 'business' or 'hall')."""
    keys = ["hall_code", "date", "hour"]
    summed = ["windows_needed", "staff_needed", "staff_hours", "occupancy", "meets_target"]
    joined = pooled.join(totals.drop("queues"), on=keys, how="left", suffix="_business")
    plan = joined.with_columns(
        pl.col("windows_needed").alias("windows_hall_pool"),
        pl.when(pl.col("windows_needed_business").is_not_null())
        .then(pl.lit("business"))
        .otherwise(pl.lit("hall"))
        .alias("planned_per"),
        *[pl.coalesce(f"{c}_business", c).alias(c) for c in summed],
    ).drop([f"{c}_business" for c in summed])
    # the analytic_ and simulated_ columns stay those of the hall-pool answer
    plan = plan.with_columns(
        decided_by=pl.when(pl.col("planned_per") == "business")
        .then(pl.lit("queue_model"))
        .otherwise(pl.col("decided_by"))
    )
    if "windows_normal" in plan.columns:
        plan = plan.with_columns(window_gap=pl.col("windows_needed") - pl.col("windows_normal"))
    return plan


def _backlog(
    inputs: MartInputs, as_of: date, arrivals: pl.DataFrame, config: RunConfig
) -> pl.DataFrame:
    """Open and expected cases per department from the arrival forecast."""
    accepted_share = _acceptance_share(inputs, as_of)
    share = pl.col("accepted_share").fill_null(1.0)
    dept_arrivals = (
        arrivals.filter(pl.col("department_code") != "CITY")
        .group_by("department_code", "date")
        .agg(pl.col("mean", "lo80", "hi80").sum())
        .join(accepted_share, on="department_code", how="left")
        .select(
            "department_code",
            "date",
            (pl.col("mean") * share).alias("expected"),
            (pl.col("lo80") * share).alias("expected_lo80"),
            (pl.col("hi80") * share).alias("expected_hi80"),
        )
    )
    return project_backlog(
        inputs.cases.filter(pl.col("acceptance_date").is_not_null()),
        dept_arrivals,
        inputs.calendar,
        as_of,
        config.backlog,
    )


def _targets(metrics: pl.DataFrame | None) -> set[str]:
    """The forecasts a stored backtest covers (an old one without ``target``: arrivals)."""
    if metrics is None or metrics.is_empty():
        return set()
    if "target" not in metrics.columns:
        return {"case_arrivals"}
    return set(metrics["target"].unique().to_list())


def _latest_as_of(metrics: pl.DataFrame | None) -> date | None:
    if metrics is None or metrics.is_empty() or "as_of" not in metrics.columns:
        return None
    return metrics["as_of"].max()


def _backtest_is_current(backtest_as_of: date | None, as_of: date, every_days: int) -> bool:
    """A backtest younger than ``every_days`` of data (and not from a later date) still holds."""
    return backtest_as_of is not None and 0 <= (as_of - backtest_as_of).days < every_days


def _backtest(panel: Panel, model: ModelConfig, backtest: BacktestConfig) -> pl.DataFrame:
    forecasts, _ = rolling_forecasts(panel, model, backtest)
    first_origin = panel.n_days - 1 - backtest.span_days
    return summarise(forecasts, mase_scales(panel, first_origin))


def _acceptance_share(inputs: MartInputs, as_of: date) -> pl.DataFrame:
    """Accepted cases per submitted case, per department, over the last 8 weeks."""
    recent = inputs.cases.filter(pl.col("submission_date") > as_of - timedelta(days=56))
    return recent.group_by("department_code").agg(
        accepted_share=pl.col("acceptance_date").is_not_null().mean()
    )


__all__ = ["FittedModel", "ForecastRunSummary", "RunConfig", "run_forecasts", "skip_reasons"]
