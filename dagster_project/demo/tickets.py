"""Hall tickets of one month: the case visits planned by the case logs plus consultations,
with windows staffed per half hour for the month's usual load, run through the queue."""

from __future__ import annotations

import numpy as np
import polars as pl

from dagster_project.demo.cases import (
    HALL_PROFILE,
    OPEN,
    CityModel,
    case_id_expr,
    hall_arrival_minutes,
)
from dagster_project.demo.queue import simulate_queues

# department → queue line of the integrated hall (一窗受理: the rest share one line)
BUSINESS_LINES = {
    "PSB": "public_security",
    "REG": "real_estate",
    "AMR": "market_registration",
    "MED": "market_registration",
    "HRSS": "social_insurance",
    "HSA": "social_insurance",
    "HPF": "housing_fund",
    "TAX": "tax",
}
SERVICE_MINUTES = {
    "public_security": 9.0,
    "real_estate": 18.0,
    "market_registration": 15.0,
    "social_insurance": 8.0,
    "housing_fund": 7.0,
    "tax": 11.0,
    "integrated": 12.0,
    "result_pickup": 3.0,
    "consultation": 5.0,
}
MAX_SERVICE = 45.0  # minutes: longer matters are split over appointments
SLOTS = HALL_PROFILE.size + 3  # 09:00–17:30 in half hours, then the tail until the queue is empty
LUNCH_SLOTS = slice(6, 9)  # 12:00–13:30


def staffing_plan(
    rng: np.random.Generator,
    hall: np.ndarray,
    slot: np.ndarray,
    service: np.ndarray,
    n_halls: int,
    n_days: int,
    windows_normal: np.ndarray,
    windows_lunch: np.ndarray,
    occupancy: float,
    noise: tuple[float, float],
) -> np.ndarray:
    """Windows open per hall-day (rows: hall * n_days + day) and half hour: enough for the
    month's average load at the target occupancy, capped by the hall, thinner at lunch,
    with daily shortfalls (leave, training, meetings)."""
    work = np.zeros((n_halls, SLOTS))
    np.add.at(work, (hall, np.minimum(slot, SLOTS - 1)), service)
    erlangs = work / max(n_days, 1) / 30.0
    plan = np.clip(np.ceil(erlangs / occupancy), 1, windows_normal[:, None])
    plan[:, LUNCH_SLOTS] = np.minimum(plan[:, LUNCH_SLOTS], windows_lunch[:, None])
    plan[:, HALL_PROFILE.size :] = plan[:, HALL_PROFILE.size - 1 : HALL_PROFILE.size]
    daily = rng.uniform(*noise, size=(n_halls, n_days))
    staffed = np.maximum(np.round(plan[:, None, :] * daily[:, :, None]), 1)
    return staffed.reshape(n_halls * n_days, SLOTS).astype(np.int64)


