"""Hall tickets of one month: the case visits planned by the case logs plus consultations,
with windows staffed per half hour for the month's usual load, run through the queue."""

from __future__ import annotations

import numpy as np
import polars as pl

from govwh.demo.cases import (
    HALL_PROFILE,
    OPEN,
    CityModel,
    case_id_expr,
    hall_arrival_minutes,
)
from govwh.demo.queue import OUTCOMES, simulate_queues

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
# consultations of a hall's working day on top of those per case visit (HallParams)
WALK_IN_CONSULTATIONS = 0.5
MAX_SERVICE = 45.0  # minutes: longer matters are split over appointments
LINES = tuple(SERVICE_MINUTES)
ZONE_LETTERS = tuple("ABCDEFGHJ")  # window numbers carry the zone: A01, B03 ...
SLOTS = HALL_PROFILE.size + 3  # 09:00–17:30 in half hours, then the tail until the queue is empty
LUNCH_SLOTS = slice(6, 9)  # 12:00–13:30


def staffing_plan(
    rng: np.random.Generator,
    zone: np.ndarray,
    slot: np.ndarray,
    service: np.ndarray,
    n_days: int,
    windows_normal: np.ndarray,
    windows_lunch: np.ndarray,
    occupancy: float,
    noise: tuple[float, float],
) -> np.ndarray:
    """Windows open per zone-day (rows: zone * n_days + day) and half hour: enough for the
    month's average load at the target occupancy, the hall's windows shared among its zones
    by load, thinner at lunch, with daily shortfalls (leave, training, meetings).
    windows_normal / windows_lunch are per zone (the hall's, before sharing)."""
    n_zones = windows_normal.size
    work = np.zeros((n_zones, SLOTS))
    np.add.at(work, (zone, np.minimum(slot, SLOTS - 1)), service)
    by_zone = work.sum(axis=1).reshape(-1, len(LINES))
    share = (by_zone / np.maximum(by_zone.sum(axis=1, keepdims=True), 1e-9)).ravel()
    cap = np.maximum(np.ceil(windows_normal * share), 1)
    lunch_cap = np.maximum(np.ceil(windows_lunch * share), 1)
    erlangs = work / max(n_days, 1) / 30.0
    plan = np.clip(np.ceil(erlangs / occupancy), 1, cap[:, None])
    plan[:, LUNCH_SLOTS] = np.minimum(plan[:, LUNCH_SLOTS], lunch_cap[:, None])
    daily = rng.uniform(*noise, size=(n_zones, n_days))
    staffed = np.maximum(np.round(plan[:, None, :] * daily[:, :, None]), 1)
    # after closing time every window of the zone works until the queue is empty
    staffed[:, :, HALL_PROFILE.size :] = np.maximum(cap, 1)[:, None, None]
    return staffed.reshape(n_zones * n_days, SLOTS).astype(np.int64)


