"""Consultations and complaints (12345 work orders, message-board messages) and hotline calls
of the demo city.

Calibrated to the State Council's 2017 inspection of the platforms: about 38 % of 2017's
orders were still unanswered after 5 working days (ConsultationParams.late_reply_share, by
year, improving afterwards). A late reply comes on the 6th working day after the received
day or later, or never; an order answered in time is answered on the received day or on one
of the 5 working days after it. Working days come from the calendar seed, as in dbt.

Deterministic per seed and scale: one generator per purpose, seeded [seed, 40 + n].
Events after the demo's last day are cut off (the export is taken at its end): such orders
are still open, unanswered or unclosed, as a real export would show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from govwh.demo.calendar_arrays import WorkingCalendar, day_number
from govwh.demo.city import City
from govwh.demo.identity import GIVEN, SURNAMES
from govwh.demo.params import ConsultationParams, ScaleParams, scale_params

DAY = 86_400
CHANNELS = np.array(["hotline", "web", "app", "mini_program", "hall", "other"])
KINDS = np.array(["consultation", "complaint", "suggestion", "praise", "report"])
KIND_SHARES = np.array([0.55, 0.25, 0.08, 0.04, 0.08])
SUBJECTS = {
    "consultation": "政策咨询",
    "complaint": "服务投诉",
    "suggestion": "意见建议",
    "praise": "表扬感谢",
    "report": "违法举报",
}


@dataclass(frozen=True)
class ConsultationExport:
    orders: pl.DataFrame  # canonical columns of raw.consultations (every version)
    calls: pl.DataFrame  # canonical columns of raw.hotline_calls


def _seconds(day: np.ndarray, second_of_day: np.ndarray) -> np.ndarray:
    return day.astype(np.int64) * DAY + second_of_day.astype(np.int64)


def _timestamps(seconds: np.ndarray) -> pl.Series:
    """Seconds since 1970-01-01 (local time), NaN/negative as null, as naive datetimes."""
    missing = np.isnan(seconds)
    values = np.where(missing, 0, seconds).astype(np.int64) * 1_000_000
    stamps = pl.Series("t", values).cast(pl.Datetime("us"))
    return pl.select(pl.when(pl.Series(missing)).then(None).otherwise(stamps)).to_series()


def _by_year(table: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A figure per year, the last known year's value after it and the first before it."""
    known = sorted(table)
    lookup = np.array([table[y] for y in known], dtype=float)
    return lookup[np.clip(years, known[0], known[-1]) - known[0]]


def _daily_orders(
    rng: np.random.Generator,
    calendar: WorkingCalendar,
    first: int,
    last: int,
    per_working_day: float,
    p: ConsultationParams,
) -> np.ndarray:
    """The received day of every order: Poisson per day, fewer on days off, growing yearly."""
    days = np.arange(first, last + 1)
    years = (days - day_number(dt.date(2017, 1, 1))) / 365.25
    rate = per_working_day * (1 + p.trend_per_year) ** years
    rate = rate * np.where(calendar.is_workday[calendar.index(days)], 1.0, p.day_off_factor)
    return np.repeat(days, rng.poisson(rate))


def _department_lateness(
    rng: np.random.Generator, weights: np.ndarray, spread: float
) -> np.ndarray:
    """A multiplier of the late share per department, weighted mean 1."""
    factor = rng.lognormal(0.0, spread, len(weights))
    return factor / float(np.sum(weights * factor))


