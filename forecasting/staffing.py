"""Windows needed per hall, day and opening hour to meet the service level.

For each hall-hour: Erlang C (or Erlang A where customers do leave) gives the fewest windows
that meet the target (default: 80 % called within 15 minutes) under the occupancy cap. Where
that answer is doubtful — the formula's level at those windows is close above the target, or
at one window fewer close below it, or the hall's service times are unlike those the margins
were measured on — the hall is simulated (``ciw``) on the forecast load with its observed
service times, and the plan is moved up or down one window at a time until it is the smallest
that the simulation says meets the target. Elsewhere the simulation is known to agree (see
:class:`Screening`). Staff = windows / (1 − shrinkage).

A simulation is fully determined by the hall's profile (its service-time sample and
patience), the target wait, the simulation settings, the rate bucket and the windows, so its
result is kept in a :class:`SimulationCache` keyed by exactly those: the daily run simulates
only the (rate, windows) pairs no earlier run with the same profile has, and its plan is the
one a run without the cache gives, row for row.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from forecasting.erlang import erlang_a, erlang_c, erlang_c_windows
from forecasting.simulation import SimulationResult, SimulationSettings, simulate_hall_hour

WORKERS_ENV = "GOVWH_FORECAST_WORKERS"


@dataclass(frozen=True)
class Screening:
    """Which hall-hours the simulation decides; the others keep the formula's windows.

    The simulation moves the formula's answer only near the target. On the demo city's 5,346
    hall-hours of a city-scale plan (service-time CV 0.66–0.91) it moved 120 by one window,
    each with the formula's level at the planned windows below target + 0.03 or at one window
    fewer above target − 0.11; on a grid of 2–160 tickets an hour over the 66 halls of the
    tiny demo (CV 0.50–0.83) it also moved one hour whose formula level was target + 0.09 at
    a load near the occupancy cap. The margins below hold all of these; a hall whose
    service-time CV is outside ``cv_range`` (more regular or heavier-tailed service than
    measured) is simulated in every hour. With them 14 % of the city plan's hall-hours are
    simulated. ``tests/test_forecasting_staffing.py`` compares the screened plan with the
    fully simulated one on the demo's halls: the same windows in every hour.
    """

    above: float = 0.1  # simulate when the formula's level at n is below target + above
    below: float = 0.2  # … or its level at n − 1 is above target − below
    cv_range: tuple[float, float] = (0.5, 1.0)

    def doubtful(
        self, level_at_n: float, level_below: float | None, cv: float, target: float
    ) -> bool:
        if not self.cv_range[0] <= cv <= self.cv_range[1]:
            return True
        if level_at_n < target + self.above:
            return True
        return level_below is not None and level_below > target - self.below


@dataclass(frozen=True)
class ServiceTarget:
    service_level: float = 0.8
    target_wait_minutes: float = 15.0
    max_occupancy: float = 0.85
    shrinkage: float = 0.3
    abandonment_threshold: float = 0.02  # above this abandoned share, plan with Erlang A
    max_extra_windows: int = 20
    screening: Screening | None = field(default_factory=Screening)  # None: simulate every hour


@dataclass(frozen=True)
class HallProfile:
    """What the hall's tickets tell: service time sample, AHT, patience (None = nobody leaves)."""

    hall_code: str
    service_minutes: np.ndarray
    patience_minutes: float | None

    @cached_property
    def aht(self) -> float:
        return float(np.mean(self.service_minutes)) if self.service_minutes.size else 8.0

    @cached_property
    def cv(self) -> float:
        """Coefficient of variation of the service times (1 for Erlang's exponential)."""
        if self.service_minutes.size < 2 or self.aht <= 0:
            return 1.0
        return float(np.std(self.service_minutes) / self.aht)

    def fingerprint(self, target: ServiceTarget, settings: SimulationSettings) -> str:
        """Everything a simulation of this hall depends on besides the rate and the windows."""
        digest = hashlib.sha256(np.ascontiguousarray(self.service_minutes, dtype=float).tobytes())
        digest.update(repr((self.patience_minutes, target.target_wait_minutes)).encode())
        digest.update(repr(astuple(settings)).encode())
        return digest.hexdigest()[:32]


