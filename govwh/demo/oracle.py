"""The demo's truth about hall traffic: the expected hall visits and tickets per hall and day.

A hall's tickets are the visits of cases — the filing at a window, the assisted online
filing, the on-site check of an online pre-review, the trip to correct materials, the
collection of a result (cases.VISIT_KINDS) — plus consultations (tickets.py). Every visit
follows from laws the generator knows; this module sums them in expectation, exactly, for
the cases submitted on each day:

    E[visits(hall, d)] = Σ items of the hall, submission days s, kinds:
                         rate(item, s) × P(the case's visit of that kind falls on d)

where rate is the Poisson mean of the item's cases (cases.month_rates), the visit's
probability is the product of the channel, acceptance, delivery and correction shares
(the constants of cases.py) and its day is the submission day moved by the acceptance lag
(per channel) and, for corrections and collections, by the case's working days to
completion: min(⌊(limit + 1) · Beta(2, 1.8)⌋, limit) on time, the limit plus 1..⌊limit/2⌋+1
late, plus 1..15 days of suspension for 5 % of the cases with a limit of 5 days or more.

One approximation: a case is late with probability lateness × load^1.5 (capped at 0.5),
where the generator divides the day's load by its mean over the month's drawn cases; here
that mean is taken at its expectation (they differ by about 1/√(cases of the month)).

Each case's visits fall on different days, so the visits of a hall-day are Poisson with
that mean (marking theorem); consultations are Poisson with mean c × visits + b on working
days (c = HallParams.consultations_per_case_visit, b = tickets.WALK_IN_CONSULTATIONS); every
ticket's arrival follows the hall profile (cases.HALL_PROFILE) whatever its kind.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import sparse
from scipy.stats import beta as beta_law

from govwh.demo.cases import (
    EARLY_BEFORE_MINUTE,
    EARLY_SAME_DAY,
    HALL_PROFILE,
    HALL_SHARE_OF_OFFLINE,
    NEXT_DAY,
    NOT_ACCEPTED_OTHER,
    ON_TIME_BETA,
    ONLINE_HOURLY_PROFILE,
    OPEN,
    OTHER_SAME_DAY,
    SUSPENDED_DAYS_MAX,
    VERIFY_LAG_P,
    VISIT_KINDS,
    WINDOW_DEPTH2,
    WINDOW_HALL_DEPTH1,
    WINDOW_ONLINE_DEPTH3,
    CityModel,
    late_extra_days,
    month_rates,
    month_spans,
)
from govwh.demo.params import CaseParams, HallParams
from govwh.demo.tickets import WALK_IN_CONSULTATIONS

FILING, ASSISTED, VERIFICATION, CORRECTION, PICKUP = range(len(VISIT_KINDS))
LAG_TAIL = 60  # geometric acceptance lags beyond 60 working days: probability < 1e-15
# lag laws: "none" (accepted the day of a working-day submission), "other" (mail),
# "online" (before 16:00 maybe the same day, else the next or the one after), "verify"
# (the on-site check of an online pre-review: geometric)
LagLaw = str


def total_laws(promised: int, p: CaseParams) -> tuple[np.ndarray, np.ndarray]:
    """(on time, late): the law of a case's working days from acceptance to completion
    (elapsed plus suspended) for an item with this promised limit; index = days."""
    edges = beta_law.cdf(np.arange(promised + 2) / (promised + 1), *ON_TIME_BETA)
    on_time = np.diff(edges)  # ⌊(limit + 1)·B⌋ = k for k < limit, and limit for the rest
    extra = int(late_extra_days(np.array(promised))) - 1  # 1..extra days past the limit
    late = np.zeros(promised + extra + 1)
    late[promised + 1 :] = 1.0 / extra
    suspension = np.zeros(SUSPENDED_DAYS_MAX + 1)
    suspension[0] = 1.0
    if promised >= 5:
        suspension[0] -= p.suspended
        suspension[1:] = p.suspended / SUSPENDED_DAYS_MAX
    return np.convolve(on_time, suspension), np.convolve(late, suspension)


def visit_kernels(total: np.ndarray) -> dict[str, np.ndarray]:
    """Working days from acceptance to the visit, given the law of the days to completion:
    a collection the working day after completion ("pickup"; "pickup_after_work" only when
    the case took at least a day: an instant case is handed over at once), a correction on
    one of the working days before completion (uniform, cases of two days or more)."""
    pickup = np.concatenate([[0.0], total])
    after_work = pickup.copy()
    after_work[1] = 0.0
    days = np.arange(total.size)
    per_day = np.where(days >= 2, total / np.maximum(days - 1, 1), 0.0)
    correction = np.zeros(total.size)
    correction[1:] = np.cumsum(per_day[::-1])[::-1][1:] - per_day[1:]  # Σ over t ≥ j + 1
    return {"pickup": pickup, "pickup_after_work": after_work, "correction": correction}


def _lag_law(law: LagLaw, workday: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(lag in working days, probability per submission day); lag 0 is the submission day
    itself, or the next working day when submitted on a day off."""
    ones = np.ones(workday.size)
    if law == "none":
        return [(0, ones)]
    if law == "other":
        return [(0, OTHER_SAME_DAY * ones), (1, (1 - OTHER_SAME_DAY) * ones)]
    if law == "online":
        hours = EARLY_BEFORE_MINUTE // 60
        early = ONLINE_HOURLY_PROFILE[:hours].sum() / ONLINE_HOURLY_PROFILE.sum()
        same = EARLY_SAME_DAY * early * workday
        return [(0, same), (1, (1 - same) * NEXT_DAY), (2, (1 - same) * (1 - NEXT_DAY))]
    if law == "verify":
        return [
            (lag, VERIFY_LAG_P * (1 - VERIFY_LAG_P) ** (lag - 1) * ones)
            for lag in range(1, LAG_TAIL + 1)
        ]
    raise ValueError(f"unknown acceptance lag law {law!r}")


