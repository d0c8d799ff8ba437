"""Erlang C against published values, Erlang A limits, and the staffing plan's minimality."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest

from forecasting.erlang import erlang_a, erlang_c, erlang_c_windows
from forecasting.simulation import SimulationSettings, simulate_hall_hour
from forecasting.staffing import HallProfile, ServiceTarget, SimulationCache, staffing_plan
from govwh.settings import Settings


def test_erlang_c_textbook_example() -> None:
    # 100 calls per 30 min, AHT 3 min, 14 agents, target 20 s (the classic call-centre
    # example: traffic 10 Erlang, P(wait) 0.1741, service level 88.8 %, ASA 7.8 s)
    r = erlang_c(100, 3, 14, 20 / 60, interval=30)
    assert r.p_wait == pytest.approx(0.1741, abs=1e-4)
    assert r.service_level == pytest.approx(0.8884, abs=1e-4)
    assert r.asa_minutes * 60 == pytest.approx(7.84, abs=0.01)
    assert r.occupancy == pytest.approx(10 / 14)
    # 13 agents stay just under 80 %, so the 80 % level needs 14
    assert erlang_c(100, 3, 13, 20 / 60, interval=30).service_level < 0.8
    assert erlang_c_windows(100, 3, 20 / 60, 0.8, 1.0, interval=30) == 14
    # the 85 % occupancy cap needs ceil(10 / 0.85) = 12 windows, fewer than the level needs
    assert erlang_c_windows(100, 3, 20 / 60, 0.8, 0.85, interval=30) == 14
    assert erlang_c_windows(100, 3, 20 / 60, 0.5, 0.70, interval=30) == 15


def test_erlang_c_one_window_is_mm1() -> None:
    lam, aht, t = 4.0, 10.0, 15.0  # per hour, minutes
    rho = lam / 60 * aht
    r = erlang_c(lam, aht, 1, t)
    assert r.p_wait == pytest.approx(rho)
    assert r.service_level == pytest.approx(1 - rho * math.exp(-(1 / aht - lam / 60) * t))
    assert r.asa_minutes == pytest.approx(rho * aht / (1 - rho))


def test_erlang_a_tends_to_erlang_c_and_patience_helps() -> None:
    c = erlang_c(100, 3, 14, 20 / 60, interval=30)
    a = erlang_a(100, 3, 14, 20 / 60, patience_minutes=1e7, interval=30)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-5)
    impatient = erlang_a(100, 3, 10, 20 / 60, patience_minutes=2, interval=30)
    assert 0 < impatient.p_abandon < 1
    assert impatient.occupancy < 1  # stable even at load = windows


def _called_by_matrix_exponential(
    windows: int, mu: float, theta: float, ahead: int, target: float
) -> np.ndarray:
    """The tagged customer's chain (positions ahead, called, left) solved by expm: the
    reference the closed form in ``forecasting.erlang`` replaces."""
    from scipy.linalg import expm

    size = ahead + 3
    q = np.zeros((size, size))
    called, left = ahead + 1, ahead + 2
    for j in range(ahead + 1):
        move = windows * mu + j * theta
        q[j, called if j == 0 else j - 1] += move
        q[j, left] += theta
        q[j, j] = -(move + theta)
    return expm(q * target)[: ahead + 1, called]


@pytest.mark.parametrize("windows", [1, 3, 12, 60])
@pytest.mark.parametrize("patience", [2.0, 30.0, 600.0])
@pytest.mark.parametrize("target", [5.0, 15.0])
def test_erlang_a_called_in_time_is_the_matrix_exponential(
    windows: int, patience: float, target: float
) -> None:
    from forecasting.erlang import _called

    mu, theta, ahead = 1 / 8, 1 / patience, 250
    within, eventually = _called(windows * mu, theta, np.arange(ahead + 1), target)
    reference = _called_by_matrix_exponential(windows, mu, theta, ahead, target)
    np.testing.assert_allclose(within, reference, rtol=0, atol=1e-12)
    rates = windows * mu + np.arange(ahead + 1) * theta
    np.testing.assert_allclose(eventually, np.cumprod(rates / (rates + theta)), rtol=1e-15)


def test_erlang_a_of_an_overloaded_hall_stays_finite() -> None:
    # 400 customers in half an hour at one window: the stationary products overflow a float
    # unless taken in logs; nearly everyone leaves, and nobody is called in time
    result = erlang_a(400, 8, 1, 15, patience_minutes=60, interval=30)
    assert result.service_level == pytest.approx(0.0, abs=1e-12)
    served_rate, arrival_rate = 1 / 8, 400 / 30
    assert result.p_abandon == pytest.approx(1 - served_rate / arrival_rate, abs=1e-6)
    assert result.occupancy == pytest.approx(1.0)


def test_simulation_agrees_with_erlang_c_at_moderate_load() -> None:
    rng = np.random.default_rng(1)
    service = rng.exponential(8.0, 5000)
    sim = simulate_hall_hour(
        30,
        service,
        5,
        5.0,
        settings=SimulationSettings(measured_minutes=600, target_customers=4000),
    )
    assert sim.service_level == pytest.approx(erlang_c(30, 8.0, 5, 5.0).service_level, abs=0.05)


@pytest.mark.slow
def test_plan_meets_level_and_no_smaller_plan_does() -> None:
    rng = np.random.default_rng(2)
    profile = HallProfile("H1", rng.lognormal(np.log(7), 0.6, 3000), None)
    hours = list(range(9, 17))
    load = [4, 10, 25, 12, 6, 18, 30, 8]
    traffic = pl.DataFrame(
        {"hall_code": "H1", "date": date(2022, 1, 4), "hour": hours, "arrivals": load}
    )
    target = ServiceTarget()
    settings = SimulationSettings(target_customers=800)
    plan = staffing_plan(traffic, {"H1": profile}, target=target, settings=settings)
    assert plan["meets_target"].mean() >= 0.95
    # one window fewer in any hour breaks the level or the occupancy cap
    for row in plan.iter_rows(named=True):
        n = row["windows_needed"] - 1
        rate = row["forecast_tickets"]
        over_cap = n <= 0 or rate * profile.aht / 60 / n > target.max_occupancy
        if over_cap:
            continue
        smaller = simulate_hall_hour(rate, profile.service_minutes, n, 15.0, settings=settings)
        assert smaller.service_level < target.service_level, row
    assert (plan["staff_needed"] >= plan["windows_needed"]).all()
    assert plan["staff_hours"].sum() == pytest.approx(plan["staff_needed"].sum())


@pytest.mark.slow
def test_the_plan_is_the_same_whatever_the_number_of_processes() -> None:
    """The halls are planned in parallel for speed: the rows, their order and every figure
    are those of the one-process plan (each simulation is seeded on its own)."""
    rng = np.random.default_rng(3)
    profiles = {
        "H1": HallProfile("H1", rng.lognormal(np.log(7), 0.6, 2000), None),
        "H2": HallProfile("H2", rng.lognormal(np.log(12), 0.5, 2000), 20.0),
        "H3": HallProfile("H3", rng.lognormal(np.log(5), 0.7, 2000), None),
    }
    traffic = pl.DataFrame(
        {
            "hall_code": [hall for hall in ("H3", "H1", "H2") for _ in range(6)],
            "date": date(2022, 1, 4),
            "hour": list(range(9, 15)) * 3,
            "arrivals": [4.0, 11.5, 25.0, 0.0, 18.2, 30.0] * 3,
        }
    )
    settings = SimulationSettings(target_customers=600)
    one = staffing_plan(traffic, profiles, settings=settings, workers=1)
    two = staffing_plan(traffic, profiles, settings=settings, workers=2)
    assert one.height == 18 and one["hall_code"].to_list()[:6] == ["H1"] * 6
    assert one.equals(two)


@pytest.mark.slow
def test_the_plan_from_the_simulation_cache_is_the_plan_without_it() -> None:
    """A run that finds its simulations in the cache of an earlier run gives the same rows as
    a run that simulates everything; a hall whose profile changed simulates afresh, and the
    cache keeps only the halls' current profiles."""
    rng = np.random.default_rng(4)
    profiles = {
        "H1": HallProfile("H1", rng.lognormal(np.log(7), 0.6, 2000), None),
        "H2": HallProfile("H2", rng.lognormal(np.log(12), 0.5, 2000), 20.0),
    }
    traffic = pl.DataFrame(
        {
            "hall_code": [hall for hall in ("H1", "H2") for _ in range(5)],
            "date": date(2022, 1, 4),
            "hour": list(range(9, 14)) * 2,
            "arrivals": [4.0, 11.5, 25.0, 18.2, 30.0] * 2,
        }
    )
    settings = SimulationSettings(target_customers=600)
    every_hour = ServiceTarget(screening=None)  # the cache serves the simulated hours
    cold = SimulationCache()
    plan = staffing_plan(
        traffic, profiles, target=every_hour, settings=settings, workers=1, cache=cold
    )
    assert cold.misses > 0
    kept = SimulationCache.from_frame(cold.frame())  # as the warehouse table holds it
    assert kept.frame().equals(cold.frame())
    again = staffing_plan(
        traffic, profiles, target=every_hour, settings=settings, workers=2, cache=kept
    )
    assert again.equals(plan)
    assert kept.misses == 0 and kept.hits == cold.hits + cold.misses

    # a new week of service times at H2: H1 is still served from the cache, H2 is simulated
    changed = {**profiles, "H2": HallProfile("H2", profiles["H2"].service_minutes * 1.1, 20.0)}
    fresh = staffing_plan(traffic, changed, target=every_hour, settings=settings, workers=1)
    cached = staffing_plan(
        traffic, changed, target=every_hour, settings=settings, workers=1, cache=kept
    )
    assert cached.equals(fresh)
    assert 0 < kept.misses < cold.misses + cold.hits
    keys = {key for _, key in kept.entries}
    assert keys == {p.fingerprint(ServiceTarget(), settings) for p in changed.values()}


