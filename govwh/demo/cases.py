"""Case logs of one month: arrivals, channel, acceptance, processing, trips, ratings.

Each case's whole life is drawn when it is submitted and then cut at the end date (its state
at the end is what the platform would export). In-person trips are visits to a hall; they
come back as hall tickets (``tickets.py``), and a hall-window filing takes its submission and
acceptance times from the simulated service at the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from govwh.demo.arrivals import DayFactors, day_factors, expected_arrivals
from govwh.demo.calendar_arrays import WorkingCalendar, day_number
from govwh.demo.catalogue import depth_on
from govwh.demo.city import City
from govwh.demo.identity import ENTERPRISE_OFFSET, applicant_identities
from govwh.demo.params import SCALES, ScaleParams
from govwh.ingestion.schemas import CHANNELS, RESULT_DELIVERIES

ONLINE_WEB, MOBILE_APP, SELF_SERVICE, HALL_WINDOW, MAIL, OTHER = range(6)  # CHANNELS order
WINDOW, POST, ELECTRONIC = range(3)  # RESULT_DELIVERIES order

OPEN, CLOSE = 9 * 60.0, 17.5 * 60.0
ONLINE_HOURLY_PROFILE = np.array(
    [0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 1.0, 1.2, 1.2, 1.0,
     0.8, 0.9, 1.1, 1.1, 1.0, 0.9, 0.8, 0.9, 1.0, 1.0, 0.7, 0.3]
)  # fmt: skip
# hall arrivals per half hour from 09:00 to 17:30: morning peak, lunch dip, afternoon peak
HALL_PROFILE = np.array(
    [0.9, 1.2, 1.45, 1.5, 1.35, 1.1, 0.45, 0.35, 0.5, 0.75, 1.1, 1.3, 1.35, 1.2, 1.0, 0.8, 0.45]
)
VISIT_KINDS = ("filing", "assisted", "verification", "correction", "pickup")
PLACEHOLDER_SERVICE = 20.0  # hall filings: accepted at the end of service, known after the queue
# The laws of a case's life that decide its hall visits (govwh/demo/oracle.py takes its
# expected visits from the same constants)
HALL_SHARE_OF_OFFLINE = 0.96  # hall-type demand filed at a window (the rest: mail, other)
VERIFY_LAG_P = 0.45  # online pre-review: working days to the on-site check, geometric
EARLY_BEFORE_MINUTE = 16 * 60  # submitted before 16:00 on a working day: may be accepted that day
EARLY_SAME_DAY = 0.55  # ... and is, with this probability
NEXT_DAY = 0.8  # otherwise accepted the next working day (else the one after)
OTHER_SAME_DAY = 0.6  # mail and other channels: accepted the day they arrive
NOT_ACCEPTED_OTHER = 0.03  # mail and other channels: refused at acceptance
ON_TIME_BETA = (2.0, 1.8)  # share of the promised limit an on-time case takes
SUSPENDED_DAYS_MAX = 15  # a suspension lasts 1..15 working days
WINDOW_ONLINE_DEPTH3 = 0.55  # depth 3, filed online: result collected at a window
WINDOW_DEPTH2 = 0.6  # depth 2: result collected at a window
WINDOW_HALL_DEPTH1 = 0.75  # depth 1, filed at a window: result collected at a window


def late_extra_days(promised: np.ndarray) -> np.ndarray:
    """Exclusive upper bound of the working days a late case runs past its promised limit
    (drawn uniformly from 1 up to it)."""
    return np.maximum(promised // 2, 1) + 2


def hall_arrival_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    slot = rng.choice(HALL_PROFILE.size, size=n, p=HALL_PROFILE / HALL_PROFILE.sum())
    return OPEN + slot * 30.0 + rng.uniform(0, 30, n)


@dataclass(frozen=True)
class CityModel:
    """What stays fixed across the months of one generation run."""

    seed: int
    scale: ScaleParams
    city: City
    items: pl.DataFrame
    calendar: WorkingCalendar
    snapshot_days: np.ndarray  # day numbers of the catalogue snapshots
    rate_scale: float  # popularity → expected cases per ordinary working day
    department_lateness: np.ndarray  # per item (its department's lateness)
    item_hall: np.ndarray  # hall code per item
    person_pool: int
    enterprise_pool: int

    def identities(self, applicants: np.ndarray) -> pl.DataFrame:
        city_name = self.city.regions.filter(pl.col("admin_level") == "city")["region_name"].item()
        return applicant_identities(applicants, self.city.county_codes(), self.seed, city_name)


def month_spans(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    first = start.replace(day=1)
    spans = []
    while first <= end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        spans.append(
            (day_number(max(first, start)), day_number(min(following - dt.timedelta(1), end)))
        )
        first = following
    return spans


def _catalogue_state(
    model_items: pl.DataFrame, snapshot_days: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Active flag and depth of each item on each day, as the snapshot valid that day says."""
    valid = snapshot_days[np.clip(np.searchsorted(snapshot_days, days, side="right") - 1, 0, None)]
    created = model_items["created_day"].to_numpy()[:, None]
    abolished = model_items["abolished_day"].to_numpy()[:, None]
    active = (created <= valid[None, :]) & (abolished > valid[None, :])
    return active, depth_on(model_items, valid)


