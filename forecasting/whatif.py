"""What if: upgrade items to full-online, or move hall demand online — and see what changes.

A scenario moves a share of each item's hall demand online:

- ``upgrade_top=N``: the N first depth-upgrade candidates (``marts.mart_depth_upgrade_candidates``,
  by ``volume_rank``) become full-online (全程网办): all their hall demand moves;
- ``move_online_points=X``: X points of the city's hall share of cases move online, every
  item alike (each item's hall cases × X / the city's hall share, at most all of them).

What changes, against the same computation without the scenario (so that no change gives the
baseline exactly):

- **hall arrivals** — each hall's forecast (``forecast.hall_traffic``: mean and 80 % interval)
  less the moved items' share of its tickets. The share comes from the hall's tickets of the
  last 8 weeks that name their case (``fct_hall_tickets.case_id`` → ``fct_cases.item_code``);
  tickets without a case (consultations, pickups of unknown cases) never move. The moved
  share is taken as known, so the interval bounds scale with the mean.
- **windows and staff** — the staffing plan run again (the forecast run's own function,
  with its simulations cache) on the scenario's arrivals, and on their 80 % bounds.
- **the headline rates** — online case share, one-trip and zero-trip rates recomputed over
  the last 12 months of completed cases as if the moved cases had been online: a moved case
  of an upgraded item needs no trip; a moved case otherwise takes the trips of that item's
  online cases. These are counterfactuals of history, without an interval.
- **backlog** — the projection (``forecasting.backlog``) works on each department's accepted
  cases whatever their channel, so moving cases online leaves it unchanged; it is reported
  as such.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from forecasting.run import RunConfig, plan_staffing
from forecasting.staffing import SimulationCache
from forecasting.warehouse import (
    MartInputs,
    forecast_tables,
    read_marts,
    read_queue_log,
    read_simulation_cache,
)
from govwh.warehouse.connection import connect

WHATIF_TABLE = "forecast.whatif_scenarios"
RESULT_SCHEMA = {
    "metric": pl.String,
    "scope": pl.String,  # CITY or a hall code
    "baseline": pl.Float64,
    "scenario": pl.Float64,
    "delta": pl.Float64,
    "baseline_lo80": pl.Float64,
    "baseline_hi80": pl.Float64,
    "scenario_lo80": pl.Float64,
    "scenario_hi80": pl.Float64,
}
TICKET_WEEKS = 8


@dataclass(frozen=True)
class Scenario:
    upgrade_top: int = 0
    move_online_points: float = 0.0

    def __post_init__(self) -> None:
        if self.upgrade_top < 0 or not 0.0 <= self.move_online_points <= 100.0:
            raise ValueError("upgrade_top must be ≥ 0 and move_online_points within 0–100")

    @property
    def scenario_id(self) -> str:
        key = json.dumps(asdict(self), sort_keys=True)
        return f"whatif-{hashlib.sha256(key.encode()).hexdigest()[:10]}"

    def describe(self) -> str:
        parts = []
        if self.upgrade_top:
            parts.append(f"top {self.upgrade_top} upgrade candidates to full-online")
        if self.move_online_points:
            parts.append(f"{self.move_online_points:g} points of hall demand online")
        return "; ".join(parts) or "no change"


@dataclass(frozen=True)
class WhatIfInputs:
    marts: MartInputs
    hall_traffic: pl.DataFrame  # hall_code, date, hour, mean, lo80, hi80
    ticket_items: pl.DataFrame  # hall_code, item_code (null: no case), tickets
    item_cases: pl.DataFrame  # per item: completed, online, trips and online trips counts
    candidates: pl.DataFrame  # item_code, volume_rank
    cache: pl.DataFrame | None
    # the queue log the forecast run plans per business queue with (None: hall pools only)
    queue_log: tuple[pl.DataFrame, pl.DataFrame] | None
    # the backlog projection's open cases at its last day (mean, lo80, hi80), city-wide
    backlog: tuple[float, float, float] | None


def read_inputs(warehouse: Path) -> WhatIfInputs:
    """Everything a scenario needs, read-only (the serving copy will do)."""
    marts = read_marts(warehouse)
    if marts.as_of is None:
        raise ValueError(f"no case or ticket data in {warehouse}")
    since = marts.as_of - timedelta(weeks=TICKET_WEEKS)
    with connect(warehouse, read_only=True) as con:
        found = forecast_tables(con)
        if "hall_traffic" not in found:
            raise ValueError(f"no forecast.hall_traffic in {warehouse}: run `govwh forecast`")
        hall_traffic = con.sql(
            "select hall_code, date, hour, mean, lo80, hi80 from forecast.hall_traffic"
        ).pl()
        ticket_items = con.sql(
            """select tickets.hall_code, cases.item_code, count(*) as tickets
               from marts.fct_hall_tickets as tickets
               left join marts.fct_cases as cases on cases.case_id = tickets.case_id
               where tickets.ticket_date > ? and tickets.ticket_date <= ?
               group by all""",
            params=[since, marts.as_of],
        ).pl()
        item_cases = con.sql(
            """select item_code,
                      count(*) as completed,
                      count(*) filter (is_online_submission) as online,
                      count(trips) as trips_reported,
                      count(*) filter (is_one_trip) as one_trip,
                      count(*) filter (is_zero_trip) as zero_trip,
                      count(trips) filter (is_online_submission) as online_trips_reported,
                      count(*) filter (is_online_submission and is_one_trip) as online_one_trip,
                      count(*) filter (is_online_submission and is_zero_trip) as online_zero_trip
               from marts.fct_cases
               where is_completed and completion_date > ? and completion_date <= ?
               group by item_code""",
            params=[marts.as_of - timedelta(days=365), marts.as_of],
        ).pl()
        candidates = con.sql(
            "select item_code, volume_rank from marts.mart_depth_upgrade_candidates"
        ).pl()
        backlog = None
        if "backlog_projection" in found:
            backlog = con.execute(
                """select sum(open_cases), sum(open_cases_lo80), sum(open_cases_hi80)
                   from forecast.backlog_projection
                   where date = (select max(date) from forecast.backlog_projection)"""
            ).fetchall()[0]
            backlog = None if backlog is None or backlog[0] is None else tuple(map(float, backlog))
    return WhatIfInputs(
        marts,
        hall_traffic,
        ticket_items,
        item_cases,
        candidates,
        read_simulation_cache(warehouse),
        None if isinstance(log := read_queue_log(warehouse, marts.as_of), str) else log,
        backlog,
    )


def moved_shares(inputs: WhatIfInputs, scenario: Scenario) -> pl.DataFrame:
    """Per item: the share of its hall demand that moves online (``moved``) and whether it
    becomes full-online (``upgraded``)."""
    cases = inputs.item_cases
    hall_share = 1.0 - cases["online"].sum() / max(cases["completed"].sum(), 1)
    uniform = min(scenario.move_online_points / 100.0 / hall_share, 1.0) if hall_share > 0 else 0.0
    upgraded = set(
        inputs.candidates.sort("volume_rank").head(scenario.upgrade_top)["item_code"].to_list()
    )
    items = pl.concat(
        [cases.select("item_code"), inputs.ticket_items.select("item_code").drop_nulls()]
    ).unique()
    return items.with_columns(
        pl.col("item_code").is_in(list(upgraded)).alias("upgraded"),
    ).with_columns(pl.when(pl.col("upgraded")).then(1.0).otherwise(uniform).alias("moved"))


def hall_cuts(inputs: WhatIfInputs, moved: pl.DataFrame) -> pl.DataFrame:
    """Each hall's share of tickets that moves online (``cut``; 0 where none moves)."""
    return (
        inputs.ticket_items.join(moved, on="item_code", how="left")
        .with_columns(pl.col("moved").fill_null(0.0))
        .group_by("hall_code")
        .agg(((pl.col("tickets") * pl.col("moved")).sum() / pl.col("tickets").sum()).alias("cut"))
    )


