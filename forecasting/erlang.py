"""Queueing formulas for a service hall's windows.

Erlang C (M/M/N, nobody leaves) comes from the maintained ``pyworkforce`` package; its
``asa`` argument is the *target* answer time of the service level, not the average speed of
answer, so the ASA is computed here from its waiting probability. Erlang A (M/M/N+M,
customers leave after an exponential patience) is not in pyworkforce: it is computed here
from the birth–death chain and the tagged customer's position in the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyworkforce.queuing import ErlangC
from scipy.linalg import expm


@dataclass(frozen=True)
class QueueResult:
    windows: int
    p_wait: float  # probability an arriving customer waits at all
    asa_minutes: float  # average wait (of everyone, incl. those not waiting)
    service_level: float  # share called within the target wait (abandoned count as missed)
    occupancy: float
    p_abandon: float = 0.0


def erlang_c(
    arrivals: float, aht_minutes: float, windows: int, target_minutes: float, interval: int = 60
) -> QueueResult:
    """Erlang C for ``arrivals`` customers in ``interval`` minutes at ``windows`` windows."""
    load = arrivals / interval * aht_minutes
    if arrivals <= 0:
        return QueueResult(windows, 0.0, 0.0, 1.0, 0.0)
    if windows <= load:
        return QueueResult(windows, 1.0, math.inf, 0.0, 1.0)
    model = ErlangC(transactions=arrivals, aht=aht_minutes, asa=target_minutes, interval=interval)
    p_wait = float(model.waiting_probability(windows))
    asa = p_wait * aht_minutes / (windows - load)
    return QueueResult(
        windows=windows,
        p_wait=p_wait,
        asa_minutes=asa,
        service_level=float(model.service_level(windows)),
        occupancy=load / windows,
    )


def erlang_c_windows(
    arrivals: float,
    aht_minutes: float,
    target_minutes: float,
    service_level: float,
    max_occupancy: float,
    interval: int = 60,
) -> int:
    """Fewest windows with the service level met and occupancy at most ``max_occupancy``."""
    if arrivals <= 0:
        return 0
    model = ErlangC(transactions=arrivals, aht=aht_minutes, asa=target_minutes, interval=interval)
    return int(
        model.required_positions(service_level, max_occupancy=max_occupancy)["raw_positions"]
    )


def _erlang_a_state(
    arrivals_per_min: float, mu: float, theta: float, windows: int, tol: float = 1e-12
) -> np.ndarray:
    """Stationary distribution of the number in system for M/M/N+M (truncated)."""
    probs = [1.0]
    n = 0
    while True:
        n += 1
        death = mu * min(n, windows) + theta * max(n - windows, 0)
        probs.append(probs[-1] * arrivals_per_min / death)
        if n > windows and (probs[-1] < tol * sum(probs) or n > windows + 2000):
            break
    p = np.array(probs)
    return p / p.sum()


def erlang_a(
    arrivals: float,
    aht_minutes: float,
    windows: int,
    target_minutes: float,
    patience_minutes: float,
    interval: int = 60,
) -> QueueResult:
    """Erlang A: like Erlang C, but a waiting customer leaves at rate 1/patience.

    Service level counts customers called within the target over all arrivals (the ones who
    left count as missed), as the hall service level metric does.
    """
    if arrivals <= 0:
        return QueueResult(windows, 0.0, 0.0, 1.0, 0.0)
    lam = arrivals / interval
    mu = 1.0 / aht_minutes
    theta = 1.0 / patience_minutes
    if windows == 0:
        return QueueResult(0, 1.0, patience_minutes, 0.0, 1.0, 1.0)
    pi = _erlang_a_state(lam, mu, theta, windows)
    queue_ahead = np.arange(len(pi)) - windows  # customers ahead of an arrival finding n
    waiting = queue_ahead >= 0
    k_max = int(queue_ahead.max()) if waiting.any() else 0
    # tagged customer: states 0..k_max (customers ahead), then served, abandoned
    size = k_max + 3
    q = np.zeros((size, size))
    served, left = k_max + 1, k_max + 2
    for j in range(k_max + 1):
        move = windows * mu + j * theta
        q[j, served if j == 0 else j - 1] += move
        q[j, left] += theta
        q[j, j] = -(move + theta)
    start = queue_ahead[waiting]
    called_by_target = expm(q * target_minutes)[start, served]
    # eventual outcome: probability of being served from position k (product of races)
    stay = np.array(
        [(windows * mu + j * theta) / (windows * mu + j * theta + theta) for j in range(k_max + 1)]
    )
    served_eventually = np.cumprod(stay)[start]
    p_wait = float(pi[waiting].sum())
    service_level = float(pi[~waiting].sum() + (pi[waiting] * called_by_target).sum())
    p_abandon = float((pi[waiting] * (1 - served_eventually)).sum())
    mean_queue = float((pi * np.maximum(np.arange(len(pi)) - windows, 0)).sum())
    busy = float((pi * np.minimum(np.arange(len(pi)), windows)).sum())
    return QueueResult(
        windows=windows,
        p_wait=p_wait,
        asa_minutes=mean_queue / lam,  # Little's law over all arrivals
        service_level=service_level,
        occupancy=busy / windows,
        p_abandon=p_abandon,
    )


def erlang_c_level(
    arrivals: float,
    aht_minutes: float,
    windows: int,
    target_minutes: float,
    interval: float = 60,
    service_cv: float = 1.0,
) -> float:
    """Erlang C service level (P(wait ≤ target)) by the Erlang B recursion: the same value as
    :func:`erlang_c`, without building a model object (the calibration evaluates thousands).

    ``service_cv`` < 1 (a hall's service times are far more regular than exponential: CV
    about 0.5) shortens the waiting-time tail by the Allen–Cunneen factor 2 / (1 + cv²) for
    M/G/N (Poisson arrivals); 1 gives Erlang C exactly."""
    if arrivals <= 0:
        return 1.0
    load = arrivals / interval * aht_minutes
    if windows <= load:
        return 0.0
    blocking = 1.0
    for k in range(1, windows + 1):
        blocking = load * blocking / (k + load * blocking)
    p_wait = windows * blocking / (windows - load * (1.0 - blocking))
    factor = 2.0 / (1.0 + service_cv**2)
    return float(1.0 - p_wait * math.exp(-(windows - load) * target_minutes / aht_minutes * factor))
