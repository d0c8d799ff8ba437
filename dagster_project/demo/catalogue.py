"""The service-item catalogue and its reform trajectory, delivered as monthly snapshots.

Items are drawn once (names, types, limits, trips per level) and then move up the depth
levels over time at a pace that differs by department and county. The city's
administrative items read back as the Zhengzhou 2017 shape (297 / 79 / 4 / 3 of 383) on the
calibration date, at every scale.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from dagster_project.demo import city
from dagster_project.demo.params import (
    CALIBRATION_DATE,
    CITY_ITEMS_BY_DEPTH,
    PACE_RANGE,
    YEARS_TO_UPGRADE,
    ScaleParams,
)

SUBJECTS = [
    "食品经营",
    "药品零售",
    "道路运输",
    "建筑施工",
    "排污",
    "取水",
    "出版物经营",
    "娱乐场所",
    "医疗机构执业",
    "民办学校办学",
    "人力资源服务",
    "劳务派遣经营",
    "旅行社业务",
    "危险化学品经营",
    "燃气经营",
    "户外广告设置",
    "城市道路占用",
    "特种设备使用",
    "林木采伐",
    "种子生产经营",
    "兽药经营",
    "公共场所卫生",
    "餐饮服务",
    "二手车交易",
    "机动车维修",
    "职业技能培训",
    "社会团体",
    "民办非企业单位",
    "养老机构",
    "殡葬服务",
    "居民身份证",
    "户口迁移",
    "出入境证件",
    "机动车驾驶证",
    "不动产",
    "住房公积金",
    "医疗保险",
    "失业保险",
    "工伤认定",
    "社会保障卡",
    "最低生活保障",
    "残疾人证",
    "退役军人优待证",
    "施工图审查",
    "消防设计审查",
]
# action → (item type, share of instant items among them)
ACTIONS = {
    "许可证核发": "licence",
    "许可证变更": "licence",
    "许可证延续": "licence",
    "许可证注销": "licence",
    "审批": "licence",
    "登记": "confirmation",
    "备案": "confirmation",
    "证明开具": "confirmation",
    "补贴发放": "benefit",
    "奖励": "award",
    "纠纷裁决": "adjudication",
    "年度核验": "other",
}
PUBLIC_SERVICES = ["信息查询", "政策咨询", "证照打印", "预约服务", "档案查阅", "缴费服务"]
LEGAL_LIMITS = np.array([5, 10, 15, 20, 30, 60])

EPOCH = dt.date(1970, 1, 1)
NEVER = 10**6  # a day number far beyond any scale's end


def _day(date: dt.date) -> int:
    return (date - EPOCH).days


def _item_templates(rng: np.random.Generator, count: int, public: bool) -> pl.DataFrame:
    """Names, types and departments of `count` items."""
    department_codes = city.departments()["department_code"].to_numpy()
    # A few departments hold most items (公安, 人社, 市场监管, 不动产 ...).
    weights = 1.0 / np.arange(1, len(department_codes) + 1) ** 0.8
    departments = rng.choice(department_codes, size=count, p=weights / weights.sum())
    subjects = rng.choice(SUBJECTS, size=count)
    if public:
        actions = rng.choice(PUBLIC_SERVICES, size=count)
        types = np.full(count, "public_service", dtype=object)
    else:
        action_names = np.array(list(ACTIONS))
        actions = rng.choice(action_names, size=count, p=_action_weights())
        types = np.array([ACTIONS[a] for a in actions], dtype=object)
    return pl.DataFrame(
        {
            "item_name": np.char.add(subjects.astype(str), actions.astype(str)),
            "item_type": types,
            "department_code": departments,
        }
    )


def _action_weights() -> np.ndarray:
    weights = np.array([10, 6, 5, 4, 8, 10, 8, 6, 6, 2, 1, 6], dtype=float)
    return weights / weights.sum()


def _initial_depths(rng: np.random.Generator, count: int, level_shares: list[float]) -> np.ndarray:
    return rng.choice([1, 2, 3, 4], size=count, p=level_shares)


def build_items(rng: np.random.Generator, scale: ScaleParams) -> pl.DataFrame:
    """One row per implementation item with its trajectory (upgrade days, lifetime)."""
    frames = []
    # City-level administrative items: exactly the Zhengzhou shape on the calibration date.
    city_depths = np.repeat(list(CITY_ITEMS_BY_DEPTH), list(CITY_ITEMS_BY_DEPTH.values()))
    frames.append(
        _item_templates(rng, len(city_depths), public=False).with_columns(
            region_code=pl.lit(city.CITY_CODE),
            admin_level=pl.lit("city"),
            initial_depth=pl.Series(rng.permutation(city_depths)),
            is_calibrated=pl.lit(True),
        )
    )
    frames.append(
        _item_templates(rng, scale.city_public_items, public=True).with_columns(
            region_code=pl.lit(city.CITY_CODE),
            admin_level=pl.lit("city"),
            initial_depth=pl.Series(
                _initial_depths(rng, scale.city_public_items, [0.5, 0.35, 0.1, 0.05])
            ),
            is_calibrated=pl.lit(False),
        )
    )
    regions = city.regions()
    for level, per_region, public_per_region, shares in (
        ("county", scale.county_items, scale.county_public_items, [0.72, 0.22, 0.04, 0.02]),
        ("township", scale.township_items, 0, [0.85, 0.13, 0.02, 0.0]),
    ):
        codes = regions.filter(pl.col("admin_level") == level)["region_code"].to_numpy()
        for count, public in ((per_region, False), (public_per_region, True)):
            total = count * len(codes)
            if total == 0:
                continue
            frames.append(
                _item_templates(rng, total, public=public).with_columns(
                    region_code=pl.Series(np.repeat(codes, count)),
                    admin_level=pl.lit(level),
                    initial_depth=pl.Series(_initial_depths(rng, total, shares)),
                    is_calibrated=pl.lit(False),
                )
            )
    items = pl.concat(frames, how="vertical_relaxed").with_row_index("item_number")
    return _with_trajectory(rng, _with_limits(rng, items), scale)


def _with_limits(rng: np.random.Generator, items: pl.DataFrame) -> pl.DataFrame:
    count = items.height
    legal = rng.choice(LEGAL_LIMITS, size=count).astype(float)
    legal[rng.random(count) < 0.08] = np.nan  # no legal limit set
    instant = rng.random(count) < 0.15
    compression = rng.uniform(0.3, 0.9, size=count)
    promised = np.where(
        np.isnan(legal),
        rng.choice([1, 3, 5, 10], size=count),
        np.maximum(1, np.round(legal * compression)),
    )
    promised = np.where(instant, 0, promised)
    return items.with_columns(
        catalogue_code=pl.format(
            "{}{}",
            pl.col("department_code").str.slice(1),
            pl.col("item_number").cast(pl.String).str.zfill(6),
        ),
        audience=pl.Series(
            rng.choice(["citizen", "enterprise", "both"], size=count, p=[0.55, 0.3, 0.15])
        ),
        legal_limit_days=pl.Series(legal).fill_nan(None).cast(pl.Int16),
        promised_limit_days=pl.Series(promised).cast(pl.Int16),
        is_cross_department=pl.Series(rng.random(count) < 0.1),
        unsuitable_online=pl.Series(rng.random(count) < 0.03),
        trips_level_1=pl.Series(rng.choice([1, 2, 3], size=count, p=[0.35, 0.45, 0.2])).cast(
            pl.Int8
        ),
        trips_level_2=pl.Series(rng.choice([1, 2], size=count, p=[0.7, 0.3])).cast(pl.Int8),
        # deliberate data-quality errors: a few fully-online items still demand a visit
        depth_trips_error=pl.Series(rng.random(count) < 0.004),
        popularity=pl.Series(rng.pareto(1.2, size=count) + 0.05),
    ).with_columns(
        item_code=pl.format("{}{}", pl.col("catalogue_code"), pl.col("region_code").str.slice(2)),
    )


def _with_trajectory(
    rng: np.random.Generator, items: pl.DataFrame, scale: ScaleParams
) -> pl.DataFrame:
    count = items.height
    department_codes = city.departments()["department_code"].to_list()
    region_codes = city.regions()["region_code"].to_list()
    low, high = np.log(PACE_RANGE[0]), np.log(PACE_RANGE[1])
    department_pace = dict(
        zip(department_codes, np.exp(rng.uniform(low, high, len(department_codes))), strict=True)
    )
    county_pace = dict(
        zip(region_codes, np.exp(rng.uniform(low / 2, high / 2, len(region_codes))), strict=True)
    )
    pace = items["department_code"].replace_strict(
        department_pace, return_dtype=pl.Float64
    ).to_numpy() * (
        items["region_code"]
        .str.slice(0, 6)
        .replace_strict(county_pace, return_dtype=pl.Float64)
        .to_numpy()
    )
    start = _day(CALIBRATION_DATE)
    days_per_year = 365.25
    up = {}
    previous = np.full(count, float(start + 1))  # upgrades start after the calibration day
    for level in (1, 2, 3):
        waited = rng.exponential(YEARS_TO_UPGRADE[level] * pace * days_per_year)
        up[level] = previous + waited
        previous = up[level]
    # Days (from the epoch) an item reaches depth 2, 3, 4, given its initial depth.
    initial = items["initial_depth"].to_numpy()
    reach = {}
    for target in (2, 3, 4):
        steps_needed = target - initial
        reach[target] = np.where(
            steps_needed <= 0,
            -NEVER,
            np.choose(np.clip(steps_needed, 1, 3) - 1, [up[1], up[2], up[3]]),
        )
    # Lifetime: a few items are abolished, a few appear later (never the calibrated ones
    # before the calibration date).
    first_day, last_day = _day(scale.start) - 31, _day(scale.end)
    abolished = rng.random(count) < 0.02
    created_late = (rng.random(count) < 0.05) & ~items["is_calibrated"].to_numpy()
    span = max(last_day - start, 1)
    return items.with_columns(
        reach_depth_2=pl.Series(reach[2]).cast(pl.Int64),
        reach_depth_3=pl.Series(reach[3]).cast(pl.Int64),
        reach_depth_4=pl.Series(reach[4]).cast(pl.Int64),
        created_day=pl.Series(
            np.where(created_late, start + rng.integers(1, span + 1, count), first_day - 400)
        ),
        abolished_day=pl.Series(
            np.where(abolished, start + rng.integers(1, span + 1, count), NEVER)
        ),
    )


def snapshot_dates(scale: ScaleParams) -> list[dt.date]:
    """Month ends from the one before the start to the end date (the last may be the end)."""
    first = scale.start.replace(day=1) - dt.timedelta(days=1)
    dates = pl.date_range(first, scale.end, interval="1mo", eager=True).dt.month_end().to_list()
    dates = [d for d in dates if d <= scale.end]
    if not dates or dates[-1] < scale.end:
        dates.append(scale.end)
    return sorted(set([first, *dates]))


def catalogue_snapshot(items: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    """The catalogue as published on `snapshot`, in the canonical columns."""
    day = _day(snapshot)
    depth = (
        pl.col("initial_depth")
        .clip(lower_bound=pl.when(pl.col("reach_depth_2") <= day).then(2).otherwise(1))
        .clip(lower_bound=pl.when(pl.col("reach_depth_3") <= day).then(3).otherwise(1))
        .clip(lower_bound=pl.when(pl.col("reach_depth_4") <= day).then(4).otherwise(1))
    )
    return (
        items.filter(pl.col("created_day") <= day)
        .with_columns(depth_level=depth.cast(pl.Int8))
        .with_columns(
            required_trips=pl.when(pl.col("depth_level") == 4)
            .then(pl.when(pl.col("depth_trips_error")).then(1).otherwise(0))
            .when(pl.col("depth_level") == 3)
            .then(1)
            .when(pl.col("depth_level") == 2)
            .then(pl.col("trips_level_2"))
            .otherwise(pl.col("trips_level_1"))
            .cast(pl.Int8),
            unsuitable_online=pl.col("unsuitable_online") & (pl.col("depth_level") == 1),
            status=pl.when(pl.col("abolished_day") <= day)
            .then(pl.lit("inactive"))
            .otherwise(pl.lit("active")),
            snapshot_date=pl.lit(snapshot),
        )
        .join(city.departments().select("department_code", "department_name"), on="department_code")
    )