def month_tickets(
    model: CityModel, visits: pl.DataFrame, first: int, last: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(tickets, filing times) for the visits of days first..last; filing times give the
    service start/end of each case's filing visit (kind 0) by case_number."""
    rng = np.random.default_rng([model.seed, 3, first])
    p = model.scale.halls
    halls = model.city.halls
    hall_codes = halls["hall_code"].to_list()
    hall_index = {code: i for i, code in enumerate(hall_codes)}
    n_days = last - first + 1
    items = model.items

    item = visits["item"].to_numpy()
    hall_of_item = pl.Series(model.item_hall.astype(str)).replace_strict(hall_index).to_numpy()
    visit_hall = hall_of_item[item]
    visit_day = visits["visit_day"].to_numpy() - first
    department_codes = model.city.departments["department_code"]
    department_of_item = (
        items["department_code"]
        .replace_strict({code: i for i, code in enumerate(department_codes)})
        .to_numpy()
    )
    line_of_item = (
        items["department_code"]
        .replace_strict(
            {code: LINES.index(line) for code, line in BUSINESS_LINES.items()},
            default=LINES.index("integrated"),
        )
        .to_numpy()
    )
    department = department_of_item[item]
    kind = visits["kind"].to_numpy()
    line = np.where(kind == 4, LINES.index("result_pickup"), line_of_item[item])

    # consultations: proportional to the hall-day's case visits, never on days off
    per_hall_day = np.bincount(visit_hall * n_days + visit_day, minlength=len(hall_codes) * n_days)
    workday = model.calendar.is_workday[model.calendar.index(np.arange(first, last + 1))]
    consult_rate = (
        p.consultations_per_case_visit * per_hall_day + WALK_IN_CONSULTATIONS
    ) * np.tile(workday, len(hall_codes))
    consult_count = rng.poisson(consult_rate)
    consult_queue = np.repeat(np.arange(consult_rate.size), consult_count)
    n_consult = consult_queue.size
    consult_department = (
        department[rng.integers(0, department.size, n_consult)]
        if department.size
        else rng.integers(0, department_codes.len(), n_consult)
    )

    hall = np.concatenate([visit_hall, consult_queue // n_days])
    lines = np.concatenate([line, np.full(n_consult, LINES.index("consultation"))])
    # big halls queue per business zone (分区叫号); township halls have one queue
    zoned = (halls["hall_level"] != "township").to_numpy()
    zone = hall * len(LINES) + np.where(zoned[hall], lines, 0)
    queue = zone * n_days + np.concatenate([visit_day, consult_queue % n_days])
    arrival = np.concatenate(
        [visits["arrival_minute"].to_numpy(), hall_arrival_minutes(rng, n_consult)]
    )
    means = np.array(list(SERVICE_MINUTES.values()))[lines]
    service = np.minimum(rng.lognormal(np.log(np.maximum(means, 0.5)) - 0.125, 0.5), MAX_SERVICE)
    is_consult = np.arange(queue.size) >= visits.height
    patience = np.where(
        is_consult, rng.lognormal(np.log(p.patience_median_min), 0.5, queue.size), np.inf
    )
    no_show = is_consult & (rng.random(queue.size) < p.no_show)
    slot = ((arrival - OPEN) // p.slot_minutes).astype(np.int64)
    staffing = staffing_plan(
        rng,
        zone,
        slot,
        service,
        n_days,
        np.repeat(halls["windows_normal"].to_numpy(), len(LINES)),
        np.repeat(halls["windows_lunch"].to_numpy(), len(LINES)),
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
    # the abandoned leave when their patience runs out; only a share of the leavings recorded
    recorded = np.random.default_rng([model.seed, 3, first, 1]).random(n_consult + visits.height)
    left_minute = np.where(
        (outcome.outcome_code == OUTCOMES.index("abandoned")) & (recorded < p.left_at_recorded),
        arrival + patience,
        np.nan,
    )
    case_numbers = np.concatenate([visits["case_number"].to_numpy(), np.full(n_consult, -1)])
    departments = np.concatenate([department, consult_department])

    def stamp(minutes: np.ndarray) -> pl.Series:
        missing = np.isnan(minutes)
        seconds = np.round((day * 1440.0 + np.where(missing, 0.0, minutes)) * 60).astype(np.int64)
        values = pl.Series(seconds * 1_000_000).cast(pl.Datetime("us"))
        return values.scatter(np.flatnonzero(missing), None) if missing.any() else values

    tickets = pl.DataFrame(
        {
            "hall_code": pl.Series(hall_codes).gather(hall),
            "day": day,
            "arrival": arrival,
            "business_type": pl.Series(LINES).gather(lines),
            "department_code": department_codes.gather(departments),
            "ticket_taken_at": stamp(arrival),
            "called_at": stamp(outcome.called_minute),
            "left_at": stamp(left_minute),
            "service_start_at": stamp(outcome.start_minute),
            "service_end_at": stamp(outcome.end_minute),
            "window_no": pl.Series(ZONE_LETTERS).gather(zone % len(LINES))
            + pl.Series(outcome.window).cast(pl.String).str.zfill(2),
            "called": outcome.window > 0,
            "outcome": pl.Series(OUTCOMES).gather(outcome.outcome_code),
            "case_number": case_numbers,
            "submit_day": np.concatenate(
                [visits["submit_day"].to_numpy(), np.zeros(n_consult, np.int64)]
            ),
            "kind": np.concatenate([kind, np.full(n_consult, -1)]),
        }
    ).with_columns(
        window_no=pl.when(pl.col("called")).then(pl.col("window_no")),
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