def _kept(frame: pl.DataFrame, cuts: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """``columns`` of ``frame`` (per hall) less the hall's cut, in ``frame``'s row order."""
    keep = 1.0 - pl.col("cut").fill_null(0.0)
    return (
        frame.join(cuts, on="hall_code", how="left", maintain_order="left")
        .with_columns((pl.col(c) * keep).alias(c) for c in columns)
        .drop("cut")
    )


def scenario_traffic(inputs: WhatIfInputs, cuts: pl.DataFrame) -> pl.DataFrame:
    """The hall-traffic forecast less the moved share of each hall's tickets."""
    return _kept(inputs.hall_traffic, cuts, ("mean", "lo80", "hi80"))


def _plan(
    inputs: WhatIfInputs,
    traffic: pl.DataFrame,
    column: str,
    cache: SimulationCache,
    config: RunConfig,
) -> pl.DataFrame:
    """The forecast run's staffing plan of ``traffic``'s ``column`` (mean or a bound): per
    business queue where the run plans so, the hall-hour sums."""
    plan, _ = plan_staffing(
        inputs.marts, traffic.with_columns(mean=pl.col(column)), config, cache, inputs.queue_log
    )
    return plan.select("hall_code", "windows_needed", "staff_hours", "interval_minutes")


def _rates(inputs: WhatIfInputs, moved: pl.DataFrame) -> dict[str, tuple[float, float]]:
    """(baseline, scenario) of the headline rates over the last 12 months of cases."""
    cases = inputs.item_cases.join(moved, on="item_code", how="left").with_columns(
        pl.col("moved").fill_null(0.0), pl.col("upgraded").fill_null(False)
    )
    hall = pl.col("completed") - pl.col("online")
    hall_trips = pl.col("trips_reported") - pl.col("online_trips_reported")
    moving = hall * pl.col("moved")
    moving_reported = hall_trips * pl.col("moved")

    # trips of a moved case: none once full-online, else those of the item's online cases
    def online_share(part: str) -> pl.Expr:
        reported = pl.col("online_trips_reported")
        return pl.when(reported > 0).then(pl.col(part) / reported).otherwise(0.0)

    def hall_share(part: str, online_part: str) -> pl.Expr:
        return (
            pl.when(hall_trips > 0)
            .then((pl.col(part) - pl.col(online_part)) / hall_trips)
            .otherwise(0.0)
        )

    scenario = cases.select(
        (pl.col("online") + moving).sum().alias("online"),
        pl.col("completed").sum().alias("completed"),
        pl.col("trips_reported").sum().alias("trips_reported"),
        (
            pl.col("one_trip")
            + moving_reported
            * (
                pl.when(pl.col("upgraded")).then(1.0).otherwise(online_share("online_one_trip"))
                - hall_share("one_trip", "online_one_trip")
            )
        )
        .sum()
        .alias("one_trip"),
        (
            pl.col("zero_trip")
            + moving_reported
            * (
                pl.when(pl.col("upgraded")).then(1.0).otherwise(online_share("online_zero_trip"))
                - hall_share("zero_trip", "online_zero_trip")
            )
        )
        .sum()
        .alias("zero_trip"),
    ).row(0, named=True)
    base = cases.select(
        pl.col(c).sum() for c in ("online", "completed", "trips_reported", "one_trip", "zero_trip")
    ).row(0, named=True)

    def ratio(row: dict, numerator: str, denominator: str) -> float:
        return row[numerator] / row[denominator] if row[denominator] else 0.0

    return {
        "online_case_share": (
            ratio(base, "online", "completed"),
            ratio(scenario, "online", "completed"),
        ),
        "one_trip_rate": (
            ratio(base, "one_trip", "trips_reported"),
            ratio(scenario, "one_trip", "trips_reported"),
        ),
        "zero_trip_rate": (
            ratio(base, "zero_trip", "trips_reported"),
            ratio(scenario, "zero_trip", "trips_reported"),
        ),
    }


def run_scenario(
    inputs: WhatIfInputs, scenario: Scenario, config: RunConfig | None = None
) -> pl.DataFrame:
    """One row per metric and scope (city, each hall): baseline, scenario, delta and the
    80 % bounds of both where the forecast gives them."""
    moved = moved_shares(inputs, scenario)
    cuts = hall_cuts(inputs, moved)
    baseline_traffic = inputs.hall_traffic
    traffic = scenario_traffic(inputs, cuts)
    cache = SimulationCache.from_frame(inputs.cache)
    rows: list[dict] = []

    def add(metric: str, scope: str, base: tuple[float, ...], new: tuple[float, ...]) -> None:
        rows.append(
            {
                "metric": metric,
                "scope": scope,
                "baseline": base[0],
                "scenario": new[0],
                "delta": new[0] - base[0],
                "baseline_lo80": base[1] if len(base) > 1 else None,
                "baseline_hi80": base[2] if len(base) > 1 else None,
                "scenario_lo80": new[1] if len(new) > 1 else None,
                "scenario_hi80": new[2] if len(new) > 1 else None,
            }
        )

    workdays = inputs.marts.calendar.filter(pl.col("is_workday"))["calendar_date"].implode()

    def arrivals(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.filter(pl.col("date").is_in(workdays))
            .group_by("hall_code")
            .agg(pl.col("mean").sum(), pl.col("lo80").sum(), pl.col("hi80").sum())
        )

    def plans(frame: pl.DataFrame) -> pl.DataFrame:
        """Window-hours and staff-hours per hall, on the mean and on each 80 % bound."""
        columns = {"hall_code": pl.String}
        for column in ("mean", "lo80", "hi80"):
            columns |= {f"windows_{column}": pl.Float64, f"staff_{column}": pl.Float64}
        if frame.is_empty():
            return pl.DataFrame(schema=columns)
        parts = [
            _plan(inputs, frame, column, cache, config or RunConfig())
            .group_by("hall_code")
            .agg(
                (pl.col("windows_needed") * pl.col("interval_minutes") / 60.0)
                .sum()
                .alias(f"windows_{column}"),
                pl.col("staff_hours").sum().cast(pl.Float64).alias(f"staff_{column}"),
            )
            for column in ("mean", "lo80", "hi80")
        ]
        joined = parts[0].join(parts[1], on="hall_code").join(parts[2], on="hall_code")
        return joined.select(pl.col(name).cast(dtype) for name, dtype in columns.items())

    # the scenario's arrivals are the baseline's sums less each hall's cut, not sums of the
    # cut hours: polars may add a group's floats in another order on every call, and a
    # scenario that moves nothing must give the baseline to the last bit
    base_arrivals = arrivals(baseline_traffic)
    new_arrivals = _kept(base_arrivals, cuts, ("mean", "lo80", "hi80"))
    # a hall none of whose tickets move keeps its baseline plan: only the others are planned
    # again (the plan of one hall does not depend on the others)
    changed = (
        traffic.join(baseline_traffic, on=["hall_code", "date", "hour"], suffix="_base")
        .filter(pl.col("mean") != pl.col("mean_base"))["hall_code"]
        .unique()
        .implode()
    )
    base_plan = plans(baseline_traffic)
    new_plan = pl.concat(
        [
            base_plan.filter(~pl.col("hall_code").is_in(changed)),
            plans(traffic.filter(pl.col("hall_code").is_in(changed))),
        ]
    )
    halls = (
        base_arrivals.join(new_arrivals, on="hall_code", suffix="_new")
        .join(base_plan, on="hall_code", how="left")
        .join(new_plan, on="hall_code", how="left", suffix="_new")
        .sort("hall_code")
    )
    for row in [*halls.iter_rows(named=True), _city_row(halls)]:
        scope = row["hall_code"]
        add(
            "hall_arrivals",
            scope,
            (row["mean"], row["lo80"], row["hi80"]),
            (row["mean_new"], row["lo80_new"], row["hi80_new"]),
        )
        if row["windows_mean"] is not None:
            # a higher load needs more windows: the hi80 arrivals give the upper bound
            add(
                "window_hours",
                scope,
                (row["windows_mean"], row["windows_lo80"], row["windows_hi80"]),
                (row["windows_mean_new"], row["windows_lo80_new"], row["windows_hi80_new"]),
            )
            add(
                "staff_hours",
                scope,
                (row["staff_mean"], row["staff_lo80"], row["staff_hi80"]),
                (row["staff_mean_new"], row["staff_lo80_new"], row["staff_hi80_new"]),
            )
    for metric, (base, new) in _rates(inputs, moved).items():
        add(metric, "CITY", (base,), (new,))
    if inputs.backlog is not None:
        # the projection counts each department's accepted cases whatever their channel
        add("backlog_open_cases", "CITY", inputs.backlog, inputs.backlog)
    return pl.DataFrame(rows, schema=RESULT_SCHEMA).select(
        pl.lit(scenario.scenario_id).alias("scenario_id"),
        pl.lit(scenario.describe()).alias("description"),
        pl.lit(json.dumps(asdict(scenario), sort_keys=True)).alias("parameters"),
        pl.lit(inputs.marts.as_of).alias("as_of"),
        pl.lit(int(moved["upgraded"].sum())).alias("items_upgraded"),
        pl.all(),
    )


def _city_row(halls: pl.DataFrame) -> dict:
    sums = halls.drop("hall_code").sum().row(0, named=True)
    has_plan = halls["windows_mean"].null_count() < halls.height
    return {
        "hall_code": "CITY",
        **{
            k: (v if has_plan or not k.startswith(("windows", "staff")) else None)
            for k, v in sums.items()
        },
    }


def write_scenario(warehouse: Path, result: pl.DataFrame) -> None:
    """Replace this scenario's rows in forecast.whatif_scenarios (other scenarios kept)."""
    scenario_id = result["scenario_id"][0]
    with connect(warehouse) as con:
        con.execute("create schema if not exists forecast")
        con.register("_whatif", result.with_columns(pl.lit(datetime.now()).alias("created_at")))
        con.execute(f"create table if not exists {WHATIF_TABLE} as select * from _whatif limit 0")
        con.execute(f"delete from {WHATIF_TABLE} where scenario_id = ?", [scenario_id])
        con.execute(f"insert into {WHATIF_TABLE} by name select * from _whatif")
        con.unregister("_whatif")
