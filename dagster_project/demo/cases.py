"""Case logs and hall tickets of one month, generated together so they agree.

Arrivals follow the working-day calendar (online only on days off), items are drawn by
popularity from the catalogue valid that month, the channel follows the item's depth and
the year, processing time follows the promised limit and the department's lateness, and
hall-window cases are the served tickets of the simulated queue (their submission is the
moment service starts at the window).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from dagster_project.demo import params
from dagster_project.demo.calendar_arrays import WorkingCalendar, day_number
from dagster_project.demo.city import county_codes, departments, hall_for_region, halls
from dagster_project.demo.identity import applicant_identities
from dagster_project.demo.queue import simulate_queues

MINUTES_OPEN, MINUTES_CLOSE = 9 * 60, 17 * 60
HOURLY_PROFILE = np.array([0.9, 1.3, 1.15, 0.45, 0.55, 1.1, 1.3, 0.95])  # 09:00 … 16:00
ONLINE_HOURLY_PROFILE = np.array(
    [0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 1.0, 1.2, 1.2, 1.0,
     0.8, 0.9, 1.1, 1.1, 1.0, 0.9, 0.8, 0.9, 1.0, 1.0, 0.7, 0.3]
)  # fmt: skip
OUTPUT_EPOCH = np.datetime64("1970-01-01T00:00", "m")


@dataclass
class CityModel:
    """What stays fixed across the months of one generation run."""

    seed: int
    scale: params.ScaleParams
    items: pl.DataFrame
    calendar: WorkingCalendar
    item_hall: np.ndarray
    department_lateness: dict[str, float]
    department_service_minutes: dict[str, float]
    applicant_pool: int
    windows_normal: dict[str, int]


def build_model(seed: int, scale: params.ScaleParams, items: pl.DataFrame) -> CityModel:
    rng = np.random.default_rng([seed, 1])
    codes = departments()["department_code"].to_list()
    months = (scale.end.year - scale.start.year) * 12 + scale.end.month - scale.start.month + 1
    expected_cases = scale.cases_per_workday * 21 * months
    return CityModel(
        seed=seed,
        scale=scale,
        items=items,
        calendar=WorkingCalendar.from_seed(),
        item_hall=hall_for_region(items["region_code"].to_numpy()),
        department_lateness=dict(zip(codes, rng.uniform(0.008, 0.075, len(codes)), strict=True)),
        department_service_minutes=dict(
            zip(codes, rng.uniform(0.7, 1.4, len(codes)) * params.SERVICE_MINUTES_MEAN, strict=True)
        ),
        applicant_pool=max(2000, int(expected_cases * 0.55)),
        windows_normal=dict(zip(halls()["hall_code"], halls()["windows_normal"], strict=True)),
    )


def _daily_demand(model: CityModel, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected arrivals per day: (hall-capable working-day demand, online-only demand)."""
    calendar = model.calendar
    idx = calendar.index(days)
    years = (days - day_number(model.scale.start)) / 365.25
    base = model.scale.cases_per_workday * (1 + params.ANNUAL_GROWTH) ** years
    dates = days.astype("datetime64[D]")
    month_end = (dates + np.timedelta64(3, "D")).astype("datetime64[M]") > dates.astype(
        "datetime64[M]"
    )
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    factor = np.ones(len(days))
    factor *= np.where(month_end, params.MONTH_END_PEAK, 1.0)
    factor *= np.where((months == 12) & (day_of_month >= 15), params.YEAR_END_PEAK, 1.0)
    # the first working days after the long holidays bring the backlog of requests
    after_long_holiday = np.zeros(len(days), dtype=bool)
    for lag in range(1, 6):
        previous = np.clip(idx - lag, 0, None)
        name = calendar.holiday_name[previous]
        long_holiday = calendar.is_holiday[previous] & np.isin(
            name, ["Spring Festival", "National Day"]
        )
        after_long_holiday |= long_holiday & (
            lag <= 3 + (~calendar.is_workday[np.clip(idx - 1, 0, None)])
        )
    factor *= np.where(
        after_long_holiday & calendar.is_workday[idx], params.POST_HOLIDAY_SURGE, 1.0
    )
    workday = calendar.is_workday[idx]
    off_factor = np.where(
        calendar.is_holiday[idx], params.HOLIDAY_ONLINE_FACTOR, params.WEEKEND_ONLINE_FACTOR
    )
    return np.where(workday, base * factor, 0.0), np.where(workday, 0.0, base * off_factor * 0.5)


