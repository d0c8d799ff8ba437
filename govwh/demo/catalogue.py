"""The service-item catalogue and its reform trajectory, delivered as monthly snapshots.

Implementation items are the basic items of ``catalogue_data`` (with their sub-items) as the
city, each county and each township implement them. Every item carries the days it reaches
depth 2, 3 and 4, drawn from its readiness (department and county pace plus noise): the
city's administrative items read back as the Zhengzhou shape 297 / 79 / 4 / 3 of 383 on the
calibration date at every scale and seed, and then move up year by year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from govwh.demo.catalogue_data import DEPARTMENTS, ITEM_LINES
from govwh.demo.city import City
from govwh.demo.params import CALIBRATION_DATE, CALIBRATION_DEPTHS, ScaleParams

EPOCH = dt.date(1970, 1, 1)
NEVER = 10**6  # a day number beyond any scale's end
LONG_AGO = -NEVER
TYPES = {
    "L": "licence",
    "C": "confirmation",
    "B": "benefit",
    "J": "adjudication",
    "A": "award",
    "O": "other",
    "P": "public_service",
}
TYPE_CODES = {"L": "01", "B": "05", "C": "07", "A": "08", "J": "09", "O": "10", "P": "20"}
AUDIENCES = {"c": "citizen", "e": "enterprise", "b": "both"}
VARIANTS = {"n": "新办", "c": "变更", "r": "延续", "x": "注销", "b": "补办"}
VARIANT_DEMAND = {"-": 1.0, "n": 1.0, "c": 0.6, "r": 0.4, "x": 0.25, "b": 0.2}
LEVEL_DEMAND = {"city": 1.0, "county": 0.3, "township": 0.06}


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


def basic_items() -> pl.DataFrame:
    """One row per basic item and sub-item (子项) of the catalogue data."""
    department_index = {d.code: i + 1 for i, d in enumerate(DEPARTMENTS)}
    rows = []
    for base, line in enumerate(ITEM_LINES.strip().splitlines()):
        dept, name, kind, aud, levels, legal, promised, variants, depth, weight, cross = line.split(
            "|"
        )
        for number, variant in enumerate(variants if variants != "-" else "-"):
            rows.append(
                {
                    "catalogue_code": f"{TYPE_CODES[kind]}{department_index[dept]:02d}"
                    f"{base:03d}{number:02d}",
                    "item_name": name if variant == "-" else f"{name}（{VARIANTS[variant]}）",
                    "item_type": TYPES[kind],
                    "audience": AUDIENCES[aud],
                    "department_code": dept,
                    "levels": levels,
                    "legal_limit_days": None if legal == "-" else int(legal),
                    "promised_limit_days": int(promised)
                    if variant not in "xb"
                    else min(int(promised), 5),
                    "max_depth": int(depth),
                    "demand": float(weight) * VARIANT_DEMAND[variant],
                    "is_cross_department": cross == "1",
                }
            )
    return pl.DataFrame(rows).with_columns(
        pl.col("legal_limit_days").cast(pl.Int16), pl.col("promised_limit_days").cast(pl.Int16)
    )


def _implementations(rng: np.random.Generator, scale: ScaleParams, city: City) -> pl.DataFrame:
    """Which region implements which basic item: all city items; a share per county and per
    township (popular items always), as the scale sets."""
    basics = basic_items()
    frames = [
        basics.filter(pl.col("levels").str.contains("C")).with_columns(
            region_code=pl.lit(city.city_code), admin_level=pl.lit("city")
        )
    ]
    for level, letter, share in (
        ("county", "Y", scale.county_item_share),
        ("township", "T", scale.township_item_share),
    ):
        eligible = basics.filter(pl.col("levels").str.contains(letter))
        regions = city.codes(level)
        keep = (rng.random((len(regions), eligible.height)) < share) | (
            eligible["demand"].to_numpy()[None, :] >= 20 * (1 - share) + 5
        )
        region_index, item_index = np.nonzero(keep)
        frames.append(
            eligible[item_index].with_columns(
                region_code=pl.Series(regions[region_index]), admin_level=pl.lit(level)
            )
        )
    return pl.concat(frames).with_row_index("item_number")


def _readiness(rng: np.random.Generator, items: pl.DataFrame, scale: ScaleParams) -> np.ndarray:
    """How far ahead of the reform an item is: department pace + county pace + noise."""
    reform = scale.reform
    departments = [d.code for d in DEPARTMENTS]
    department_effect = dict(
        zip(departments, rng.normal(0.15, 0.45, len(departments)), strict=True)
    )
    department_effect |= {code: -1.0 for code in reform.lagging_departments}
    county = items["region_code"].str.slice(0, 6).to_numpy()
    counties = np.unique(county)
    county_effect = dict(zip(counties, rng.normal(0.0, 0.35, len(counties)), strict=True))
    county_effect |= {code: -0.8 for code in reform.lagging_counties if code in county_effect}
    city_code = items.filter(pl.col("admin_level") == "city")["region_code"][0]
    county_effect[city_code] = 0.2
    return (
        np.array([department_effect[d] for d in items["department_code"]])
        + np.array([county_effect[c] for c in county])
        + rng.normal(0.0, 1.0, items.height)
    )


def _depth_at_calibration(
    rng: np.random.Generator,
    items: pl.DataFrame,
    readiness: np.ndarray,
    calibrated: np.ndarray,
    scale: ScaleParams,
) -> np.ndarray:
    max_depth = items["max_depth"].to_numpy()
    depth = np.ones(items.height, dtype=np.int64)
    # the calibrated set: exactly the Zhengzhou counts, the readiest items highest
    taken = ~calibrated.copy()
    for level, count in (
        (4, CALIBRATION_DEPTHS[3]),
        (3, CALIBRATION_DEPTHS[2]),
        (2, CALIBRATION_DEPTHS[1]),
    ):
        candidates = np.flatnonzero(~taken & (max_depth >= level))
        best = candidates[np.argsort(-readiness[candidates], kind="stable")[:count]]
        depth[best] = level
        taken[best] = True
    # everything else: a level-specific share online, the readiest first
    online_share = scale.reform.online_share_at_calibration
    level = items["admin_level"].to_numpy()
    quantile_noise = rng.random(items.height)
    for name, share in online_share.items():
        group = ~calibrated & (level == name)
        rank = np.argsort(np.argsort(-readiness[group] - 0.3 * quantile_noise[group]))
        position = rank / max(group.sum(), 1)
        depth[group] = 1 + (position < share) + (position < share * 0.25) + (position < share * 0.1)
    return np.minimum(depth, max_depth)


def _reach_days(
    rng: np.random.Generator,
    depth_now: np.ndarray,
    readiness: np.ndarray,
    max_depth: np.ndarray,
    scale: ScaleParams,
) -> dict[int, np.ndarray]:
    """Day each item reaches depth 2, 3, 4: before the calibration day for the levels it
    holds there, after it (lognormal waits, shorter for ready items) for the rest."""
    reform = scale.reform
    calibration = day_number(CALIBRATION_DATE)
    n = depth_now.size
    reach: dict[int, np.ndarray] = {}
    # levels already held: reached within the two years before
    back = calibration - np.sort(rng.uniform(1, 700, (n, 3)), axis=1)[:, ::-1]
    for level in (2, 3, 4):
        reach[level] = np.where(depth_now >= level, back[:, level - 2], NEVER).astype(np.int64)
    previous = np.full(n, float(calibration))
    for level in (2, 3, 4):
        median = reform.median_years_to_next[level - 2] * 365.25
        wait = median * np.exp(
            reform.spread * rng.normal(size=n) - reform.readiness_weight * readiness
        )
        upcoming = (depth_now < level) & (max_depth >= level)
        arrival = previous + wait
        reach[level] = np.where(upcoming, arrival.astype(np.int64), reach[level])
        previous = np.where(depth_now < level, arrival, previous)
    for level in (2, 3, 4):
        reach[level] = np.where(max_depth >= level, reach[level], NEVER)
    return reach


def build_items(rng: np.random.Generator, scale: ScaleParams, city: City) -> pl.DataFrame:
    """One row per implementation item with its lifetime and depth trajectory."""
    items = _implementations(rng, scale, city)
    n = items.height
    calibration = day_number(CALIBRATION_DATE)
    readiness = _readiness(rng, items, scale)

    # Lifetimes. Of the city's administrative items exactly 383 are active on the calibration
    # day; a few were abolished before it, a few are added after it.
    city_admin = np.flatnonzero(
        (items["admin_level"] == "city").to_numpy()
        & (items["item_type"] != "public_service").to_numpy()
    )
    target = sum(CALIBRATION_DEPTHS)
    if city_admin.size < target:
        raise ValueError(f"catalogue data has {city_admin.size} city items, need {target}")
    order = rng.permutation(city_admin)
    extra = city_admin.size - target
    abolished_before = order[target : target + extra * 2 // 5]
    added_after = order[target + extra * 2 // 5 :]
    calibrated = np.zeros(n, dtype=bool)
    calibrated[order[:target]] = True

    created = np.full(n, LONG_AGO, dtype=np.int64)
    late_other = ~np.isin(np.arange(n), city_admin) & (rng.random(n) < 0.05)
    created[late_other] = calibration + rng.integers(-330, 4 * 365, late_other.sum())
    created[added_after] = calibration + rng.integers(20, 3 * 365, added_after.size)
    # created during 2017 (still counted on the calibration day)
    early = order[: target // 20]
    created[early] = calibration - rng.integers(10, 330, early.size)
    abolished = np.full(n, NEVER, dtype=np.int64)
    abolished[abolished_before] = calibration - rng.integers(0, 300, abolished_before.size)
    later = ~np.isin(np.arange(n), abolished_before) & (rng.random(n) < 0.03)
    abolished[later] = calibration + rng.integers(1, 4 * 365, later.sum())
    abolished = np.maximum(abolished, created + 1)

    depth_now = _depth_at_calibration(rng, items, readiness, calibrated, scale)
    max_depth = items["max_depth"].to_numpy()
    reach = _reach_days(rng, depth_now, readiness, max_depth, scale)

    # deliberate data-quality errors (documented in docs/demo-data.md)
    errors = scale.reform
    depth4 = np.flatnonzero(
        (max_depth == 4) & ~calibrated & (reach[4] < day_number(dt.date(2019, 6, 30)))
    )
    trips_error = np.zeros(n, dtype=bool)
    trips_error[rng.choice(depth4, min(errors.depth4_trips_errors, depth4.size), replace=False)] = (
        True
    )
    unsuitable = max_depth == 1
    online_capable = np.flatnonzero((max_depth >= 3) & ~calibrated & ~trips_error)
    flagged = rng.choice(
        online_capable,
        min(errors.unsuitable_but_online_errors, online_capable.size),
        replace=False,
    )
    unsuitable[flagged] = True

    region_weight = city.region_weight(items["region_code"].to_numpy())
    level_demand = items["admin_level"].replace_strict(LEVEL_DEMAND).to_numpy()
    popularity = (
        items["demand"].to_numpy() * level_demand * region_weight * rng.lognormal(0, 0.5, n)
    )
    return items.with_columns(
        item_code=pl.col("region_code").str.pad_end(9, "0") + pl.col("catalogue_code"),
        unsuitable_online=pl.Series(unsuitable),
        popularity=pl.Series(popularity),
        trip_draw=pl.Series(rng.random(n)),
        depth_trips_error=pl.Series(trips_error),
        is_calibrated=pl.Series(calibrated),
        created_day=pl.Series(created),
        abolished_day=pl.Series(abolished),
        reach_depth_2=pl.Series(reach[2]),
        reach_depth_3=pl.Series(reach[3]),
        reach_depth_4=pl.Series(reach[4]),
    ).join(
        city.departments.select("department_code", "department_name"),
        on="department_code",
        how="left",
    )


def snapshot_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Month ends from the one before the start to the end date (the last may be the end)."""
    first = start.replace(day=1) - dt.timedelta(days=1)
    dates = pl.date_range(first, end, interval="1mo", eager=True).dt.month_end().to_list()
    dates = [d for d in dates if d <= end]
    if not dates or dates[-1] < end:
        dates.append(end)
    return sorted({first, *dates})


