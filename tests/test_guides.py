"""Source 5, the service guides (办事指南): the demo's calibration to the 2017 inspection
(recomputed in polars from the generated files, independently of the dbt checks), ingestion
of good and bad exports, and a provincial portal's Chinese export through its shipped mapping.
The warehouse side (marts against the landing files) is tests/test_guides_warehouse.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from test_ingestion import assert_conserved, canonical, load, quarantine, query, write_csv

from govwh.demo.catalogue import build_items
from govwh.demo.city import City
from govwh.demo.guides import generate_guides
from govwh.demo.params import CALIBRATION_DATE, INSPECTION_GAP_SHARES, scale_params
from govwh.ingestion.schemas import SERVICE_GUIDE_MATERIALS, SERVICE_GUIDES

REPO = Path(__file__).parents[1]
PORTAL_MAPPING = REPO / "docs" / "onboarding" / "provincial_portal_service_guides.yaml"
VAGUE_PHRASES = (
    "其他材料",
    "根据有关法律法规",
    "根据相关法律法规",
    "相关材料",
    "等材料",
    "有关材料",
    "其他相关",
)


def guide_gaps(guides: pl.DataFrame, materials: pl.DataFrame) -> pl.DataFrame:
    """The six checks of docs/guides.md, written again in polars (one row per guide)."""
    blank = lambda c: pl.col(c).str.strip_chars().fill_null("") == ""  # noqa: E731
    per_guide = materials.group_by("item_code", "guide_version").agg(
        materials=pl.len(),
        vague=pl.col("material_name").str.contains_any(list(VAGUE_PHRASES)).any(),
        forms=(~blank("form_url")).sum(),
        helps=(~blank("filling_instructions") | ~blank("sample_url")).sum(),
        no_format=blank("format_requirement").sum(),
    )
    described = (
        pl.col("process_steps")
        .fill_null("")
        .str.split("\n")
        .list.eval(pl.element().str.split_exact("：", 1).struct.field("field_1"))
        .list.eval(pl.element().str.strip_chars().fill_null("") != "")
        .list.any()
    )
    return guides.join(per_guide, on=["item_code", "guide_version"], how="left").select(
        "item_code",
        "guide_version",
        "published_date",
        steps_name_only=~described,
        no_limit_fee_contact=pl.coalesce("promised_limit_days", "legal_limit_days").is_null()
        | blank("fee")
        | blank("contact_phone"),
        vague_materials=pl.col("vague").fill_null(False),
        no_form_download=pl.col("forms").fill_null(0) == 0,
        no_instructions_or_sample=pl.col("helps").fill_null(0) == 0,
        no_format_requirements=(pl.col("materials").fill_null(0) == 0) | (pl.col("no_format") > 0),
    )


def current_on(checked: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The guide of each item in force on `day`: its latest version published by then."""
    return (
        checked.filter(pl.col("published_date") <= day)
        .sort("published_date", "guide_version")
        .group_by("item_code")
        .last()
    )


def shares(guides: pl.DataFrame) -> dict[str, float]:
    return {gap: float(guides[gap].mean()) for gap in INSPECTION_GAP_SHARES}


@pytest.mark.parametrize("scale", ["tiny", "small", "city"])
@pytest.mark.parametrize("seed", [1, 42])
def test_guides_current_in_2017_have_the_inspections_gaps(scale: str, seed: int) -> None:
    params = scale_params(scale)
    items = build_items(np.random.default_rng([seed, 0]), params, City.from_folder())
    guides, materials = generate_guides(items, seed, params.end, params.guides)
    checked = guide_gaps(guides, materials)

    measured = shares(current_on(checked, CALIBRATION_DATE))
    for gap, expected in INSPECTION_GAP_SHARES.items():
        assert abs(measured[gap] - expected) <= 0.02, (gap, measured[gap])
    # every guide version is complete in some respects and the steps parse: at most all gaps
    assert checked.height == guides.height