def _streams(
    model: CityModel,
    days: np.ndarray,
    depth: np.ndarray,
    offline: np.ndarray,
    online: np.ndarray,
) -> list[tuple[int, LagLaw, str | None, np.ndarray]]:
    """(visit kind, acceptance lag law, kernel from acceptance or None, expected cases per
    item and day that make such a visit)."""
    p = model.scale.cases
    index = model.calendar.index(days)
    workday = model.calendar.is_workday[index][None, :]
    holiday = model.calendar.is_holiday[index][None, :]
    hall = offline * HALL_SHARE_OF_OFFLINE
    other = offline - hall
    not_kiosk = 1 - p.self_service_share * ~holiday
    assisted = online * workday * (depth <= 3) * not_kiosk * p.assisted_online_share
    unassisted = online - assisted
    decided_hall = (1 - p.not_accepted_hall) * (1 - p.withdrawn)
    decided_other = (1 - NOT_ACCEPTED_OTHER) * (1 - p.withdrawn)
    decided_online = (1 - p.not_accepted_online) * (1 - p.withdrawn)
    d1, d2, d3 = depth == 1, depth == 2, depth == 3
    hall_window = d1 * WINDOW_HALL_DEPTH1 + d2 * WINDOW_DEPTH2
    return [
        (FILING, "none", None, hall),
        (ASSISTED, "none", None, assisted),
        (VERIFICATION, "verify", None, unassisted * d2 * (1 - p.not_accepted_online)),
        (CORRECTION, "none", "correction", hall * decided_hall * d1 * p.correction_trip),
        (PICKUP, "none", "pickup_after_work", hall * decided_hall * hall_window),
        (PICKUP, "other", "pickup", other * decided_other * d2 * WINDOW_DEPTH2),
        (PICKUP, "online", "pickup", unassisted * decided_online * d3 * WINDOW_ONLINE_DEPTH3),
        (PICKUP, "none", "pickup", assisted * decided_online * d2 * WINDOW_DEPTH2),
        (PICKUP, "verify", "pickup_after_work", unassisted * decided_online * d2 * WINDOW_DEPTH2),
    ]


