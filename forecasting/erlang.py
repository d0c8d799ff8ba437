"""Queueing formulas for a service hall's windows.

Erlang C (M/M/N, nobody leaves) comes from the maintained ``pyworkforce`` package; its
``asa`` argument is the *target* answer time of the service level, not the average speed of
answer, so the ASA is computed here from its waiting probability. Erlang A (M/M/N+M,
customers leave after an exponential patience) is not in pyworkforce: it is computed here
from the birth–death chain, and the waiting customer's chance of a call within the target
in closed form (a regularised incomplete beta function, see ``_called``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyworkforce.queuing import ErlangC
from scipy.special import betainc


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
    """Stationary distribution of the number in system for M/M/N+M, truncated at the first
    state past ``windows`` whose probability is below ``tol`` of the mass up to it (or 2000
    past ``windows``)."""
    states = np.arange(1, windows + 2002)
    deaths = mu * np.minimum(states, windows) + theta * np.maximum(states - windows, 0)
    # in logs, scaled to the largest state: a heavily overloaded hall's products overflow
    log_probs = np.concatenate(([0.0], np.cumsum(np.log(arrivals_per_min / deaths))))
    probs = np.exp(log_probs - log_probs.max())
    n = np.arange(probs.size)
    stop = (n > windows) & ((probs < tol * np.cumsum(probs)) | (n > windows + 2000))
    p = probs[: int(np.argmax(stop)) + 1]
    return p / p.sum()


def _called(
    calling: float, theta: float, ahead: np.ndarray, target_minutes: float
) -> tuple[np.ndarray, np.ndarray]:
    """(called within the target, called at all) for a waiting customer with ``ahead``
    customers before it, the windows calling at rate ``calling`` and everyone leaving at
    rate ``theta``.

    With j ahead the queue moves at a_i = calling + iθ (i = j … 0, a call or one ahead
    leaving) while the customer itself leaves at θ: called with probability ∏ a_i / (a_i + θ),
    and, given that, after the sum of Exp(a_i + θ) = Exp(calling + (i + 1)θ). That sum is
    −ln(U)/θ with U ~ Beta(calling/θ + 1, j + 1) (their Laplace transforms agree), so the
    called-in-time share is a regularised incomplete beta: the closed form of the
    matrix exponential of the customer's position chain (tests compare the two), at a
    fraction of its cost for large halls.
    """
    rates = calling + np.arange(int(ahead.max(initial=-1)) + 1) * theta
    called_eventually = np.cumprod(rates / (rates + theta))
    within = 1.0 - betainc(calling / theta + 1.0, ahead + 1.0, math.exp(-theta * target_minutes))
    return called_eventually[ahead] * within, called_eventually[ahead]


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
    start = queue_ahead[waiting]
    called_by_target, served_eventually = _called(windows * mu, theta, start, target_minutes)
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