def test_guides_improve_after_2017_and_a_few_limits_disagree() -> None:
    params = scale_params("small")
    items = build_items(np.random.default_rng([42, 0]), params, City.from_folder())
    guides, materials = generate_guides(items, 42, params.end, params.guides)
    checked = guide_gaps(guides, materials)
    before = shares(current_on(checked, CALIBRATION_DATE))
    after = shares(current_on(checked, dt.date(2019, 12, 31)))
    for gap in INSPECTION_GAP_SHARES:
        assert after[gap] < before[gap] - 0.05, (gap, before[gap], after[gap])
    # several versions per item over the years, and a few limits unlike the catalogue's
    assert guides.group_by("item_code").len()["len"].max() >= 3
    limits = guides.join(
        items.select("item_code", catalogue=pl.col("promised_limit_days")), on="item_code"
    ).filter(pl.col("promised_limit_days").is_not_null())
    disagree = (limits["promised_limit_days"] != limits["catalogue"]).mean()
    assert 0.01 < disagree < 0.06


def test_guides_are_deterministic_for_a_seed() -> None:
    params = scale_params("tiny")
    items = build_items(np.random.default_rng([3, 0]), params, City.from_folder())
    first = generate_guides(items, 3, params.end, params.guides)
    second = generate_guides(items, 3, params.end, params.guides)
    assert first[0].equals(second[0]) and first[1].equals(second[1])


# Ingestion ------------------------------------------------------------------------------------


def guide_rows(count: int, **overrides: list) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "item_code": [f"I{n}" for n in range(count)],
            "guide_version": ["1.0"] * count,
            "published_date": [dt.date(2017, 6, 1)] * count,
            "item_name": ["建筑工程施工许可"] * count,
            "department_code": ["HCD"] * count,
            "region_code": ["411900"] * count,
            "process_steps": ["受理：当场受理\n决定：作出决定"] * count,
            "promised_limit_days": [10] * count,
            "fee": ["不收费"] * count,
            "contact_phone": ["0371-1234567"] * count,
        }
    )
    return canonical(
        frame.with_columns(**{k: pl.Series(v) for k, v in overrides.items()}), SERVICE_GUIDES
    )


def material_rows(items: list[str], version: str = "1.0") -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "item_code": items,
            "guide_version": [version] * len(items),
            "material_no": [1] * len(items),
            "material_name": ["申请表"] * len(items),
            "format_requirement": ["原件1份"] * len(items),
            "form_url": ["https://example.gov.cn/form.docx"] * len(items),
        }
    )
    return canonical(frame, SERVICE_GUIDE_MATERIALS)