def _late_probability(
    model: CityModel, days: np.ndarray, factor: np.ndarray, offline: np.ndarray, online: np.ndarray
) -> np.ndarray:
    """Per item and day: the probability that a case is late (generate_cases, with the
    month's mean load over its cases at its expectation)."""
    p = model.scale.cases
    workday = model.calendar.is_workday[model.calendar.index(days)]
    cases_per_day = offline.sum(axis=0) + online.sum(axis=0)
    mean_load = (cases_per_day * factor).sum() / max(cases_per_day.sum(), 1e-12)
    load = np.where(workday, factor / max(mean_load, 1e-9), 1.0)
    late = model.department_lateness[:, None] * np.maximum(load, 0.5)[None, :] ** (
        p.late_load_elasticity
    )
    return np.minimum(late, 0.5)


def month_expected_visits(model: CityModel, first: int, last: int) -> tuple[np.ndarray, int]:
    """(expected visits per kind, hall and working day; base) of the cases submitted on days
    first..last: column c holds the working day of sequence number base + c, halls are in the
    order of model.city.halls, visits on any later day (the caller cuts them at the end)."""
    calendar = model.calendar
    days = np.arange(first, last + 1)
    factors, depth, offline, online = month_rates(model, days)
    late = _late_probability(model, days, factors.offline, offline, online)
    hall_codes = model.city.halls["hall_code"].to_list()
    hall_of_item = np.array([hall_codes.index(h) for h in model.item_hall.astype(str)])
    promised = model.items["promised_limit_days"].to_numpy().astype(np.int64)
    limits = np.unique(promised)
    group = hall_of_item * limits.size + np.searchsorted(limits, promised)
    n_groups = len(hall_codes) * limits.size

    index = calendar.index(days)
    workday = calendar.is_workday[index]
    seq = calendar.workday_seq[index]
    base = int(seq[0]) - 1
    start = seq - base + np.where(workday, 0, 1)  # column of a lag-0 acceptance
    kernels = {
        int(limit): [visit_kernels(t) for t in total_laws(int(limit), model.scale.cases)]
        for limit in limits
    }
    longest = max(k.size for pair in kernels.values() for kernel in pair for k in kernel.values())
    width = int(start.max()) + LAG_TAIL + longest + 1
    out = np.zeros((len(VISIT_KINDS), len(hall_codes), width))

    # items → (hall, limit) groups, and submission day → column of acceptance, as matrices
    to_group = sparse.csr_array(
        (np.ones(group.size), (group, np.arange(group.size))), shape=(n_groups, group.size)
    )
    acceptance: dict[LagLaw, np.ndarray] = {}
    for kind, lag_law, kernel, weight in _streams(model, days, depth, offline, online):
        if lag_law not in acceptance:
            acceptance[lag_law] = np.zeros((days.size, width))
            for lag, probability in _lag_law(lag_law, workday):
                column = start if lag == 0 else seq - base + lag
                np.add.at(acceptance[lag_law], (np.arange(days.size), column), probability)
        parts = [(weight, 0)] if kernel is None else [(weight * (1 - late), 0), (weight * late, 1)]
        for part, which in parts:
            accepted = (to_group @ part) @ acceptance[lag_law]
            by_limit = accepted.reshape(len(hall_codes), limits.size, width)
            if kernel is None:
                out[kind] += by_limit.sum(axis=1)
                continue
            for position, limit in enumerate(limits):
                law = kernels[int(limit)][which][kernel]
                for hall in np.flatnonzero(by_limit[:, position, :].any(axis=1)):
                    out[kind, hall] += np.convolve(by_limit[hall, position], law)[:width]
    return out, base