def build_model(
    seed: int, scale: ScaleParams, city: City, items: pl.DataFrame, snapshot_days: np.ndarray
) -> CityModel:
    rng = np.random.default_rng([seed, 1])
    calendar = WorkingCalendar.from_seed()
    popularity = items["popularity"].to_numpy()
    expected = 0.0
    for first, last in month_spans(scale.start, scale.end):  # a cheap pass over the expectations
        days = np.arange(first, last + 1)
        active, depth = _catalogue_state(items, snapshot_days, days)
        offline, online = expected_arrivals(
            popularity, active, depth, days, day_factors(calendar, days, scale.cases), scale.cases
        )
        expected += offline.sum() + online.sum()
    departments = city.departments["department_code"].to_numpy()
    spread = scale.cases.late_department_spread
    lateness = rng.lognormal(-(spread**2) / 2, spread, departments.size) * scale.cases.late_base
    lateness_of = dict(zip(departments, lateness, strict=True))
    target = scale.target_cases * ((scale.end - scale.start).days + 1) / (scale_default_days(scale))
    enterprise_share = float((items["audience"] != "citizen").mean())
    return CityModel(
        seed=seed,
        scale=scale,
        city=city,
        items=items,
        calendar=calendar,
        snapshot_days=snapshot_days,
        rate_scale=target / max(expected, 1e-9),
        department_lateness=np.array([lateness_of[d] for d in items["department_code"]]),
        item_hall=city.hall_for_regions(items["region_code"].to_numpy()),
        person_pool=max(500, int(target * scale.cases.person_pool_per_case)),
        enterprise_pool=max(
            200, int(target * enterprise_share * scale.cases.enterprise_pool_per_case)
        ),
    )


def scale_default_days(scale: ScaleParams) -> int:
    """Days of the scale's default period: its target volume is for that period."""
    default = SCALES[scale.name]
    return (default.end - default.start).days + 1


@dataclass
class MonthCases:
    cases: pl.DataFrame  # canonical columns, hall filings not yet timed (see finish_filings)
    filing_case: np.ndarray  # row of each hall filing in `cases`
    visits: pl.DataFrame  # planned hall visits of this month's cases (any month)


def month_rates(
    model: CityModel, days: np.ndarray
) -> tuple[DayFactors, np.ndarray, np.ndarray, np.ndarray]:
    """(day factors, item depth per day, expected offline and online cases per item and
    day): the Poisson means the month's arrivals are drawn from."""
    p = model.scale.cases
    factors = day_factors(model.calendar, days, p)
    active, depth_matrix = _catalogue_state(model.items, model.snapshot_days, days)
    offline_rate, online_rate = expected_arrivals(
        model.items["popularity"].to_numpy() * model.rate_scale,
        active,
        depth_matrix,
        days,
        factors,
        p,
    )
    return factors, depth_matrix, offline_rate, online_rate


