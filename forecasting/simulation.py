"""Discrete-event simulation of a hall queue (``ciw``) to verify a staffing plan.

One hall-hour is simulated as a stationary M/G/N(+M) queue: Poisson arrivals at the forecast
rate, service times drawn from the hall's observed service minutes, optional exponential
patience, a warm-up hour discarded, and several replications pooled. The hall service level
is computed as the metric dictionary defines it: called within the target / (called +
abandoned).
"""

from __future__ import annotations

from dataclasses import dataclass

import ciw
import numpy as np

WARMUP_MINUTES = 60.0
DRAIN_MINUTES = 90.0


@dataclass(frozen=True)
class SimulationResult:
    service_level: float
    p90_wait_minutes: float
    mean_wait_minutes: float
    abandoned_share: float
    customers: int


@dataclass(frozen=True)
class SimulationSettings:
    measured_minutes: float = 240.0
    target_customers: int = 1500  # replications are added until about this many are measured
    max_replications: int = 40
    seed: int = 20240601

    def replications(self, arrivals_per_hour: float) -> int:
        per_rep = arrivals_per_hour * self.measured_minutes / 60.0
        return int(
            min(max(np.ceil(self.target_customers / max(per_rep, 1e-9)), 2), self.max_replications)
        )


def simulate_hall_hour(
    arrivals_per_hour: float,
    service_minutes: np.ndarray,
    windows: int,
    target_minutes: float,
    *,
    patience_minutes: float | None = None,
    settings: SimulationSettings | None = None,
) -> SimulationResult:
    """Simulated service level and waits of ``windows`` windows at a constant arrival rate."""
    settings = settings or SimulationSettings()
    if arrivals_per_hour <= 0:
        return SimulationResult(1.0, 0.0, 0.0, 0.0, 0)
    if windows <= 0:
        return SimulationResult(0.0, float("inf"), float("inf"), 1.0, 0)
    sample = np.asarray(service_minutes, dtype=float)
    sample = sample[np.isfinite(sample) & (sample > 0)]
    service = ciw.dists.Empirical([float(v) for v in sample[:2000]])
    reneging = [ciw.dists.Exponential(rate=1.0 / patience_minutes)] if patience_minutes else None
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrivals_per_hour / 60.0)],
        service_distributions=[service],
        number_of_servers=[windows],
        reneging_time_distributions=reneging,
    )
    start, end = WARMUP_MINUTES, WARMUP_MINUTES + settings.measured_minutes
    waits: list[float] = []
    missed = 0
    abandoned = 0
    total = 0
    for rep in range(settings.replications(arrivals_per_hour)):
        ciw.seed(settings.seed + rep)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(end + DRAIN_MINUTES)
        seen = set()
        for rec in sim.get_all_records():
            if not (start <= rec.arrival_date < end):
                continue
            seen.add(rec.id_number)
            total += 1
            if rec.record_type == "renege":
                abandoned += 1
                missed += 1
                continue
            waits.append(rec.waiting_time)
            if rec.waiting_time > target_minutes:
                missed += 1
        # customers still queueing at the end of the drain missed the target as well
        for ind in sim.nodes[1].all_individuals:
            if start <= ind.arrival_date < end and ind.id_number not in seen:
                total += 1
                missed += 1
    if total == 0:
        return SimulationResult(1.0, 0.0, 0.0, 0.0, 0)
    w = np.array(waits) if waits else np.zeros(1)
    return SimulationResult(
        service_level=1.0 - missed / total,
        p90_wait_minutes=float(np.quantile(w, 0.9)),
        mean_wait_minutes=float(w.mean()),
        abandoned_share=abandoned / total,
        customers=total,
    )