def expected_hall_visits(model: CityModel) -> tuple[np.ndarray, np.ndarray]:
    """(expected visits per kind, hall and day of the period, day numbers of the period):
    the sum over every month's cases, visits after the end date cut as the generator does."""
    calendar = model.calendar
    spans = month_spans(model.scale.start, model.scale.end)
    period = np.arange(spans[0][0], spans[-1][1] + 1)
    index = calendar.index(period)
    origin = int(calendar.workday_seq[index[0]]) - 1  # column 0: the first month's `base`
    last_seq = int(calendar.workday_seq[index[-1]])
    by_seq = np.zeros((len(VISIT_KINDS), model.city.halls.height, last_seq - origin + 1))
    for first, last in spans:
        visits, base = month_expected_visits(model, first, last)
        offset = base - origin
        keep = min(visits.shape[2], by_seq.shape[2] - offset)
        by_seq[:, :, offset : offset + keep] += visits[:, :, :keep]
    # visits fall on working days only; a day off has the column of the working day before
    # it, and is zeroed
    column = calendar.workday_seq[index] - origin
    on_day = calendar.is_workday[index].astype(float)
    return by_seq[:, :, column] * on_day[None, None, :], period


def hour_shares() -> pl.DataFrame:
    """(hour, share): the share of a hall's tickets taken in each hour (HALL_PROFILE's half
    hours from opening)."""
    hours = ((OPEN + 30 * np.arange(HALL_PROFILE.size)) // 60).astype(np.int64)
    shares = np.bincount(hours, weights=HALL_PROFILE) / HALL_PROFILE.sum()
    present = np.unique(hours)
    return pl.DataFrame({"hour": present.astype(np.int8), "share": shares[present]})


def tickets_per_visit(p: HallParams) -> float:
    """Expected tickets per case visit: the visit and its share of consultations."""
    return 1.0 + p.consultations_per_case_visit


def expected_hall_tickets(model: CityModel) -> pl.DataFrame:
    """The oracle of hall traffic: (date, hall_code, hour, expected) for every day of the
    period, hall and opening hour — the expected tickets taken (0 on days off)."""
    visits, period = expected_hall_visits(model)
    index = model.calendar.index(period)
    walk_in = np.where(model.calendar.is_workday[index], WALK_IN_CONSULTATIONS, 0.0)
    daily = visits.sum(axis=0) * tickets_per_visit(model.scale.halls) + walk_in[None, :]
    halls = model.city.halls["hall_code"]
    frame = pl.DataFrame(
        {
            "date": np.tile(period, halls.len()).astype(np.int32),
            "hall_code": np.repeat(halls.to_numpy(), period.size),
            "daily": daily.ravel(),
        }
    ).with_columns(pl.col("date").cast(pl.Date))
    return (
        frame.join(hour_shares(), how="cross")
        .select("date", "hall_code", "hour", expected=pl.col("daily") * pl.col("share"))
        .sort("date", "hall_code", "hour")
    )


def daily_ticket_law(expected: np.ndarray, workday: np.ndarray, p: HallParams) -> np.ndarray:
    """Probability of 0, 1, 2 ... tickets (columns) of a hall-day with these expected tickets
    (rows): visits V ~ Poisson(v) with v = (expected − b) / (1 + c) on working days, plus
    consultations C | V ~ Poisson(c·V + b), from the generating function
    E[z^(V+C)] = exp(b(z − 1) + v(z·exp(c(z − 1)) − 1)) at the roots of unity."""
    c = p.consultations_per_case_visit
    b = np.where(workday, WALK_IN_CONSULTATIONS, 0.0)
    expected = np.asarray(expected, dtype=float)
    visits = np.maximum(expected - b, 0.0) / (1 + c)
    variance = visits * (1 + c) ** 2 + c * visits + b
    reach = float(np.max(expected + 12 * np.sqrt(variance), initial=0.0)) + 64
    size = 1 << int(np.ceil(np.log2(reach)))
    z = np.exp(-2j * np.pi * np.arange(size) / size)[None, :]
    exponent = b[:, None] * (z - 1) + visits[:, None] * (z * np.exp(c * (z - 1)) - 1)
    return np.clip(np.fft.ifft(np.exp(exponent), axis=1).real, 0.0, None)


def law_quantiles(pmf: np.ndarray, probabilities: tuple[float, ...]) -> np.ndarray:
    """The smallest counts whose distribution function reaches each probability (rows: the
    probabilities; columns: the laws' rows)."""
    cdf = np.cumsum(pmf, axis=1)
    return np.stack([(cdf < q - 1e-12).sum(axis=1) for q in probabilities]).astype(float)