def expected_case_arrivals(model: CityModel, first: int, last: int) -> pl.DataFrame:
    """The oracle: the expected cases submitted per day, department and channel group
    (online / hall, as marts.mart_case_arrivals_daily groups them) — the exact means of the
    Poisson draws of generate_cases. Every case an online draw makes is an online submission
    (assisted filings included) and every other one is not."""
    days = np.arange(first, last + 1)
    _, _, offline_rate, online_rate = month_rates(model, days)
    departments = model.items["department_code"]
    frames = []
    for group, rate in (("hall", offline_rate), ("online", online_rate)):
        frames.append(
            pl.DataFrame(rate, schema=[str(d) for d in days])
            .with_columns(department_code=departments)
            .group_by("department_code")
            .sum()
            .unpivot(index="department_code", variable_name="day", value_name="expected")
            .with_columns(pl.lit(group).alias("channel_group"))
        )
    return (
        pl.concat(frames)
        .with_columns(pl.col("day").cast(pl.Int32).cast(pl.Date).alias("date"))
        .select("date", "department_code", "channel_group", "expected")
        .sort("date", "department_code", "channel_group")
    )


def generate_cases(model: CityModel, first: int, last: int, first_case: int) -> MonthCases:
    """All cases submitted on days first..last (day numbers)."""
    scale, calendar, items = model.scale, model.calendar, model.items
    p = scale.cases
    rng = np.random.default_rng([model.seed, 2, first])
    end_day = day_number(scale.end)
    days = np.arange(first, last + 1)
    factors, depth_matrix, offline_rate, online_rate = month_rates(model, days)

    # 1. arrivals: Poisson per item and day, separately for hall-type and online channels
    counts = np.concatenate([rng.poisson(offline_rate), rng.poisson(online_rate)], axis=0)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    row, col = np.divmod(flat, days.size)
    online = row >= items.height
    item = np.where(online, row - items.height, row)
    n = item.size
    day = days[col]
    depth = depth_matrix[item, col].astype(np.int64)
    holiday = factors.holiday[col]
    workday = factors.workday[col]
    years = (day - day_number(dt.date(2017, 1, 1))) / 365.25

    # 2. channel
    mobile_share = p.mobile_share_start + (p.mobile_share_end - p.mobile_share_start) * np.clip(
        years / 4.5, 0, 1
    )
    kiosk = ~holiday & (rng.random(n) < p.self_service_share)
    online_channel = np.where(
        kiosk, SELF_SERVICE, np.where(rng.random(n) < mobile_share, MOBILE_APP, ONLINE_WEB)
    )
    draw = rng.random(n)
    offline_channel = np.where(
        draw < HALL_SHARE_OF_OFFLINE,
        HALL_WINDOW,
        np.where((draw < 0.98) & (depth == 1), MAIL, OTHER),
    )
    channel = np.where(online, online_channel, offline_channel).astype(np.int8)
    hall = channel == HALL_WINDOW
    assisted = (
        online
        & workday
        & (depth <= 3)
        & (channel != SELF_SERVICE)
        & (rng.random(n) < p.assisted_online_share)
    )

    # 3. submission time (hall filings are timed by the queue simulation later)
    online_minute = rng.choice(
        24, size=n, p=ONLINE_HOURLY_PROFILE / ONLINE_HOURLY_PROFILE.sum()
    ) * 60.0 + rng.uniform(0, 60, n)
    hall_minute = hall_arrival_minutes(rng, n)
    visit_minute = np.where(hall | assisted, hall_minute, np.nan)  # the filing visit
    submit_minute = np.where(
        hall,
        np.nan,
        np.where(
            assisted,
            hall_minute + rng.uniform(12, 40, n),
            np.where(online, online_minute, rng.uniform(OPEN, CLOSE - 30, n)),
        ),
    )

    # 4. acceptance
    promised = items["promised_limit_days"].to_numpy()[item].astype(np.int64)
    verify_online = online & (depth == 2) & ~assisted  # pre-review, then the on-site check
    early = workday & (np.nan_to_num(submit_minute, nan=0) < EARLY_BEFORE_MINUTE)
    lag = np.where(
        verify_online,
        1 + rng.geometric(VERIFY_LAG_P, n) - 1,
        np.where(
            early & (rng.random(n) < EARLY_SAME_DAY),
            0,
            np.where(rng.random(n) < NEXT_DAY, 1, 2),
        ),
    )
    lag = np.where(hall | (assisted & (depth == 2)), 0, lag)
    lag = np.where(~online & ~hall, np.where(rng.random(n) < OTHER_SAME_DAY, 0, 1), lag)
    accept_day = np.where(
        lag == 0, calendar.next_workday(day), calendar.nth_workday_after(day, lag)
    )
    verify_minute = hall_arrival_minutes(rng, n)
    accept_minute = np.where(
        verify_online,
        verify_minute + rng.uniform(15, 45, n),
        np.where(
            accept_day == day,
            np.maximum(np.nan_to_num(submit_minute, nan=OPEN), OPEN) + rng.uniform(10, 120, n),
            OPEN + rng.uniform(0, 180, n),
        ),
    )
    accept_minute = np.where(hall, visit_minute + PLACEHOLDER_SERVICE, accept_minute)
    not_accepted = rng.random(n) < np.where(
        hall, p.not_accepted_hall, np.where(online, p.not_accepted_online, NOT_ACCEPTED_OTHER)
    )
    withdrawn = ~not_accepted & (rng.random(n) < p.withdrawn)

    # 5. processing in working days: the promised limit, the department, the load of the day
    load = np.where(
        workday, factors.offline[col] / np.maximum(factors.offline[col].mean(), 1e-9), 1.0
    )
    late_probability = np.minimum(
        model.department_lateness[item] * np.maximum(load, 0.5) ** p.late_load_elasticity, 0.5
    )
    late = rng.random(n) < late_probability
    on_time_days = np.minimum(np.floor((promised + 1) * rng.beta(*ON_TIME_BETA, n)), promised)
    late_days = promised + rng.integers(1, late_extra_days(promised), n)
    elapsed = np.where(late, late_days, on_time_days).astype(np.int64)
    suspended = np.where(
        (promised >= 5) & (rng.random(n) < p.suspended),
        rng.integers(1, SUSPENDED_DAYS_MAX + 1, n),
        0,
    ).astype(np.int64)
    total = elapsed + suspended
    complete_day = calendar.nth_workday_after(accept_day, total)
    complete_minute = np.where(
        total == 0,
        np.nan_to_num(accept_minute) + rng.uniform(5, 90, n),
        rng.uniform(OPEN, CLOSE, n),
    )
    withdraw_after = np.floor(rng.random(n) * total).astype(np.int64)
    withdraw_day = calendar.nth_workday_after(accept_day, withdraw_after)
    withdraw_minute = np.where(
        withdraw_after == 0,
        np.nan_to_num(accept_minute) + rng.uniform(10, 120, n),
        rng.uniform(OPEN, CLOSE, n),
    )
    denied = ~not_accepted & ~withdrawn & (rng.random(n) < p.denied)

    # 6. result delivery and trips (hall visits), following the depth level
    same_visit = hall & (total == 0)  # instant item handed over at the filing visit
    u = rng.random(n)
    delivery = np.select(
        [depth == 4, (depth == 3) & online & ~assisted, depth == 3, depth == 2],
        [
            np.where(u < 0.7, ELECTRONIC, POST),
            np.where(u < WINDOW_ONLINE_DEPTH3, WINDOW, np.where(u < 0.85, POST, ELECTRONIC)),
            np.where(same_visit, WINDOW, np.where(u < 0.6, POST, ELECTRONIC)),
            np.where(same_visit | (u < WINDOW_DEPTH2), WINDOW, POST),
        ],
        np.where(hall, np.where(same_visit | (u < WINDOW_HALL_DEPTH1), WINDOW, POST), POST),
    ).astype(np.int8)
    delivery = np.where(verify_online & (total == 0), WINDOW, delivery)
    decided = ~not_accepted & ~withdrawn
    pickup = decided & (delivery == WINDOW) & ~same_visit & ~(verify_online & (total == 0))
    correction = decided & hall & (depth == 1) & (total >= 2) & (rng.random(n) < p.correction_trip)
    correction_day = calendar.nth_workday_after(
        accept_day, 1 + np.floor(rng.random(n) * np.maximum(total - 1, 1)).astype(np.int64)
    )
    pickup_day = calendar.nth_workday_after(complete_day, 1)

    case_number = first_case + np.arange(n)
    visit_sets = [
        (hall, day, visit_minute, 0),
        (assisted, day, visit_minute, 1),
        (verify_online & ~not_accepted, accept_day, verify_minute, 2),
        (correction, correction_day, hall_arrival_minutes(rng, n), 3),
        (pickup, pickup_day, hall_arrival_minutes(rng, n), 4),
    ]
    visit_frames = []
    trips = np.zeros(n, dtype=np.int64)
    last_visit = np.full(n, -np.inf)
    for mask, vday, vminute, kind in visit_sets:
        counted = mask & (vday <= end_day)
        trips += counted
        last_visit = np.where(counted, np.maximum(last_visit, vday * 1440.0 + vminute), last_visit)
        rows = np.flatnonzero(counted)
        visit_frames.append(
            pl.DataFrame(
                {
                    "case_number": case_number[rows],
                    "submit_day": day[rows],
                    "item": item[rows],
                    "visit_day": vday[rows],
                    "arrival_minute": vminute[rows],
                    "kind": np.full(rows.size, kind, dtype=np.int8),
                }
            )
        )
    visits = pl.concat(visit_frames)

    # 7. ratings: sparse, worse after delays and repeated trips
    rated_active = decided & (rng.random(n) < p.rated_active)
    rated_default = (
        decided & ~rated_active & (rng.random(n) < p.rated_default / (1 - p.rated_active))
    )
    bad_weight = 0.04 + 0.5 * late + 0.12 * np.maximum(trips - 1, 0)
    unhappy = rng.random(n) < bad_weight
    rating = np.where(
        unhappy,
        rng.choice([5, 4, 3, 2, 1], size=n, p=[0.35, 0.2, 0.15, 0.15, 0.15]),
        rng.choice([5, 4, 3, 2, 1], size=n, p=[0.88, 0.09, 0.02, 0.005, 0.005]),
    )
    rating = np.where(rated_default, 5, rating)
    complete_abs = complete_day * 1440.0 + complete_minute
    rating_abs = np.where(
        rated_default, complete_abs + 5 * 1440.0, complete_abs + rng.exponential(1.2, n) * 1440.0
    )
    rating_day = np.floor(rating_abs / 1440).astype(np.int64)
    quick = rng.random(n) < 0.85
    rectify_day = calendar.nth_workday_after(
        np.minimum(rating_day, calendar.last_day - 40),
        np.where(quick, rng.integers(1, 13, n), rng.integers(16, 31, n)),
    )
    rectify_abs = np.maximum(rectify_day * 1440.0 + rng.uniform(OPEN, CLOSE, n), rating_abs + 60)
    rectified = ~rated_default & (rating <= 2) & (rng.random(n) < p.rectified)

    # 8. applicants: persons and enterprises by the item's audience; many come back
    audience = items["audience"].to_numpy()[item]
    enterprise = (audience == "enterprise") | ((audience == "both") & (rng.random(n) < 0.4))
    draw = rng.random(n) ** p.returning_skew
    applicant = np.where(
        enterprise,
        ENTERPRISE_OFFSET + np.floor(draw * model.enterprise_pool),
        np.floor(draw * model.person_pool),
    ).astype(np.int64)

    frame = pl.DataFrame(
        {
            "case_number": case_number,
            "item": item,
            "applicant_number": applicant,
            "channel": channel,
            "assisted_online": assisted,
            "hall": hall,
            "day": day,
            "submit_minute": submit_minute,
            "accept_day": accept_day,
            "accept_minute": accept_minute,
            "complete_day": complete_day,
            "complete_minute": complete_minute,
            "withdraw_day": withdraw_day,
            "withdraw_minute": withdraw_minute,
            "not_accepted": not_accepted,
            "withdrawn": withdrawn,
            "denied": denied,
            "suspended": suspended,
            "trips": trips,
            "delivery": delivery,
            "rated": rated_active | rated_default,
            "rating": rating,
            "rating_abs": rating_abs,
            "rating_is_default": rated_default,
            "rectified": rectified,
            "rectify_abs": rectify_abs,
            "last_visit_abs": last_visit,
        }
    )
    return MonthCases(cases=frame, filing_case=np.flatnonzero(hall), visits=visits)