def month_tickets(
    model: CityModel, visits: pl.DataFrame, first: int, last: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(tickets, filing times) for the visits of days first..last; filing times give the
    service start/end of each case's filing visit (kind 0) by case_number."""
    rng = np.random.default_rng([model.seed, 3, first])
    p = model.scale.halls
    halls = model.city.halls
    hall_codes = halls["hall_code"].to_numpy().astype(str)
    hall_index = {code: i for i, code in enumerate(hall_codes)}
    n_days = last - first + 1
    items = model.items

    item = visits["item"].to_numpy()
    visit_hall = np.array([hall_index[h] for h in model.item_hall], dtype=np.int64)[item]
    visit_day = visits["visit_day"].to_numpy() - first
    department = items["department_code"].to_numpy()[item]
    kind = visits["kind"].to_numpy()
    line = np.array([BUSINESS_LINES.get(d, "integrated") for d in department], dtype=object)
    line = np.where(kind == 4, "result_pickup", line)

    # consultations: proportional to the hall-day's case visits, never on days off
    per_hall_day = np.bincount(visit_hall * n_days + visit_day, minlength=len(hall_codes) * n_days)
    workday = model.calendar.is_workday[model.calendar.index(np.arange(first, last + 1))]
    consult_rate = (p.consultations_per_case_visit * per_hall_day + 0.5) * np.tile(
        workday, len(hall_codes)
    )
    consult_count = rng.poisson(consult_rate)
    consult_queue = np.repeat(np.arange(consult_rate.size), consult_count)
    n_consult = consult_queue.size
    consult_department = (
        department[rng.integers(0, max(department.size, 1), n_consult)]
        if (department.size)
        else np.full(n_consult, "CIV", dtype=object)
    )

    queue = np.concatenate([visit_hall * n_days + visit_day, consult_queue])
    arrival = np.concatenate(
        [visits["arrival_minute"].to_numpy(), hall_arrival_minutes(rng, n_consult)]
    )
    lines = np.concatenate([line, np.full(n_consult, "consultation", dtype=object)])
    means = np.array([SERVICE_MINUTES[x] for x in lines]) if lines.size else np.zeros(0)
    service = np.minimum(rng.lognormal(np.log(np.maximum(means, 0.5)) - 0.125, 0.5), MAX_SERVICE)
    is_consult = np.arange(queue.size) >= visits.height
    patience = np.where(
        is_consult, rng.lognormal(np.log(p.patience_median_min), 0.5, queue.size), np.inf
    )
    no_show = is_consult & (rng.random(queue.size) < p.no_show)
    slot = ((arrival - OPEN) // p.slot_minutes).astype(np.int64)
    staffing = staffing_plan(
        rng,
        queue // n_days,
        slot,
        service,
        len(hall_codes),
        n_days,
        halls["windows_normal"].to_numpy(),
        halls["windows_lunch"].to_numpy(),
        p.target_occupancy,
        p.staffing_noise,
    )
    outcome = simulate_queues(
        queue,
        arrival,
        service,
        patience,
        no_show,
        staffing,
        np.full(staffing.shape[0], OPEN),
        float(p.slot_minutes),
    )

    day = first + queue % n_days
    case_numbers = np.concatenate([visits["case_number"].to_numpy(), np.full(n_consult, -1)])
    departments = np.concatenate([department, consult_department]).astype(str)

    def stamp(minutes: np.ndarray) -> pl.Series:
        missing = np.isnan(minutes)
        seconds = np.round((day * 1440.0 + np.where(missing, 0.0, minutes)) * 60).astype(np.int64)
        values = pl.Series(seconds * 1_000_000).cast(pl.Datetime("us"))
        return values.scatter(np.flatnonzero(missing), None) if missing.any() else values

    tickets = pl.DataFrame(
        {
            "hall_code": hall_codes[queue // n_days],
            "day": day,
            "arrival": arrival,
            "business_type": lines.astype(str),
            "department_code": departments,
            "ticket_taken_at": stamp(arrival),
            "called_at": stamp(outcome.called_minute),
            "service_start_at": stamp(outcome.start_minute),
            "service_end_at": stamp(outcome.end_minute),
            "window_no": np.char.zfill(outcome.window.astype(str), 2),
            "outcome": outcome.outcome.astype(str),
            "case_number": case_numbers,
            "submit_day": np.concatenate(
                [visits["submit_day"].to_numpy(), np.zeros(n_consult, np.int64)]
            ),
            "kind": np.concatenate([kind, np.full(n_consult, -1)]),
        }
    ).with_columns(
        window_no=pl.when(pl.col("window_no") != "00").then(pl.col("window_no")),
        case_id=pl.when(pl.col("case_number") >= 0).then(case_id_expr("submit_day", "case_number")),
    )
    filings = tickets.filter(pl.col("kind") == 0).select(
        "case_number",
        filing_start=pl.Series(outcome.start_minute[: visits.height][kind == 0]),
        filing_end=pl.Series(outcome.end_minute[: visits.height][kind == 0]),
    )
    tickets = tickets.sort("hall_code", "day", "arrival").with_columns(
        ticket_id=pl.format(
            "{}-{}-{}",
            pl.col("hall_code").str.slice(1),
            pl.col("ticket_taken_at").dt.strftime("%Y%m%d"),
            (pl.int_range(pl.len()).over("hall_code", "day") + 1).cast(pl.String).str.zfill(4),
        ),
    )
    return tickets, filings