def depth_expr(day: int | pl.Expr) -> pl.Expr:
    day = pl.lit(day) if isinstance(day, int) else day
    return (
        1
        + (pl.col("reach_depth_2") <= day).cast(pl.Int8)
        + (pl.col("reach_depth_3") <= day).cast(pl.Int8)
        + (pl.col("reach_depth_4") <= day).cast(pl.Int8)
    ).cast(pl.Int8)


def depth_on(items: pl.DataFrame, day: np.ndarray) -> np.ndarray:
    """Depth of every item (rows) on each day number (columns)."""
    day = np.asarray(day)[None, :]
    return (
        1
        + (items["reach_depth_2"].to_numpy()[:, None] <= day)
        + (items["reach_depth_3"].to_numpy()[:, None] <= day)
        + (items["reach_depth_4"].to_numpy()[:, None] <= day)
    ).astype(np.int8)


def required_trips_expr() -> pl.Expr:
    """Trips the item requires at its depth: 4 → 0, 3 → 1, 2 → 1 or 2, 1 → 1–3."""
    draw = pl.col("trip_draw")
    return (
        pl.when(pl.col("depth_level") == 4)
        .then(pl.col("depth_trips_error").cast(pl.Int8))
        .when(pl.col("depth_level") == 3)
        .then(1)
        .when(pl.col("depth_level") == 2)
        .then(pl.when(draw < 0.6).then(1).otherwise(2))
        .otherwise(pl.when(draw < 0.35).then(1).when(draw < 0.85).then(2).otherwise(3))
        .cast(pl.Int8)
    )


def catalogue_snapshot(items: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    """The catalogue as published on `snapshot` (active and inactive items)."""
    day = day_number(snapshot)
    return (
        items.filter(pl.col("created_day") <= day)
        .with_columns(depth_level=depth_expr(day))
        .with_columns(
            required_trips=required_trips_expr(),
            status=pl.when(pl.col("abolished_day") <= day)
            .then(pl.lit("inactive"))
            .otherwise(pl.lit("active")),
            snapshot_date=pl.lit(snapshot),
        )
    )