def case_id_expr(day: str, number: str) -> pl.Expr:
    """办件编号: SZ + submission date + running number."""
    return pl.format(
        "SZ{}{}",
        pl.col(day).cast(pl.Int32).cast(pl.Date).dt.strftime("%Y%m%d"),
        pl.col(number).cast(pl.String).str.zfill(9),
    )


def _timestamp(absolute_minutes: pl.Expr) -> pl.Expr:
    return (absolute_minutes * 60).round().cast(pl.Int64).mul(1_000_000).cast(pl.Datetime("us"))


def finish_cases(
    model: CityModel, month: MonthCases, filing_start: np.ndarray, filing_end: np.ndarray
) -> pl.DataFrame:
    """Canonical case rows: hall filings timed by the queue, every case cut at the end date."""
    items, calendar = model.items, model.calendar
    end_day = day_number(model.scale.end)
    frame = month.cases
    shift = np.zeros(frame.height)
    submit = frame["submit_minute"].to_numpy().copy()
    accept = frame["accept_minute"].to_numpy().copy()
    shift[month.filing_case] = filing_end - accept[month.filing_case]
    # a filing shorter than a minute must not be submitted after it is accepted
    submit[month.filing_case] = np.minimum(filing_start + 1.0, filing_end)
    accept[month.filing_case] = filing_end
    same_day = frame["complete_day"].to_numpy() == frame["accept_day"].to_numpy()
    same_day_withdraw = frame["withdraw_day"].to_numpy() == frame["accept_day"].to_numpy()
    frame = frame.with_columns(
        submit_minute=pl.Series(submit),
        accept_minute=pl.Series(accept),
        complete_minute=pl.col("complete_minute") + pl.Series(np.where(same_day, shift, 0.0)),
        withdraw_minute=pl.col("withdraw_minute")
        + pl.Series(np.where(same_day_withdraw, shift, 0.0)),
        rating_abs=pl.col("rating_abs") + pl.Series(np.where(same_day, shift, 0.0)),
    ).with_columns(rectify_abs=pl.max_horizontal("rectify_abs", pl.col("rating_abs") + 60))

    end = (end_day + 1) * 1440.0
    sub = pl.col("day") * 1440.0 + pl.col("submit_minute")
    acc = pl.col("accept_day") * 1440.0 + pl.col("accept_minute")
    comp = pl.col("complete_day") * 1440.0 + pl.col("complete_minute")
    wd = pl.col("withdraw_day") * 1440.0 + pl.col("withdraw_minute")
    status = (
        pl.when(pl.col("not_accepted"))
        .then(
            pl.when(acc < end).then(pl.lit("not_accepted")).otherwise(pl.lit("pending_acceptance"))
        )
        .when(acc >= end)
        .then(pl.lit("pending_acceptance"))
        .when(pl.col("withdrawn"))
        .then(pl.when(wd < end).then(pl.lit("withdrawn")).otherwise(pl.lit("in_progress")))
        .when(comp < end)
        .then(pl.lit("completed"))
        .otherwise(pl.lit("in_progress"))
    )
    elapsed_now = pl.Series(
        calendar.seq(np.minimum(end_day, calendar.last_day))
        - calendar.seq(np.clip(frame["accept_day"].to_numpy(), None, calendar.last_day))
    )
    frame = frame.with_columns(status=status, elapsed_now=elapsed_now)
    accepted = pl.col("status").is_in(["in_progress", "completed", "withdrawn"])
    completed = pl.col("status") == "completed"
    rated = completed & pl.col("rated") & (pl.col("rating_abs") < end)
    rectified = (
        rated & pl.col("rectified") & (pl.col("rating") <= 2) & (pl.col("rectify_abs") < end)
    )
    frame = frame.with_columns(
        submitted=sub,
        accepted=pl.when(accepted).then(acc),
        completed=pl.when(completed).then(comp),
        withdrawn_t=pl.when(pl.col("status") == "withdrawn").then(wd),
        refused=pl.when(pl.col("status") == "not_accepted").then(acc),
        rating_t=pl.when(rated).then(pl.col("rating_abs")),
        rectified_t=pl.when(rectified).then(pl.col("rectify_abs")),
        rated_now=rated,
    )
    last_visit = pl.when(pl.col("last_visit_abs").is_finite()).then(pl.col("last_visit_abs"))
    updated = pl.max_horizontal(
        "submitted",
        "accepted",
        "completed",
        "withdrawn_t",
        "refused",
        "rating_t",
        "rectified_t",
        last_visit,
    )
    item = pl.col("item")
    index = frame["item"]
    identities = model.identities(frame["applicant_number"].unique().to_numpy())
    return (
        frame.with_columns(
            case_id=case_id_expr("day", "case_number"),
            item_code=items["item_code"].gather(index),
            department_code=items["department_code"].gather(index),
            region_code=items["region_code"].gather(index),
            hall_code=pl.when(pl.col("hall")).then(
                pl.Series(model.item_hall.astype(str)).gather(index)
            ),
            channel=pl.Series(CHANNELS).gather(frame["channel"]),
            submitted_at=_timestamp(pl.col("submitted")),
            accepted_at=_timestamp(pl.col("accepted")),
            completed_at=_timestamp(pl.col("completed")),
            withdrawn_at=_timestamp(pl.col("withdrawn_t")),
            decision=pl.when(completed).then(
                pl.when(pl.col("denied")).then(pl.lit("denied")).otherwise(pl.lit("approved"))
            ),
            suspended_days=pl.when(completed)
            .then(pl.col("suspended"))
            .when(pl.col("status") == "in_progress")
            .then(pl.min_horizontal("suspended", pl.col("elapsed_now").clip(0)))
            .otherwise(0)
            .cast(pl.Int16),
            trips=pl.col("trips").cast(pl.Int8),
            result_delivery=pl.when(accepted).then(
                pl.Series(RESULT_DELIVERIES).gather(frame["delivery"])
            ),
            rating=pl.when(pl.col("rated_now")).then(pl.col("rating")).cast(pl.Int8),
            rating_at=_timestamp(pl.col("rating_t")),
            rating_is_default=pl.when(pl.col("rated_now")).then(pl.col("rating_is_default")),
            rectified_at=_timestamp(pl.col("rectified_t")),
            updated_at=_timestamp(updated),
        )
        .join(identities, on="applicant_number", how="left")
        .drop(item.meta.output_name())
    )