SimulationKey = tuple[float, int]  # (rate bucket per 60 minutes, windows)
CACHE_COLUMNS = {
    "hall_code": pl.String,
    "profile_key": pl.String,
    "rate_bucket": pl.Float64,
    "windows": pl.Int64,
    "service_level": pl.Float64,
    "p90_wait_minutes": pl.Float64,
    "mean_wait_minutes": pl.Float64,
    "abandoned_share": pl.Float64,
    "customers": pl.Int64,
}


@dataclass
class SimulationCache:
    """Simulation results per (hall, profile fingerprint), kept between runs (the forecast
    schema's ``staffing_simulations``). Only the current profile of each hall is kept: a new
    profile (a new week of service times) starts that hall afresh."""

    entries: dict[tuple[str, str], dict[SimulationKey, SimulationResult]] = field(
        default_factory=dict
    )
    hits: int = 0
    misses: int = 0

    @classmethod
    def from_frame(cls, frame: pl.DataFrame | None) -> SimulationCache:
        cache = cls()
        if frame is None or frame.is_empty() or set(CACHE_COLUMNS) - set(frame.columns):
            return cache
        for row in frame.iter_rows(named=True):
            hall = cache.entries.setdefault((row["hall_code"], row["profile_key"]), {})
            hall[(float(row["rate_bucket"]), int(row["windows"]))] = SimulationResult(
                float(row["service_level"]),
                float(row["p90_wait_minutes"]),
                float(row["mean_wait_minutes"]),
                float(row["abandoned_share"]),
                int(row["customers"]),
            )
        return cache

    def for_hall(self, hall_code: str, profile_key: str) -> dict[SimulationKey, SimulationResult]:
        return dict(self.entries.get((hall_code, profile_key), {}))

    def frame(self) -> pl.DataFrame:
        rows = [
            {
                "hall_code": hall,
                "profile_key": key,
                "rate_bucket": bucket,
                "windows": windows,
                "service_level": result.service_level,
                "p90_wait_minutes": result.p90_wait_minutes,
                "mean_wait_minutes": result.mean_wait_minutes,
                "abandoned_share": result.abandoned_share,
                "customers": result.customers,
            }
            for (hall, key), results in sorted(self.entries.items())
            for (bucket, windows), result in sorted(results.items())
        ]
        return pl.DataFrame(rows, schema=CACHE_COLUMNS)


def min_windows_for_occupancy(arrivals: float, aht: float, interval: float, cap: float) -> int:
    return math.ceil(arrivals / interval * aht / cap - 1e-9) if arrivals > 0 else 0


def analytic_level(
    rate60: float, windows: int, profile: HallProfile, target: ServiceTarget
) -> float:
    """The formula's service level of ``windows`` windows at ``rate60`` arrivals an hour."""
    if windows <= 0:
        return 0.0
    if profile.patience_minutes is None:
        return erlang_c(rate60, profile.aht, windows, target.target_wait_minutes).service_level
    return erlang_a(
        rate60, profile.aht, windows, target.target_wait_minutes, profile.patience_minutes
    ).service_level


def analytic_windows(
    arrivals: float, interval: float, profile: HallProfile, target: ServiceTarget
) -> int:
    """Erlang C windows (Erlang A when the hall's customers leave) for one hall-hour."""
    if arrivals <= 0:
        return 0
    rate60 = arrivals * 60.0 / interval  # arrivals per 60 minutes at this hour's rate
    aht = profile.aht
    if profile.patience_minutes is None:
        return erlang_c_windows(
            rate60, aht, target.target_wait_minutes, target.service_level, target.max_occupancy
        )
    n = min_windows_for_occupancy(rate60, aht, 60.0, target.max_occupancy)
    n = max(n, 1)
    while analytic_level(rate60, n, profile, target) < target.service_level:
        n += 1
    return n


