"""The demo city's reference data: regions, departments and halls.

Fixed (independent of the seed) so that the dbt seeds in seeds/ describe every generated
city; `write_reference_seeds` regenerates them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

CITY_CODE = "419900"
CITY_NAME = "中原示范市"

COUNTY_NAMES = [
    "金水区",
    "二七区",
    "中原区",
    "管城区",
    "惠济区",
    "上街区",
    "东湖县",
    "西岭县",
    "南川市",
    "北屯县",
    "清河县",
    "龙泉市",
]
TOWNSHIP_STEMS = [
    "城关",
    "东关",
    "西关",
    "南关",
    "北关",
    "花园",
    "文化",
    "人民",
    "建设",
    "解放",
    "桥南",
    "桥北",
    "新华",
    "光明",
    "和平",
    "柳林",
    "杨庄",
    "李湾",
    "白沙",
    "马寨",
]
VILLAGE_STEMS = ["东村", "西村", "南村", "北村", "前营", "后营"]

DEPARTMENTS = [
    ("D01", "公安局", "Public security"),
    ("D02", "人力资源和社会保障局", "Human resources and social security"),
    ("D03", "市场监督管理局", "Market regulation"),
    ("D04", "不动产登记中心", "Real estate registration centre"),
    ("D05", "民政局", "Civil affairs"),
    ("D06", "卫生健康委员会", "Health commission"),
    ("D07", "住房和城乡建设局", "Housing and urban-rural development"),
    ("D08", "交通运输局", "Transport"),
    ("D09", "税务局", "Taxation"),
    ("D10", "医疗保障局", "Healthcare security"),
    ("D11", "住房公积金管理中心", "Housing provident fund"),
    ("D12", "自然资源和规划局", "Natural resources and planning"),
    ("D13", "生态环境局", "Ecology and environment"),
    ("D14", "教育局", "Education"),
    ("D15", "文化广电和旅游局", "Culture, radio, TV and tourism"),
    ("D16", "农业农村局", "Agriculture and rural affairs"),
    ("D17", "水利局", "Water resources"),
    ("D18", "商务局", "Commerce"),
    ("D19", "发展和改革委员会", "Development and reform"),
    ("D20", "工业和信息化局", "Industry and information technology"),
    ("D21", "司法局", "Justice"),
    ("D22", "财政局", "Finance"),
    ("D23", "退役军人事务局", "Veterans affairs"),
    ("D24", "应急管理局", "Emergency management"),
    ("D25", "城市管理局", "Urban management"),
    ("D26", "林业局", "Forestry"),
    ("D27", "统计局", "Statistics"),
    ("D28", "审计局", "Audit"),
    ("D29", "人民防空办公室", "Civil air defence"),
    ("D30", "气象局", "Meteorology"),
    ("D31", "烟草专卖局", "Tobacco monopoly"),
    ("D32", "档案局", "Archives"),
    ("D33", "残疾人联合会", "Disabled persons' federation"),
    ("D34", "消防救援支队", "Fire and rescue"),
    ("D35", "公共资源交易中心", "Public resources trading centre"),
    ("D36", "机关事务管理局", "Government offices administration"),
    ("D37", "地震局", "Earthquake administration"),
    ("D38", "民族宗教事务局", "Ethnic and religious affairs"),
    ("D39", "邮政管理局", "Postal administration"),
    ("D40", "通信管理局", "Communications administration"),
]

TOWNSHIPS_PER_COUNTY = 15
VILLAGE_TOWNSHIP_SHARE = 0.2  # townships whose villages are listed
HALL_TOWNSHIPS_PER_COUNTY = 2  # the larger townships with a hall of their own


def county_codes() -> list[str]:
    return [f"4199{index + 2:02d}" for index in range(len(COUNTY_NAMES))]


def regions() -> pl.DataFrame:
    rows = [(CITY_CODE, CITY_NAME, "city", None)]
    for county_index, (county_code, county_name) in enumerate(
        zip(county_codes(), COUNTY_NAMES, strict=True)
    ):
        rows.append((county_code, county_name, "county", CITY_CODE))
        for township_index in range(TOWNSHIPS_PER_COUNTY):
            stem = TOWNSHIP_STEMS[(township_index + county_index * 3) % len(TOWNSHIP_STEMS)]
            kind = "街道" if county_name.endswith("区") else "镇"
            township_code = f"{county_code}{township_index + 1:03d}"
            rows.append((township_code, f"{stem}{kind}", "township", county_code))
            if township_index < TOWNSHIPS_PER_COUNTY * VILLAGE_TOWNSHIP_SHARE:
                for village_index, village_stem in enumerate(VILLAGE_STEMS[:3]):
                    suffix = "社区" if kind == "街道" else "村"
                    rows.append(
                        (
                            f"{township_code}{village_index + 1:03d}",
                            f"{stem}{village_stem}{suffix}",
                            "village",
                            township_code,
                        )
                    )
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


def departments() -> pl.DataFrame:
    return pl.DataFrame(
        DEPARTMENTS,
        schema={
            "department_code": pl.String,
            "department_name": pl.String,
            "department_name_en": pl.String,
        },
        orient="row",
    )


def halls() -> pl.DataFrame:
    """City centre, one hall per county, and halls in the larger townships."""
    rows = [("H000", f"{CITY_NAME}市民之家", CITY_CODE, 60, "09:00", "17:00")]
    for county_code, county_name in zip(county_codes(), COUNTY_NAMES, strict=True):
        rows.append(
            (
                f"H{county_code[-2:]}0",
                f"{county_name}政务服务中心",
                county_code,
                20,
                "09:00",
                "17:00",
            )
        )
    township_rows = regions().filter(pl.col("admin_level") == "township")
    for county_code in county_codes():
        for index in range(HALL_TOWNSHIPS_PER_COUNTY):
            code = f"{county_code}{index + 1:03d}"
            name = township_rows.filter(pl.col("region_code") == code)["region_name"].item()
            rows.append(
                (
                    f"H{county_code[-2:]}{index + 1}",
                    f"{name}便民服务中心",
                    code,
                    5,
                    "09:00",
                    "17:00",
                )
            )
    return pl.DataFrame(
        rows,
        schema={
            "hall_code": pl.String,
            "hall_name": pl.String,
            "region_code": pl.String,
            "windows_normal": pl.Int64,
            "open_time": pl.String,
            "close_time": pl.String,
        },
        orient="row",
    )


def hall_for_region(region_codes: np.ndarray) -> np.ndarray:
    """The hall a resident of each region goes to: the township's own hall if it has one,
    else the county hall; city-level matters go to the city centre."""
    hall_by_region = dict(zip(halls()["region_code"], halls()["hall_code"], strict=True))
    result = []
    for code in region_codes:
        code = str(code)
        if code in hall_by_region:
            result.append(hall_by_region[code])
        elif len(code) >= 9 and code[:9] in hall_by_region:
            result.append(hall_by_region[code[:9]])
        elif code[:6] in hall_by_region:
            result.append(hall_by_region[code[:6]])
        else:
            result.append(hall_by_region[CITY_CODE])
    return np.array(result, dtype=object)


def write_reference_seeds(seed_dir: Path) -> None:
    seed_dir.mkdir(parents=True, exist_ok=True)
    regions().write_csv(seed_dir / "regions.csv")
    departments().write_csv(seed_dir / "departments.csv")
    halls().write_csv(seed_dir / "halls.csv")