def _depth_on(items: pl.DataFrame, item_index: np.ndarray, day: np.ndarray) -> np.ndarray:
    depth = items["initial_depth"].to_numpy()[item_index]
    for level in (2, 3, 4):
        reached = items[f"reach_depth_{level}"].to_numpy()[item_index] <= day
        depth = np.where(reached, np.maximum(depth, level), depth)
    return depth


def _minutes_to_datetime(days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Day numbers + minutes after midnight → datetime64[us] (NaT where minutes is nan)."""
    total_seconds = days.astype(np.int64) * 86400 + np.nan_to_num(minutes * 60, nan=0).astype(
        np.int64
    )
    result = total_seconds.astype("datetime64[s]").astype("datetime64[us]")
    return np.where(np.isnan(minutes), np.datetime64("NaT"), result)


@dataclass
class MonthOutput:
    cases: pl.DataFrame
    tickets: pl.DataFrame
    carried_visits: pl.DataFrame  # visits of this month's cases that fall in later months


EMPTY_VISITS = pl.DataFrame(
    schema={
        "case_id": pl.String,
        "hall_code": pl.String,
        "department_code": pl.String,
        "visit_day": pl.Int64,
    }
)


def generate_month(
    model: CityModel,
    month_start: dt.date,
    month_end: dt.date,
    carried_visits: pl.DataFrame,
    first_case: int,
) -> MonthOutput:
    rng = np.random.default_rng([model.seed, month_start.year, month_start.month])
    calendar, items, scale = model.calendar, model.items, model.scale
    end_day = day_number(scale.end)
    days = np.arange(day_number(month_start), day_number(month_end) + 1)
    workday_demand, online_demand = _daily_demand(model, days)

    # 1. arrivals per day and their items (the catalogue as valid at the start of the month)
    first_day = int(days[0])
    active = (items["created_day"].to_numpy() <= first_day) & (
        items["abolished_day"].to_numpy() > first_day
    )
    depth_now = _depth_on(items, np.arange(items.height), np.full(items.height, first_day))
    popularity = items["popularity"].to_numpy() * active
    online_capable = popularity * (depth_now >= 2)
    n_workday = rng.poisson(workday_demand)
    n_online_only = rng.poisson(online_demand)
    case_day = np.concatenate([np.repeat(days, n_workday), np.repeat(days, n_online_only)])
    off_day = np.concatenate([np.zeros(n_workday.sum(), bool), np.ones(n_online_only.sum(), bool)])
    n = len(case_day)
    item_index = np.empty(n, dtype=np.int64)
    item_index[~off_day] = rng.choice(
        items.height, size=(~off_day).sum(), p=popularity / popularity.sum()
    )
    item_index[off_day] = rng.choice(
        items.height, size=off_day.sum(), p=online_capable / online_capable.sum()
    )
    depth = _depth_on(items, item_index, case_day)

    # 2. channel: online take-up grows with the item's depth and the years of the reform
    years = (case_day - day_number(dt.date(2017, 1, 1))) / 365.25
    online_share = np.select(
        [depth == 2, depth == 3, depth == 4],
        [
            np.minimum(0.3 + 0.1 * years, 0.8),
            np.minimum(0.5 + 0.09 * years, 0.9),
            np.minimum(0.72 + 0.05 * years, 0.97),
        ],
        0.0,
    )
    online = off_day | (rng.random(n) < online_share)
    mobile = rng.random(n) < np.minimum(0.2 + 0.12 * years, 0.7)
    kiosk = rng.random(n) < 0.06
    offline_draw = rng.random(n)
    channel = np.where(
        online,
        np.where(kiosk, "self_service", np.where(mobile, "mobile_app", "online_web")),
        np.where(
            offline_draw < 0.96, "hall_window", np.where(offline_draw < 0.985, "mail", "other")
        ),
    )
    hall_case = channel == "hall_window"

    # 3. outcome and processing time in working days
    department_code = items["department_code"].to_numpy()[item_index]
    promised = items["promised_limit_days"].to_numpy()[item_index].astype(np.int64)
    outcome_draw = rng.random(n)
    not_accepted = outcome_draw < params.NOT_ACCEPTED_SHARE
    withdrawn = (outcome_draw >= params.NOT_ACCEPTED_SHARE) & (
        outcome_draw < params.NOT_ACCEPTED_SHARE + params.WITHDRAWN_SHARE
    )
    lateness = np.array([model.department_lateness[d] for d in department_code])
    # the last days of a month are busier for the back offices
    next_month = np.datetime64(month_start, "M") + 1
    five_days_later = case_day.astype("datetime64[D]") + np.timedelta64(5, "D")
    busy = five_days_later.astype("datetime64[M]") == next_month
    late = rng.random(n) < lateness * np.where(busy, 1.4, 1.0)
    on_time_days = np.floor(promised * rng.beta(2.2, 1.6, n)).astype(np.int64)
    late_days = promised + rng.integers(1, np.maximum(2, promised // 2 + 1) + 1)
    elapsed = np.where(late, late_days, on_time_days)
    suspended = np.where(
        (promised >= 10) & (rng.random(n) < params.SUSPENDED_SHARE), rng.integers(2, 11, n), 0
    )

    # 4. submission and acceptance days (hall cases: the ticket's day; online: next working hours)
    submit_minute = np.where(
        hall_case,
        np.nan,
        rng.choice(24, size=n, p=ONLINE_HOURLY_PROFILE / ONLINE_HOURLY_PROFILE.sum()) * 60.0
        + rng.uniform(0, 60, n),
    )
    after_hours = ~hall_case & ((submit_minute >= 16 * 60) | (submit_minute < MINUTES_OPEN))
    workday_idx = calendar.is_workday[calendar.index(case_day)]
    accept_day = np.where(
        hall_case | (workday_idx & ~after_hours & (submit_minute >= 0)),
        case_day,
        calendar.workday_at(
            calendar.seq(case_day) + np.where(workday_idx & (submit_minute < MINUTES_OPEN), 0, 1)
        ),
    )
    # on a working day before opening, acceptance is the same day
    accept_day = np.where(
        ~hall_case & workday_idx & (submit_minute < MINUTES_OPEN), case_day, accept_day
    )
    accept_seq = calendar.seq(accept_day)
    total_days = elapsed + suspended
    complete_day = calendar.workday_at(accept_seq + total_days)
    withdraw_day = calendar.workday_at(
        accept_seq + (rng.random(n) * (total_days + 1)).astype(np.int64)
    )

    # 5. trips: what the item's depth and the channel require, plus corrections when late
    trips_1 = items["trips_level_1"].to_numpy()[item_index].astype(np.int64)
    trips_2 = items["trips_level_2"].to_numpy()[item_index].astype(np.int64)
    by_post = rng.random(n) < np.where(depth >= 3, 0.45, 0.2)
    trips = np.select(
        [depth == 4, depth == 3, depth == 2],
        [np.where(hall_case, 1, 0), np.where(by_post & ~hall_case, 0, 1), trips_2],
        trips_1 + (late & (rng.random(n) < 0.5)),
    )
    trips = np.where(
        channel == "mail", 0, np.where(channel == "other", np.minimum(trips, 1), trips)
    )
    trips = np.where(not_accepted, np.where(hall_case, 1, 0), trips)
    post_saves = hall_case & by_post & (trips >= 2)
    trips = np.where(post_saves, trips - 1, trips)
    delivery = np.where(
        by_post & (trips < np.maximum(trips_1, 1)),
        "post",
        np.where(online & (depth == 4), "electronic", "window"),
    )
    hall_code = model.item_hall[item_index]

    case_ids = np.char.add(
        f"{month_start:%Y%m}", np.char.zfill((first_case + np.arange(n)).astype(str), 8)
    )

    # 6. hall visits: the filing visit plus the further trips, on working days of the case
    further = np.where(hall_case, trips - 1, np.where(not_accepted, 0, trips))
    visit_case = np.repeat(np.arange(n), np.maximum(further, 0))
    span = np.maximum(np.where(withdrawn, 1, total_days), 1)
    visit_seq = (
        accept_seq[visit_case]
        + 1
        + (rng.random(len(visit_case)) * span[visit_case]).astype(np.int64)
    )
    visits = pl.DataFrame(
        {
            "case_id": case_ids[visit_case],
            "hall_code": hall_code[visit_case],
            "department_code": department_code[visit_case],
            "visit_day": calendar.workday_at(visit_seq),
        }
    ).filter(pl.col("visit_day") <= end_day)
    visits = pl.concat([carried_visits, visits], how="vertical_relaxed")
    this_month = visits.filter(pl.col("visit_day") <= int(days[-1]))
    later = visits.filter(pl.col("visit_day") > int(days[-1]))

    tickets, case_ticket = _simulate_month(
        model, rng, days, case_ids, hall_case, hall_code, department_code, case_day, this_month
    )

    # 7. timestamps
    submit_minute = np.where(hall_case, case_ticket["start"], submit_minute)
    accept_minute = np.where(
        hall_case,
        case_ticket["end"],
        np.where(
            accept_day == case_day,
            np.minimum(
                np.maximum(submit_minute, MINUTES_OPEN) + rng.uniform(10, 150, n), 17.5 * 60
            ),
            MINUTES_OPEN + rng.uniform(0, 150, n),
        ),
    )
    complete_minute = np.where(
        total_days == 0,
        np.minimum(accept_minute + rng.uniform(5, 120, n), 18 * 60),
        rng.uniform(MINUTES_OPEN, 17.5 * 60, n),
    )
    complete_minute = np.maximum(
        complete_minute, np.where(complete_day == accept_day, accept_minute + 1, 0)
    )
    submitted_at = _minutes_to_datetime(case_day, submit_minute)
    accepted_at = _minutes_to_datetime(accept_day, accept_minute)
    completed_at = _minutes_to_datetime(complete_day, complete_minute)
    withdrawn_at = _minutes_to_datetime(withdraw_day, rng.uniform(MINUTES_OPEN, 17 * 60, n))
    end_of_data = np.datetime64(scale.end + dt.timedelta(days=1), "us")

    status = np.where(not_accepted, "not_accepted", np.where(withdrawn, "withdrawn", "completed"))
    accepted_known = ~not_accepted & (accepted_at < end_of_data)
    status = np.where(~not_accepted & ~accepted_known, "pending_acceptance", status)
    status = np.where(
        (status == "completed") & (completed_at >= end_of_data), "in_progress", status
    )
    status = np.where(
        (status == "withdrawn") & (withdrawn_at >= end_of_data), "in_progress", status
    )
    completed = status == "completed"
    decision = np.where(
        completed, np.where(rng.random(n) < params.DENIED_SHARE, "denied", "approved"), ""
    )

    # 8. ratings: sparse, worse after delays and repeated trips
    rated = completed & (rng.random(n) < params.RATED_SHARE)
    default_rating = rated & (rng.random(n) < params.DEFAULT_RATING_SHARE)
    bad_probability = 0.01 + 0.12 * late + 0.03 * np.maximum(trips - 1, 0)
    bad = rated & ~default_rating & (rng.random(n) < bad_probability)
    good = rng.choice([5, 4, 3], size=n, p=[0.8, 0.17, 0.03])
    rating = np.where(bad, rng.choice([1, 2], size=n), np.where(default_rating, 5, good))
    rated_at = completed_at + (rng.uniform(0.1, 72, n) * 3600).astype("timedelta64[s]")
    rated = rated & (rated_at < end_of_data)
    rectify_hours = np.where(
        rng.random(n) < 0.85, rng.uniform(4, 14 * 24, n), rng.uniform(20 * 24, 40 * 24, n)
    )
    rectified_at = rated_at + (rectify_hours * 3600).astype("timedelta64[s]")
    rectified = bad & rated & (rng.random(n) < 0.95) & (rectified_at < end_of_data)

    nat = np.datetime64("NaT")
    accepted_at = np.where(accepted_known, accepted_at, nat)
    completed_at = np.where(completed, completed_at, nat)
    withdrawn_at = np.where(status == "withdrawn", withdrawn_at, nat)
    rated_at = np.where(rated, rated_at, nat)
    rectified_at = np.where(rectified, rectified_at, nat)
    updated_at = np.max(
        np.stack(
            [submitted_at, accepted_at, completed_at, withdrawn_at, rated_at, rectified_at]
        ).astype("datetime64[us]"),
        axis=0,
        initial=np.datetime64("1970-01-01", "us"),
        where=~np.isnat(
            np.stack(
                [submitted_at, accepted_at, completed_at, withdrawn_at, rated_at, rectified_at]
            )
        ),
    )

    applicants = np.floor(model.applicant_pool * rng.random(n) ** 2.2).astype(np.int64)
    identities = applicant_identities(np.unique(applicants), county_codes(), model.seed)
    cases = (
        pl.DataFrame(
            {
                "case_id": case_ids,
                "item_code": items["item_code"].to_numpy()[item_index],
                "department_code": department_code,
                "region_code": items["region_code"].to_numpy()[item_index],
                "applicant_number": applicants,
                "channel": channel,
                "assisted_online": (channel == "online_web") & (rng.random(n) < 0.03),
                "hall_code": np.where(hall_case, hall_code, "").astype(str),
                "submitted_at": submitted_at,
                "accepted_at": accepted_at,
                "completed_at": completed_at,
                "withdrawn_at": withdrawn_at,
                "status": status,
                "decision": decision,
                "suspended_days": np.where(accepted_known & ~not_accepted, suspended, 0),
                "trips": trips,
                "result_delivery": np.where(not_accepted, "", delivery),
                "rating": np.where(rated, rating, 0),
                "rating_at": rated_at,
                "rating_is_default": default_rating & rated,
                "rectified_at": rectified_at,
                "updated_at": updated_at,
            },
            strict=False,
        )
        .with_columns(
            *_empty_as_null("hall_code", "decision", "result_delivery"),
            pl.when(pl.col("rating") > 0).then(pl.col("rating")).alias("rating"),
        )
        .join(identities, on="applicant_number", how="left")
        .drop("applicant_number")
    )
    return MonthOutput(cases=cases, tickets=tickets, carried_visits=later)


def _empty_as_null(*columns: str) -> list[pl.Expr]:
    return [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in columns]


def _business_types(department_codes: np.ndarray) -> np.ndarray:
    """The queue line of a ticket: the department's name, as queue systems label it."""
    names = dict(
        zip(departments()["department_code"], departments()["department_name"], strict=True)
    )
    return np.array([names[code] for code in department_codes], dtype=object)


def _simulate_month(
    model: CityModel,
    rng: np.random.Generator,
    days: np.ndarray,
    case_ids: np.ndarray,
    hall_case: np.ndarray,
    hall_code: np.ndarray,
    department_code: np.ndarray,
    case_day: np.ndarray,
    visits: pl.DataFrame,
) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    """Tickets of the month: case filings, further visits, consultations; simulated."""
    filing = np.flatnonzero(hall_case)
    visit_count = visits.height
    filing_count = len(filing)
    case_ticket_count = filing_count + visit_count
    consultation_count = rng.poisson(params.CONSULTATION_SHARE * case_ticket_count)
    pick = rng.integers(0, max(case_ticket_count, 1), consultation_count)
    ticket_hall = np.concatenate(
        [hall_code[filing], visits["hall_code"].to_numpy(), np.empty(0, dtype=object)]
    )
    ticket_department = np.concatenate(
        [department_code[filing], visits["department_code"].to_numpy()]
    )
    ticket_day = np.concatenate([case_day[filing], visits["visit_day"].to_numpy()]).astype(np.int64)
    ticket_case = np.concatenate([case_ids[filing], visits["case_id"].to_numpy()]).astype(str)
    if case_ticket_count:
        ticket_hall = np.concatenate([ticket_hall, ticket_hall[pick]])
        ticket_department = np.concatenate([ticket_department, ticket_department[pick]])
        ticket_day = np.concatenate([ticket_day, ticket_day[pick]])
        ticket_case = np.concatenate([ticket_case, np.full(consultation_count, "")])
    total = len(ticket_day)
    consultation = np.arange(total) >= case_ticket_count

    hour = rng.choice(len(HOURLY_PROFILE), size=total, p=HOURLY_PROFILE / HOURLY_PROFILE.sum())
    arrival = MINUTES_OPEN + hour * 60 + rng.uniform(0, 60, total)
    mean_service = (
        np.array([model.department_service_minutes[d] for d in ticket_department])
        if total
        else np.empty(0)
    )
    service = rng.lognormal(np.log(np.maximum(mean_service, 1)) - 0.125, 0.5)
    patience = np.where(consultation, rng.exponential(params.PATIENCE_MINUTES_MEAN, total), np.inf)
    no_show = consultation & (rng.random(total) < params.NO_SHOW_SHARE)

    # hall-days and the windows open: staffed for the expected load, with daily shortfalls
    keys = pl.DataFrame({"hall_code": ticket_hall.astype(str), "day": ticket_day})
    hall_days = (
        keys.unique(maintain_order=False).sort("hall_code", "day").with_row_index("hall_day")
    )
    hall_day = keys.join(hall_days, on=["hall_code", "day"], how="left", maintain_order="left")[
        "hall_day"
    ].to_numpy()
    load = np.bincount(hall_day, weights=service, minlength=hall_days.height)
    needed = np.ceil(load / (8 * 60 * 0.82))
    normal = (
        hall_days["hall_code"]
        .replace_strict(model.windows_normal, return_dtype=pl.Int64)
        .to_numpy()
    )
    windows = np.clip(
        np.round(needed * rng.uniform(0.9, 1.3, hall_days.height)), 1, np.maximum(normal, needed)
    )
    outcome = simulate_queues(
        hall_day, arrival, service, patience, no_show, windows.astype(np.int64)
    )

    tickets = pl.DataFrame(
        {
            "ticket_id": np.char.add(
                f"T{days[0].astype('datetime64[D]').astype(object):%Y%m}",
                np.char.zfill(np.arange(total).astype(str), 7),
            ),
            "hall_code": ticket_hall.astype(str),
            "business_type": _business_types(ticket_department),
            "department_code": ticket_department,
            "ticket_taken_at": _minutes_to_datetime(ticket_day, arrival),
            "called_at": _minutes_to_datetime(ticket_day, outcome.called_minute),
            "service_start_at": _minutes_to_datetime(ticket_day, outcome.start_minute),
            "service_end_at": _minutes_to_datetime(ticket_day, outcome.end_minute),
            "window_no": np.where(outcome.window > 0, outcome.window.astype(str), ""),
            "outcome": outcome.outcome,
            "case_id": np.where(consultation, "", ticket_case).astype(str),
        },
        strict=False,
    ).with_columns(*_empty_as_null("window_no", "case_id"))
    case_ticket = {
        "start": np.full(len(case_ids), np.nan),
        "end": np.full(len(case_ids), np.nan),
    }
    case_ticket["start"][filing] = outcome.start_minute[:filing_count]
    case_ticket["end"][filing] = outcome.end_minute[:filing_count]
    return tickets, case_ticket