class _Simulator:
    """Memoised simulation of one hall at a rate rounded up to a ~3 % grid (``known``: the
    results of earlier runs with the same profile)."""

    def __init__(
        self,
        profile: HallProfile,
        target: ServiceTarget,
        settings: SimulationSettings,
        known: dict[SimulationKey, SimulationResult] | None = None,
    ):
        self.profile = profile
        self.target = target
        self.settings = settings
        self.cache: dict[SimulationKey, SimulationResult] = dict(known or {})
        self.hits = 0
        self.misses = 0

    @staticmethod
    def bucket(rate60: float) -> float:
        step = max(0.25, 0.03 * rate60)
        return math.ceil(rate60 / step) * step

    def __call__(self, rate60: float, windows: int) -> SimulationResult:
        key = (self.bucket(rate60), windows)
        if key in self.cache:
            self.hits += 1
        else:
            self.misses += 1
            self.cache[key] = simulate_hall_hour(
                key[0],
                self.profile.service_minutes,
                windows,
                self.target.target_wait_minutes,
                patience_minutes=self.profile.patience_minutes,
                settings=self.settings,
            )
        return self.cache[key]


def plan_hour(
    arrivals: float,
    interval: float,
    simulate: _Simulator,
    target: ServiceTarget,
    may_simulate: bool = True,
) -> tuple[int, int, SimulationResult | None]:
    """(analytic windows, planned windows, simulation of the plan) for one hall-hour; no
    simulation where the formula's answer is not doubtful (``target.screening``) or where
    the caller wants the formula's answer only (``may_simulate``)."""
    profile = simulate.profile
    start = analytic_windows(arrivals, interval, profile, target)
    if arrivals <= 0:
        return 0, 0, SimulationResult(1.0, 0.0, 0.0, 0.0, 0)
    rate60 = arrivals * 60.0 / interval
    floor = max(min_windows_for_occupancy(rate60, profile.aht, 60.0, target.max_occupancy), 1)
    n = max(start, floor)
    if not may_simulate:
        return start, n, None
    if target.screening is not None:
        below = analytic_level(rate60, n - 1, profile, target) if n - 1 >= floor else None
        level = analytic_level(rate60, n, profile, target)
        if not target.screening.doubtful(level, below, profile.cv, target.service_level):
            return start, n, None
    result = simulate(rate60, n)
    while result.service_level < target.service_level and n < start + target.max_extra_windows:
        n += 1
        result = simulate(rate60, n)
    while n - 1 >= floor:
        smaller = simulate(rate60, n - 1)
        if smaller.service_level < target.service_level:
            break
        n, result = n - 1, smaller
    return start, n, result


@dataclass(frozen=True)
class _HallPlan:
    rows: list[dict]
    simulations: dict[SimulationKey, SimulationResult]  # every result the hall's plan used
    hits: int
    misses: int


def _plan_hall(
    code: str,
    hours: list[dict],
    profile: HallProfile,
    target: ServiceTarget,
    settings: SimulationSettings,
    known: dict[SimulationKey, SimulationResult] | None = None,
) -> _HallPlan:
    """The plan rows of one hall (its own memoised simulator): the unit of parallel work."""
    sim = _Simulator(profile, target, settings, known)
    rows = []
    for row in hours:
        arrivals = max(float(row["arrivals"]), 0.0)
        interval = float(row["interval_minutes"])
        start, n, result = plan_hour(
            arrivals, interval, sim, target, may_simulate=row.get("simulate", True)
        )
        rate60 = arrivals * 60.0 / interval
        analytic = analytic_level(rate60, n, profile, target) if n else 1.0
        staff = math.ceil(n / (1.0 - target.shrinkage)) if n else 0
        rows.append(
            {
                "hall_code": code,
                "date": row["date"],
                "hour": int(row["hour"]),
                "forecast_tickets": arrivals,
                "interval_minutes": interval,
                "aht_minutes": profile.aht,
                "queue_model": "erlang_c" if profile.patience_minutes is None else "erlang_a",
                "windows_analytic": start,
                "windows_needed": n,
                "staff_needed": staff,
                "staff_hours": staff * interval / 60.0,
                "occupancy": (rate60 * profile.aht / 60.0 / n) if n else 0.0,
                "analytic_service_level": analytic,
                # which model decided the hour's windows: the simulation where the formula
                # was doubtful, the formula elsewhere (its level is then the plan's)
                "decided_by": "erlang" if result is None else "simulation",
                "simulated_service_level": None if result is None else result.service_level,
                "simulated_p90_wait_minutes": None if result is None else result.p90_wait_minutes,
                "simulated_abandoned_share": None if result is None else result.abandoned_share,
                "meets_target": (analytic if result is None else result.service_level)
                >= target.service_level,
            }
        )
    return _HallPlan(rows, sim.cache, sim.hits, sim.misses)