def _late_probability(base: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """base x factor, capped at 0.95 and rescaled so that each base keeps its mean exactly."""
    probability = np.clip(base * factor, 0.0, 0.95)
    for value in np.unique(base):
        chosen = base == value
        mean = probability[chosen].mean()
        if mean > 0:
            probability[chosen] = np.clip(probability[chosen] * value / mean, 0.0, 0.99)
    return probability


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    surname = pl.Series(SURNAMES).gather(rng.integers(0, len(SURNAMES), n))
    given = pl.Series(GIVEN).gather(rng.integers(0, len(GIVEN), n))
    return surname + given + "某"


def _codes(values: np.ndarray, index: np.ndarray, missing: np.ndarray) -> pl.Series:
    """values[index] as strings, null where `missing`."""
    chosen = pl.Series(values.astype(str)).gather(np.where(missing, 0, index))
    return pl.select(pl.when(pl.Series(missing)).then(None).otherwise(chosen)).to_series()


def generate_consultations(
    seed: int, params: ScaleParams, city: City, items: pl.DataFrame
) -> ConsultationExport:
    """Every order (and its earlier versions) and every hotline call of the period."""
    p = params.consultations
    calendar = WorkingCalendar.from_seed()
    default = scale_params(params.name)
    default_days = (default.end - default.start).days + 1
    per_working_day = params.target_cases * p.orders_per_case / default_days * 365 / 250
    first, last = day_number(params.start), day_number(params.end)
    end_second = (last + 1) * DAY - 1
    rng = np.random.default_rng([seed, 40])
    day = _daily_orders(rng, calendar, first, last, per_working_day, p)
    n = len(day)
    year = (day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970).astype(int)

    # who, what, where
    departments = city.departments["department_code"].to_numpy().astype(str)
    department_weight = np.random.default_rng([seed, 41]).dirichlet(np.full(len(departments), 0.8))
    lateness = _department_lateness(
        np.random.default_rng([seed, 42]), department_weight, p.late_department_spread
    )
    department_index = rng.choice(len(departments), n, p=department_weight)
    no_department = rng.random(n) < p.missing_department_share
    counties = np.array([city.city_code, *city.county_codes()])
    county_weight = city.region_weight(counties)
    region_index = rng.choice(len(counties), n, p=county_weight / county_weight.sum())
    no_region = rng.random(n) < p.missing_region_share
    kind = KINDS[rng.choice(len(KINDS), n, p=KIND_SHARES)]
    progress = np.clip((year - 2017) / 4, 0, 1)
    channel_shares = np.outer(1 - progress, p.channel_shares_2017) + np.outer(
        progress, p.channel_shares_2021
    )
    cumulative = np.cumsum(channel_shares, axis=1)
    channel = CHANNELS[
        np.minimum((rng.random(n)[:, None] > cumulative).sum(axis=1), len(CHANNELS) - 1)
    ]
    # an item of the order's department: the department's items are a contiguous run of the
    # catalogue sorted by department, picked by a uniform draw
    catalogue = (
        items.select("department_code", "item_code").unique().sort("department_code", "item_code")
    )
    catalogue_departments = catalogue["department_code"].to_numpy().astype(str)
    catalogue_items = catalogue["item_code"].to_numpy().astype(str)
    about_item = (rng.random(n) < p.item_share) & np.isin(kind, ["consultation", "complaint"])
    named = np.where(no_department, "", departments[department_index])
    first_item = np.searchsorted(catalogue_departments, named, side="left")
    item_count = np.searchsorted(catalogue_departments, named, side="right") - first_item
    pick = first_item + np.floor(rng.random(n) * item_count).astype(np.int64)
    has_item = about_item & (item_count > 0)
    item = _codes(catalogue_items, np.minimum(pick, len(catalogue_items) - 1), ~has_item)

    # received
    working_hours = rng.random(n) < 0.8
    second = np.where(
        working_hours,
        np.clip(rng.normal(13.5 * 3600, 2.6 * 3600, n), 7 * 3600, 23 * 3600),
        rng.uniform(0, DAY - 1, n),
    ).astype(np.int64)
    received = _seconds(day, second)

    # withdrawn, late, reply day
    withdrawn = rng.random(n) < p.withdrawn_share
    late_base = _by_year(p.late_reply_share, year)
    late_factor = np.where(no_department, 1.0, lateness[department_index])
    late = (rng.random(n) < _late_probability(late_base, late_factor)) & ~withdrawn
    never = late & (rng.random(n) < p.never_replied_share_of_late)
    on_time_k = rng.choice(6, n, p=p.on_time_reply_day_shares)
    late_k = 6 + rng.geometric(1 / p.late_reply_mean_extra_days, n) - 1
    reply_k = np.where(late, late_k, on_time_k)
    reply_day = calendar.nth_workday_after(day, reply_k)
    same_day = reply_k == 0
    reply_second = np.where(
        same_day,
        np.minimum(received + rng.uniform(1200, 3 * 3600, n), (day + 1) * DAY - 60),
        _seconds(reply_day, rng.uniform(9 * 3600, 17.5 * 3600, n)),
    )
    replied = ~withdrawn & ~never
    reply = np.where(replied, reply_second, np.nan)

    # closure
    limit_close = np.where(np.isin(kind, ["complaint", "report"]), 15, 10)
    on_time_close = rng.random(n) < _by_year(p.closed_on_time_share, year)
    closed_k = np.where(
        on_time_close,
        reply_k + np.floor(rng.random(n) * (np.maximum(limit_close - reply_k, 0) + 1)),
        np.maximum(limit_close, reply_k) + rng.geometric(0.25, n),
    ).astype(np.int64)
    closed_k = np.where(never, rng.integers(20, 41, n), closed_k)
    closed_day = calendar.nth_workday_after(day, closed_k)
    closed = _seconds(closed_day, rng.uniform(9 * 3600, 17.5 * 3600, n)).astype(float)
    closed = np.where(replied & (closed <= reply_second), reply_second + 1800, closed)
    closed = np.where(withdrawn, np.nan, closed)
    withdrawn_at = received + rng.uniform(3600, 2 * DAY, n)

    # callback, solved, rating
    callback_day = calendar.nth_workday_after(closed_day, rng.integers(1, 4, n))
    called_back = ~withdrawn & replied & (rng.random(n) < p.callback_share)
    callback = np.where(
        called_back, _seconds(callback_day, rng.uniform(9.5 * 3600, 17 * 3600, n)), np.nan
    )
    reached = rng.random(n) < p.callback_reached_share
    solved_share = _by_year(p.solved_share, year) - np.where(late, 0.15, 0.0)
    solved = rng.random(n) < solved_share
    satisfied = rng.random(n) < np.where(solved, 0.93, 0.35)
    rating = np.where(
        satisfied, rng.choice([4, 5], n, p=[0.4, 0.6]), rng.choice([1, 2, 3], n, p=[0.3, 0.4, 0.3])
    )
    rated = rng.random(n) < p.rated_share_of_reached

    # cut off at the end of the period
    def by_end(values: np.ndarray) -> np.ndarray:
        return np.where(values <= end_second, values, np.nan)

    assigned_target = (
        np.where(replied, np.minimum(reply_second, received + DAY), received + DAY) - received
    )
    assigned = received + assigned_target * rng.uniform(0.1, 0.9, n)
    assigned = np.where(no_department | withdrawn, np.nan, by_end(assigned))
    reply = by_end(reply)
    closed = np.where(np.isnan(reply) & ~never, np.nan, by_end(closed))
    callback = np.where(np.isnan(closed), np.nan, by_end(callback))
    has_callback = ~np.isnan(callback)
    withdrawn_at = np.where(withdrawn, by_end(withdrawn_at), np.nan)
    withdrawn = withdrawn & ~np.isnan(withdrawn_at)
    status = np.select(
        [withdrawn, ~np.isnan(closed), ~np.isnan(reply), ~np.isnan(assigned)],
        ["withdrawn", "closed", "replied", "assigned"],
        "received",
    )
    latest = np.nanmax(
        np.vstack([received.astype(float), assigned, reply, closed, callback, withdrawn_at]),
        axis=0,
    )
    transfers = rng.poisson(p.transfers_mean, n) + (late & (rng.random(n) < 0.5))
    order_id = (
        "GD"
        + pl.Series(day.astype("datetime64[D]")).dt.strftime("%Y%m%d")
        + pl.Series(np.arange(n)).cast(pl.String).str.zfill(7)
    )
    phone = "1" + pl.Series(rng.integers(3_000_000_000, 9_000_000_000, n)).cast(pl.String)
    orders = pl.DataFrame(
        {
            "order_id": order_id,
            "channel": channel,
            "kind": kind,
            "item_code": item,
            "department_code": _codes(departments, department_index, no_department),
            "region_code": _codes(counties, region_index, no_region),
            "subject": pl.Series(kind).replace_strict(SUBJECTS, return_dtype=pl.String),
            "citizen_name": _names(rng, n),
            "citizen_phone": phone,
            "received_at": _timestamps(received.astype(float)),
            "assigned_at": _timestamps(assigned),
            "first_reply_at": _timestamps(reply),
            "closed_at": _timestamps(closed),
            "callback_at": _timestamps(callback),
            "transfers": transfers.astype(np.int16),
            "status": status,
            "reply_limit_days": np.where(kind == "consultation", 3, 5).astype(np.int16),
            "close_limit_days": limit_close.astype(np.int16),
            "rating": pl.Series(np.where(has_callback & reached & rated, rating, 0)).cast(pl.Int8),
            "callback_reached": pl.Series(np.where(has_callback, reached, False)),
            "solved": pl.Series(solved),
            "updated_at": _timestamps(latest),
        }
    ).with_columns(
        pl.when(pl.col("rating") > 0).then(pl.col("rating")).alias("rating"),
        pl.when(pl.col("callback_at").is_not_null()).then(pl.col("callback_reached")),
        pl.when(pl.col("callback_at").is_not_null() & pl.Series(reached))
        .then(pl.col("solved"))
        .alias("solved"),
        pl.Series("_day", day),
    )
    # an earlier version of some closed orders: as it stood when first replied to
    earlier = orders.filter(
        (pl.col("status") == "closed")
        & pl.col("first_reply_at").is_not_null()
        & pl.Series(rng.random(n) < p.earlier_version_share)
    ).with_columns(
        pl.lit("replied").alias("status"),
        pl.lit(None, pl.Datetime("us")).alias("closed_at"),
        pl.lit(None, pl.Datetime("us")).alias("callback_at"),
        pl.lit(None, pl.Int8).alias("rating"),
        pl.lit(None, pl.Boolean).alias("callback_reached"),
        pl.lit(None, pl.Boolean).alias("solved"),
        pl.col("first_reply_at").alias("updated_at"),
    )
    orders = pl.concat([orders, earlier]).sort("_day", "order_id", "updated_at")
    calls = _calls(
        seed,
        p,
        orders.filter(pl.col("updated_at") == pl.col("updated_at").max().over("order_id")),
        end_second,
    )
    return ConsultationExport(orders, calls)


def _calls(seed: int, p: ConsultationParams, orders: pl.DataFrame, end_second: int) -> pl.DataFrame:
    """One answered call per hotline order, calls answered without an order, and calls
    abandoned in the queue, on the same days and hours."""
    rng = np.random.default_rng([seed, 43])
    hotline = orders.filter(pl.col("channel") == "hotline")
    received = hotline["received_at"].dt.epoch("s").to_numpy()
    order_ids = hotline["order_id"]
    year = hotline["received_at"].dt.year().to_numpy()
    direct = rng.random(len(received)) < p.direct_answer_calls_per_order
    abandon_share = _by_year(p.call_abandonment_share, year)
    abandoned = rng.random(len(received)) < abandon_share / (1 - abandon_share)
    # order calls, then direct answers and abandoned calls near an order's time
    offered = np.concatenate(
        [
            received - rng.uniform(60, 300, len(received)),
            received[direct] + rng.uniform(-3 * 3600, 3 * 3600, int(direct.sum())),
            received[abandoned] + rng.uniform(-3 * 3600, 3 * 3600, int(abandoned.sum())),
        ]
    )
    kinds = np.concatenate(
        [
            np.zeros(len(received), dtype=int),
            np.ones(int(direct.sum()), dtype=int),
            np.full(int(abandoned.sum()), 2),
        ]
    )
    years = np.concatenate([year, year[direct], year[abandoned]])
    # position of the order a call opened (-1: none)
    linked = np.concatenate(
        [np.arange(len(received)), np.full(int(direct.sum() + abandoned.sum()), -1)]
    )
    wait = rng.exponential(_by_year(p.call_wait_mean_seconds, years))
    patience = rng.exponential(p.call_patience_mean_seconds, len(offered))
    answered = np.where(kinds == 2, np.nan, offered + wait)
    ended = np.where(
        kinds == 2,
        offered + patience,
        answered + rng.exponential(p.talk_mean_seconds, len(offered)) + 20,
    )
    ended = np.where(kinds == 0, np.maximum(ended, offered + wait + 300), ended)
    keep = (ended <= end_second) & (offered >= 0)
    order = np.argsort(offered[keep], kind="stable")
    offered, answered, ended = (a[keep][order] for a in (offered, answered, ended))
    kinds, linked = kinds[keep][order], linked[keep][order]
    count = len(offered)
    agents = "A" + pl.Series(rng.integers(1, p.agents + 1, count)).cast(pl.String).str.zfill(4)
    return pl.DataFrame(
        {
            "call_id": "CL" + pl.Series(np.arange(count)).cast(pl.String).str.zfill(9),
            "line": np.full(count, "12345"),
            "offered_at": _timestamps(np.floor(offered)),
            "answered_at": _timestamps(np.floor(answered)),
            "ended_at": _timestamps(np.floor(ended)),
            "outcome": np.where(kinds == 2, "abandoned", "answered"),
            "agent_id": pl.select(
                pl.when(pl.Series(kinds == 2)).then(None).otherwise(agents)
            ).to_series(),
            "order_id": pl.select(
                pl.when(pl.Series(linked < 0))
                .then(None)
                .otherwise(order_ids.gather(np.maximum(linked, 0)))
            ).to_series(),
        }
    )


def month_frames(
    export: ConsultationExport, month_start: dt.date, month_end: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The orders received and the calls offered in one month (one file each)."""
    first, last = day_number(month_start), day_number(month_end)
    orders = export.orders.filter(pl.col("_day").is_between(first, last)).drop("_day")
    begin = dt.datetime.combine(month_start, dt.time())
    end = dt.datetime.combine(month_end + dt.timedelta(days=1), dt.time())
    calls = export.calls.filter((pl.col("offered_at") >= begin) & (pl.col("offered_at") < end))
    return orders, calls