@pytest.mark.slow
def test_the_screened_plan_has_the_windows_of_the_fully_simulated_plan(
    built_warehouse: Settings,
) -> None:
    """On the demo's 66 halls (their own service times, from the tiny city's tickets) and a
    grid of loads from 2 to 160 tickets an hour, simulating only the doubtful hours gives
    the same windows, and the same staff, in every hour as simulating them all."""
    from forecasting.run import hall_profiles

    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        tickets = connection.sql(
            """select hall_code, service_minutes, wait_minutes, is_abandoned, is_served
               from marts.fct_hall_tickets order by hall_code, ticket_taken_at, ticket_id"""
        ).pl()
    profiles = hall_profiles(tickets, ServiceTarget())
    rates = np.round(np.geomspace(2, 160, 36), 2)
    traffic = pl.DataFrame(
        {
            "hall_code": [hall for hall in profiles for _ in rates],
            "arrivals": list(rates) * len(profiles),
        }
    ).with_columns(
        hour=pl.int_range(pl.len()).over("hall_code") % 9 + 9,
        date=pl.lit(date(2022, 1, 4))
        + pl.duration(days=pl.int_range(pl.len()).over("hall_code") // 9),
    )
    every_hour = staffing_plan(traffic, profiles, target=ServiceTarget(screening=None))
    screened = staffing_plan(traffic, profiles)
    simulated = screened.filter(pl.col("decided_by") == "simulation").height
    assert 0 < simulated < screened.height / 3
    assert (every_hour["windows_needed"] != every_hour["windows_analytic"]).sum() > 100
    assert screened["windows_needed"].equals(every_hour["windows_needed"])
    assert screened["staff_needed"].equals(every_hour["staff_needed"])


def test_hours_not_to_simulate_keep_the_formula_answer() -> None:
    """``simulate`` false (an hour planned per business queue): the hall pool's answer is
    the formula's under the occupancy cap, never simulated; the other hours are screened
    and simulated as before."""
    rng = np.random.default_rng(5)
    profiles = {"H1": HallProfile("H1", rng.lognormal(np.log(7), 0.6, 2000), None)}
    arrivals = [4.0, 11.5, 25.0, 18.2]
    traffic = pl.DataFrame(
        {
            "hall_code": "H1",
            "date": date(2022, 1, 4),
            "hour": [9, 10, 11, 12] * 2,
            "arrivals": arrivals * 2,
        }
    ).with_columns(
        pl.col("date") + pl.duration(days=pl.int_range(pl.len()) // 4),
        simulate=pl.int_range(pl.len()) < 4,
    )
    settings = SimulationSettings(target_customers=400)
    every_hour = ServiceTarget(screening=None)
    cache = SimulationCache()
    plan = staffing_plan(traffic, profiles, target=every_hour, settings=settings, cache=cache)
    simulated, formula = plan.head(4), plan.tail(4)
    assert (simulated["decided_by"] == "simulation").all()
    assert (formula["decided_by"] == "erlang").all()
    assert formula["simulated_service_level"].is_null().all()
    aht = profiles["H1"].aht
    floor = [max(math.ceil(a * aht / 60 / 0.85 - 1e-9), 1) for a in arrivals]
    expected = [max(n, f) for n, f in zip(formula["windows_analytic"], floor, strict=True)]
    assert formula["windows_needed"].to_list() == expected
    # only the simulated day asked the simulator
    assert cache.misses > 0
    alone = staffing_plan(
        traffic.head(4).drop("simulate"), profiles, target=every_hour, settings=settings
    )
    assert alone.equals(simulated)


def test_a_plan_without_hours_to_simulate_starts_no_worker_processes(monkeypatch) -> None:
    import forecasting.staffing as staffing

    def no_pool(*_args, **_kwargs):
        raise AssertionError("a worker pool for a plan that simulates nothing")

    monkeypatch.setattr(staffing, "ProcessPoolExecutor", no_pool)
    rng = np.random.default_rng(6)
    profiles = {
        code: HallProfile(code, rng.lognormal(np.log(7), 0.6, 500), None) for code in ("H1", "H2")
    }
    traffic = pl.DataFrame(
        {
            "hall_code": ["H1", "H1", "H2", "H2"],
            "date": date(2022, 1, 4),
            "hour": [9, 10, 9, 10],
            "arrivals": [6.0, 20.0, 3.0, 12.0],
            "simulate": False,
        }
    )
    plan = staffing_plan(traffic, profiles, workers=2)
    assert plan.height == 4 and (plan["decided_by"] == "erlang").all()