def test_good_guides_and_materials_load_and_add_up(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    guides = load(
        database, [write_csv(tmp_path / "g" / "guides.csv", guide_rows(3))], SERVICE_GUIDES
    )
    materials = load(
        database,
        [write_csv(tmp_path / "m" / "materials.csv", material_rows(["I0", "I1", "I2"]))],
        SERVICE_GUIDE_MATERIALS,
    )
    assert [(f.status, f.rows_loaded) for f in guides.files] == [("loaded", 3)]
    assert [(f.status, f.rows_loaded) for f in materials.files] == [("loaded", 3)]
    assert query(database, "select process_steps from raw.service_guides limit 1") == [
        ("受理：当场受理\n决定：作出决定",)
    ]
    assert_conserved(database)


def test_a_guide_export_without_its_version_fails_naming_the_column(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "g" / "guides.csv", guide_rows(2).drop("guide_version"))
    result = load(database, [path], SERVICE_GUIDES)
    (failed,) = result.failed
    assert "required column(s)" in str(failed.error) and "guide_version" in str(failed.error)


def test_unknown_departments_are_loaded_flagged_and_duplicates_rejected(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    frame = guide_rows(3, department_code=["HCD", None, "HCD"], item_code=["I0", "I1", "I0"])
    result = load(database, [write_csv(tmp_path / "g" / "guides.csv", frame)], SERVICE_GUIDES)

    (loaded,) = result.files
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected) == (3, 2, 1)
    assert [(row[2], row[4], row[5]) for row in quarantine(database)] == [
        ("department_code", "missing_department", "flagged"),
        ("item_code, guide_version", "duplicate_row", "rejected"),
    ]
    assert_conserved(database)


def test_a_material_whose_guide_is_missing_is_loaded_and_flagged(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load(database, [write_csv(tmp_path / "g" / "guides.csv", guide_rows(1))], SERVICE_GUIDES)
    result = load(
        database,
        [write_csv(tmp_path / "m" / "materials.csv", material_rows(["I0", "NOT_A_GUIDE"]))],
        SERVICE_GUIDE_MATERIALS,
    )
    (loaded,) = result.files
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_flagged) == (2, 2, 1)
    assert [(row[3], row[4], row[5]) for row in quarantine(database)] == [
        ("NOT_A_GUIDE | 1.0", "unknown_guide", "flagged")
    ]
    assert_conserved(database)


def test_gbk_guides_with_chinese_headers_load_through_the_zh_mapping(tmp_path: Path) -> None:
    from govwh.demo.export import to_chinese

    database = tmp_path / "w.duckdb"
    frame = to_chinese(guide_rows(2, fee=["不收费", "按国家标准收取"]), SERVICE_GUIDES)
    path = write_csv(tmp_path / "g" / "办事指南.csv", frame, encoding="gbk")
    result = load(database, [path], SERVICE_GUIDES)
    assert [(f.status, f.rows_loaded, f.mapping) for f in result.files] == [
        ("loaded", 2, "govwh_zh")
    ]
    assert query(database, "select fee from raw.service_guides order by item_code") == [
        ("不收费",),
        ("按国家标准收取",),
    ]
    assert_conserved(database)


# a provincial portal's export layout (UTF-8 here, written as GBK by the test)
PORTAL_GUIDES = REPO / "tests" / "fixtures" / "provincial_portal_guides.csv"
PORTAL_MATERIALS = REPO / "tests" / "fixtures" / "provincial_portal_guide_materials.csv"


def test_a_provincial_portals_export_loads_through_the_shipped_mapping(tmp_path: Path) -> None:
    """docs/onboarding/provincial_portal_service_guides.yaml: headers like 实施编码, 办理流程,
    承诺办结时限 ('10个工作日'), 空表下载, 样表下载, 填报须知, in GBK, dates with slashes."""
    database = tmp_path / "w.duckdb"
    guides = tmp_path / "guides" / "指南.csv"
    materials = tmp_path / "materials" / "材料.csv"
    for path, text in ((guides, PORTAL_GUIDES), (materials, PORTAL_MATERIALS)):
        path.parent.mkdir(parents=True)
        path.write_bytes(text.read_text(encoding="utf-8").encode("gbk"))

    loaded = load(database, [guides], SERVICE_GUIDES, PORTAL_MAPPING)
    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in loaded.files] == [
        ("loaded", 2, 0)
    ], [f.error for f in loaded.files]
    loaded = load(database, [materials], SERVICE_GUIDE_MATERIALS, PORTAL_MAPPING)
    assert [(f.status, f.rows_loaded, f.rows_flagged) for f in loaded.files] == [
        ("loaded", 4, 0)
    ], [f.error for f in loaded.files]
    rows = query(
        database,
        "select guide_version, published_date, legal_limit_days, promised_limit_days, fee, "
        "department_code from raw.service_guides order by item_code",
    )
    assert rows == [
        ("2", dt.date(2019, 3, 15), 20, 10, "不收费", "MSA"),
        ("1", dt.date(2018, 11, 2), 20, None, None, "MSA"),
    ]
    assert query(
        database, "select count(*) filter (where is_required) from raw.service_guide_materials"
    ) == [(3,)]
    # and the checks find what the text says (the same rules as the dbt models)
    with duckdb.connect(str(database), read_only=True) as connection:
        checked = guide_gaps(
            connection.sql("select * from raw.service_guides").pl(),
            connection.sql("select * from raw.service_guide_materials").pl(),
        ).sort("item_code")
    assert checked.select(
        "steps_name_only", "no_limit_fee_contact", "vague_materials", "no_form_download"
    ).rows() == [(False, False, False, False), (True, True, True, True)]
    assert_conserved(database)