def plan_workers() -> int:
    """Processes for the plan's simulations: GOVWH_FORECAST_WORKERS, else the machine's cores.
    Every simulation is seeded on its own, so the plan is the same with any number."""
    configured = os.environ.get(WORKERS_ENV)
    return max(int(configured), 1) if configured else max(os.cpu_count() or 1, 1)


def staffing_plan(
    traffic: pl.DataFrame,
    profiles: dict[str, HallProfile],
    windows_normal: pl.DataFrame | None = None,
    *,
    target: ServiceTarget | None = None,
    settings: SimulationSettings | None = None,
    workers: int | None = None,
    cache: SimulationCache | None = None,
) -> pl.DataFrame:
    """Plan from ``traffic`` = (hall_code, date, hour, arrivals[, interval_minutes][,
    simulate]); ``simulate`` false: the hour gets the formula's answer, never simulated.

    ``windows_normal`` = (hall_code, hour, windows_normal) gives the windows normally open.
    The halls are planned in ``workers`` processes (default plan_workers()); the rows are the
    same, in the same order, whatever the number. ``cache`` supplies the simulations of
    earlier runs and receives this run's (the halls' current profiles only); the rows are the
    same with it or without it.
    """
    target = target or ServiceTarget()
    settings = settings or SimulationSettings()
    if "interval_minutes" not in traffic.columns:
        traffic = traffic.with_columns(interval_minutes=pl.lit(60.0))
    flagged = "simulate" in traffic.columns
    halls = [
        (
            str(hall[0]),
            part.select(
                "date", "hour", "arrivals", "interval_minutes", *(["simulate"] if flagged else [])
            ).to_dicts(),
        )
        for hall, part in traffic.sort("hall_code", "date", "hour").group_by(
            "hall_code", maintain_order=True
        )
    ]
    cache = cache if cache is not None else SimulationCache()
    jobs = []
    for code, hours in halls:
        profile = profiles.get(code) or HallProfile(code, np.array([8.0]), None)
        key = (code, profile.fingerprint(target, settings))
        jobs.append((key, hours, profile, cache.for_hall(*key)))
    # a plan that may not simulate (every hour planned per business queue) is formulas only,
    # which worker processes would slow down: each imports the forecasting stack (2-3 s)
    may_simulate = not flagged or bool(traffic["simulate"].any())
    workers = min(workers or plan_workers(), max(len(jobs), 1)) if may_simulate else 1
    if workers == 1:
        planned = [_plan_hall(k[0], h, p, target, settings, known) for k, h, p, known in jobs]
    else:
        # spawn, not fork: the parent holds polars' and DuckDB's threads
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(_plan_hall, k[0], h, p, target, settings, known)
                for k, h, p, known in jobs
            ]
            planned = [future.result() for future in futures]
    # only the halls' current profiles are kept: an old profile's results are never asked again
    cache.entries = {key: hall.simulations for (key, *_), hall in zip(jobs, planned, strict=True)}
    cache.hits = sum(hall.hits for hall in planned)
    cache.misses = sum(hall.misses for hall in planned)
    rows = [row for hall in planned for row in hall.rows]
    simulated = ("simulated_service_level", "simulated_p90_wait_minutes")
    plan = pl.DataFrame(
        rows,
        schema_overrides={
            **dict.fromkeys((*simulated, "simulated_abandoned_share"), pl.Float64),
            "decided_by": pl.String,
        },
    )
    if windows_normal is not None and plan.height:
        plan = plan.join(windows_normal, on=["hall_code", "hour"], how="left").with_columns(
            window_gap=pl.col("windows_needed") - pl.col("windows_normal")
        )
    return plan
