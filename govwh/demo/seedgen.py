"""Write the demo city's configuration: regions, departments and halls (run once, commit).

The city is fictional (嵩州市, code 411900, a code GB/T 2260 does not use), laid out the way a
real prefecture-level city is: districts, development zones, counties and county-level cities,
sub-districts, towns and townships, and communities/villages for a share of the townships.
The output is deterministic (fixed RNG seed); the generator reads these files back.

    python -m govwh.demo.seedgen [city_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

from govwh.demo.catalogue_data import DEPARTMENTS
from govwh.settings import DEMO_CITY_DIR

CITY_CODE = "411900"
CITY_NAME = "嵩州市"
SEEDGEN_RNG_SEED = 20170101

# (code suffix, name, number of townships): 区 02-06, 开发区 71-72, 县 21-23, 县级市 81-82
COUNTIES: tuple[tuple[str, str, int], ...] = (
    ("02", "嵩阳区", 18),
    ("03", "金城区", 17),
    ("04", "河西区", 16),
    ("05", "东湖区", 15),
    ("06", "北山区", 14),
    ("71", "嵩州高新技术产业开发区", 6),
    ("72", "嵩州经济技术开发区", 5),
    ("21", "临河县", 19),
    ("22", "青石县", 18),
    ("23", "白沙县", 17),
    ("81", "安平市", 18),
    ("82", "永宁市", 17),
)

_FIRST = list("东西南北中新城金河山石桥林花青白安永嵩龙凤平兴福华宁康泰和文明光阳云丰")
_SECOND = list("关门湖岗庄店集寨营坡园苑口湾沟岭源桥台塘坪泉川屯铺堡阁亭")
_VILLAGE_SECOND = list("庄村营寨店屯洼湾坡岗")


def _unique_names(rng: np.random.Generator, n: int, second: list[str], used: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(_FIRST) + rng.choice(second)
        if name not in used:
            used.add(name)
            names.append(name)
    return names


def build_regions() -> pl.DataFrame:
    rng = np.random.default_rng(SEEDGEN_RNG_SEED)
    rows: list[tuple[str, str, str, str | None]] = [(CITY_CODE, CITY_NAME, "city", None)]
    used: set[str] = set()
    for suffix, county_name, n_town in COUNTIES:
        county = CITY_CODE[:4] + suffix
        rows.append((county, county_name, "county", CITY_CODE))
        is_district = suffix < "20" or suffix > "70"
        n_street = n_town if suffix > "70" else (n_town * 2 // 3 if is_district else 2)
        names = _unique_names(rng, n_town, _SECOND, used)
        kinds = ["街道"] * n_street + ["镇"] * (
            (n_town - n_street + 1) // 2 + (n_town - n_street) // 4
        )
        kinds += ["乡"] * (n_town - len(kinds))
        counters = {"街道": 1, "镇": 101, "乡": 201}
        for name, kind in zip(names, kinds, strict=True):
            town = f"{county}{counters[kind]:03d}"
            counters[kind] += 1
            rows.append((town, name + kind, "township", county))
            if rng.random() < 0.3:
                village_kind = "社区" if kind == "街道" else "村"
                first = 1 if kind == "街道" else 201
                n_village = int(rng.integers(4, 9))
                for j, vname in enumerate(_unique_names(rng, n_village, _VILLAGE_SECOND, used)):
                    rows.append((f"{town}{first + j:03d}", vname + village_kind, "village", town))
    return pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "region_name": pl.String,
            "admin_level": pl.String,
            "parent_region_code": pl.String,
        },
        orient="row",
    )


def build_departments() -> pl.DataFrame:
    return pl.DataFrame(
        [(d.code, d.name, d.name_en) for d in DEPARTMENTS],
        schema={
            "department_code": pl.String,
            "department_name": pl.String,
            "department_name_en": pl.String,
        },
        orient="row",
    )


def build_halls(regions: pl.DataFrame) -> pl.DataFrame:
    """City centre, one hall per county/district, and halls in the larger townships."""
    rng = np.random.default_rng(SEEDGEN_RNG_SEED + 1)
    rows: list[dict[str, object]] = [
        {
            "hall_code": f"H{CITY_CODE}",
            "hall_name": f"{CITY_NAME}市民之家(政务服务中心)",
            "region_code": CITY_CODE,
            "hall_level": "city",
            "windows_normal": 200,
        },
    ]
    counties = regions.filter(pl.col("admin_level") == "county")
    for code, name in counties.select("region_code", "region_name").iter_rows():
        rows.append(
            {
                "hall_code": f"H{code}",
                "hall_name": f"{name}政务服务中心",
                "region_code": code,
                "hall_level": "county",
                "windows_normal": int(rng.integers(30, 71)),
            }
        )
    towns = regions.filter(pl.col("admin_level") == "township")
    # the larger townships: sub-districts and towns (not 乡), a third of them
    big = towns.filter(~pl.col("region_name").str.ends_with("乡"))
    pick = np.sort(rng.choice(big.height, size=big.height // 3, replace=False))
    for code, name in big[pick].select("region_code", "region_name").iter_rows():
        suffix = "党群服务中心" if name.endswith("街道") else "便民服务中心"
        rows.append(
            {
                "hall_code": f"H{code}",
                "hall_name": f"{name}{suffix}",
                "region_code": code,
                "hall_level": "township",
                "windows_normal": int(rng.integers(3, 11)),
            }
        )
    halls = pl.DataFrame(rows)
    return halls.with_columns(
        windows_lunch=pl.max_horizontal(
            pl.lit(1), (pl.col("windows_normal") * 0.5).round().cast(pl.Int64)
        ),
        open_time=pl.lit("09:00"),
        close_time=pl.lit("17:30"),
        lunch_start=pl.lit("12:00"),
        lunch_end=pl.lit("13:30"),
    )


def write_city(city_dir: Path) -> None:
    regions = build_regions()
    regions.write_csv(city_dir / "regions.csv")
    build_departments().write_csv(city_dir / "departments.csv")
    build_halls(regions).write_csv(city_dir / "halls.csv")


if __name__ == "__main__":
    write_city(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_CITY_DIR)
