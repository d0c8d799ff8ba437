"""The demo city's service guides (办事指南) and their materials, version by version.

Every implementation item of the catalogue gets a guide when it is created (items older than
the guide system get theirs in the second half of 2016), and new versions about once a year.
Each guide starts with or without each of the six gaps the State Council's 2017 inspection
named; the gaps are dealt out in exact counts over the guides current on the calibration date
(params.GuideParams.gap_shares_at_calibration), so the demo's 2017 snapshot reads back the
inspection's shares at every scale and seed. A gap is fixed on a day drawn after the
calibration date, and shows as fixed from the first version published after it. A few guides
state a promised limit that disagrees with the catalogue's. The text of each element is
written so that the checks of models/marts/guides (docs/guides.md) find exactly the gaps dealt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from govwh.demo.catalogue import day_number
from govwh.demo.export import write_frame
from govwh.demo.params import CALIBRATION_DATE, GuideParams, ScaleParams
from govwh.ingestion.schemas import SERVICE_GUIDE_MATERIALS, SERVICE_GUIDES

GAPS = (
    "steps_name_only",
    "no_limit_fee_contact",
    "vague_materials",
    "no_form_download",
    "no_instructions_or_sample",
    "no_format_requirements",
)
GUIDE_SYSTEM_START = dt.date(2016, 7, 1)  # items older than the guide system: a guide in 2016 H2
STEPS = (
    ("申请", "申请人通过网上办事大厅或窗口提交申请材料"),
    ("受理", "窗口工作人员核验材料，材料齐全的当场受理并出具受理通知书"),
    ("审查", "承办科室对申请材料进行实质审查，必要时进行现场核查"),
    ("决定", "承办科室作出准予或不予许可的决定"),
    ("送达", "通过窗口领取或邮寄送达办理结果"),
)
MATERIALS = (
    "申请人身份证明",
    "营业执照",
    "法定代表人身份证明",
    "授权委托书及受托人身份证明",
    "场地使用证明",
    "专业技术人员资格证书",
    "房屋产权证明",
    "户口簿",
)
VAGUE_MATERIALS = ("其他材料", "根据有关法律法规规定应当提交的其他材料", "相关材料")
FORMATS = ("原件1份", "原件1份，复印件1份", "复印件1份（加盖公章）", "电子版或纸质原件1份")
FEES = ("不收费", "不收费", "按国家规定标准收取")


def _versions(
    rng: np.random.Generator,
    first_day: np.ndarray,
    abolished: np.ndarray,
    end_day: int,
    params: GuideParams,
) -> pl.DataFrame:
    """(item_index, version number, published day) of every version up to `end_day`; no
    new version of an abolished item's guide."""
    n = first_day.size
    most = params.max_versions
    gaps = rng.uniform(params.revision_days[0], params.revision_days[1], (n, most - 1))
    days = first_day[:, None] + np.concatenate(
        [np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1
    ).astype(np.int64)
    published = (days <= end_day) & ((days < abolished[:, None]) | (np.arange(most) == 0))
    item, version = np.nonzero(published)
    return pl.DataFrame(
        {"item_index": item, "version": version + 1, "published_day": days[item, version]}
    )


def _deal_gaps(
    rng: np.random.Generator, current: np.ndarray, n: int, params: GuideParams
) -> dict[str, np.ndarray]:
    """Initial gaps: exact counts over the guides current on the calibration date, the same
    shares drawn for the others."""
    dealt = {}
    pool = np.flatnonzero(current)
    for gap in GAPS:
        share = params.gap_shares_at_calibration[gap]
        flags = rng.random(n) < share
        flags[pool] = False
        flags[rng.choice(pool, round(share * pool.size), replace=False)] = True
        dealt[gap] = flags
    return dealt


def _fix_days(rng: np.random.Generator, n: int, params: GuideParams) -> np.ndarray:
    """Day each gap of each guide is fixed: after the calibration date, lognormal waits."""
    median = params.median_years_to_fix * 365.25
    waits = median * np.exp(params.fix_spread * rng.normal(size=(n, len(GAPS))))
    return day_number(CALIBRATION_DATE) + 1 + waits.astype(np.int64)


def _step_text(has_gap: pl.Expr, partial: pl.Expr, steps: pl.Expr) -> pl.Expr:
    """One line a step; name only (nothing after the colon) for a gap, the first steps only
    described for a partial guide (not a gap: one step has a description)."""
    lines = []
    for number, (name, description) in enumerate(STEPS):
        described = ~has_gap & (~partial | pl.lit(number == 0))
        text = (
            pl.when(described).then(pl.lit(f"{name}：{description}")).otherwise(pl.lit(f"{name}："))
        )
        lines.append(pl.when(steps > number).then(text))
    return pl.concat_str(lines, separator="\n", ignore_nulls=True)


def generate_guides(
    items: pl.DataFrame, seed: int, end: dt.date, params: GuideParams
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(service_guides, service_guide_materials) of every version published up to `end`."""
    rng = np.random.default_rng([seed, 5])
    n = items.height
    calibration = day_number(CALIBRATION_DATE)
    created = items["created_day"].to_numpy()
    system_start = day_number(GUIDE_SYSTEM_START)
    first_day = np.where(
        created <= system_start, system_start + rng.integers(0, 184, n), created
    ).astype(np.int64)
    abolished = items["abolished_day"].to_numpy()
    current = (first_day <= calibration) & (abolished > calibration)
    gaps = _deal_gaps(rng, current, n, params)
    fixed = _fix_days(rng, n, params)
    versions = _versions(rng, first_day, abolished, day_number(end), params)
    per_item = pl.DataFrame(
        {
            "item_index": np.arange(n),
            "step_count": rng.integers(3, len(STEPS) + 1, n),
            "partial_steps": rng.random(n) < 0.3,
            "material_count": rng.integers(2, params.max_materials + 1, n),
            "missing_element": rng.integers(0, 3, n),  # limit, fee or contact (the gap)
            "fee_choice": rng.integers(0, len(FEES), n),
            "limit_disagrees": rng.random(n) < params.limit_disagreement_share,
            "phone": rng.integers(1_000_000, 9_999_999, n),
            "material_seed": rng.integers(0, 2**31, n),
            **{f"initial_{gap}": gaps[gap] for gap in GAPS},
            **{f"fixed_{gap}": fixed[:, i] for i, gap in enumerate(GAPS)},
        }
    )
    catalogue = items.select(
        "item_code",
        "item_name",
        "department_code",
        "department_name",
        "region_code",
        "legal_limit_days",
        "promised_limit_days",
    ).with_row_index("item_index")
    frame = (
        versions.join(per_item, on="item_index")
        .join(catalogue.with_columns(pl.col("item_index").cast(pl.Int64)), on="item_index")
        .with_columns(
            # a gap holds in a version published before the day it is fixed
            **{
                f"gap_{gap}": pl.col(f"initial_{gap}")
                & (pl.col("published_day") < pl.col(f"fixed_{gap}"))
                for gap in GAPS
            }
        )
        .with_columns(
            published_date=pl.lit(dt.date(1970, 1, 1)) + pl.duration(days="published_day"),
            guide_version=pl.format("{}.0", pl.col("version")),
        )
    )
    guides = _guide_rows(frame)
    materials = _material_rows(frame, params)
    return guides, materials


def _guide_rows(frame: pl.DataFrame) -> pl.DataFrame:
    missing = pl.col("gap_no_limit_fee_contact")
    element = pl.col("missing_element")
    promised = (
        pl.when(pl.col("limit_disagrees"))
        .then(pl.col("promised_limit_days") + 5)
        .otherwise(pl.col("promised_limit_days"))
    )
    phone = pl.format("0371-6{}", pl.col("phone"))
    return frame.select(
        "item_code",
        "guide_version",
        "published_date",
        "item_name",
        "department_code",
        "department_name",
        "region_code",
        process_steps=_step_text(
            pl.col("gap_steps_name_only"), pl.col("partial_steps"), pl.col("step_count")
        ),
        legal_limit_days=pl.when(missing & (element == 0))
        .then(None)
        .otherwise(pl.col("legal_limit_days"))
        .cast(pl.Int16),
        promised_limit_days=pl.when(missing & (element == 0))
        .then(None)
        .otherwise(promised)
        .cast(pl.Int16),
        fee=pl.when(missing & (element == 1))
        .then(None)
        .otherwise(pl.lit(pl.Series(FEES)).gather(pl.col("fee_choice"))),
        contact_phone=pl.when(missing & (element == 2)).then(None).otherwise(phone),
        complaint_phone=pl.lit("12345"),
        legal_basis=pl.lit("《中华人民共和国行政许可法》"),
        handling_place=pl.lit("市民之家政务服务大厅"),
        handling_hours=pl.lit("工作日 9:00-12:00，13:30-17:00"),
    )


def _material_rows(frame: pl.DataFrame, params: GuideParams) -> pl.DataFrame:
    """One row per material: the application form first (it carries the form download, the
    sample and the instructions unless the guide lacks them), then documents."""
    rows = frame.select(
        "item_code",
        "guide_version",
        "published_date",
        "item_name",
        "material_count",
        "material_seed",
        *[f"gap_{gap}" for gap in GAPS],
    )
    exploded = rows.with_columns(
        material_no=pl.int_ranges(1, pl.col("material_count") + 1, dtype=pl.Int16)
    ).explode("material_no")
    # which material is vague / misses its format: the last one of the guide
    last = pl.col("material_no") == pl.col("material_count")
    pick = (pl.col("material_seed") + pl.col("material_no").cast(pl.Int64) * 7919) % len(MATERIALS)
    vague_pick = pl.col("material_seed") % len(VAGUE_MATERIALS)
    first = pl.col("material_no") == 1
    document = pl.lit(pl.Series(MATERIALS)).gather(pick)
    name = (
        pl.when(first)
        .then(pl.format("《{}申请表》", pl.col("item_name")))
        .when(last & pl.col("gap_vague_materials"))
        .then(pl.lit(pl.Series(VAGUE_MATERIALS)).gather(vague_pick))
        .otherwise(document)
    )
    url = pl.format(
        "https://zwfw.example.gov.cn/guide/{}/{}", pl.col("item_code"), pl.col("material_no")
    )
    fmt = pl.lit(pl.Series(FORMATS)).gather(
        (pl.col("material_seed") + pl.col("material_no").cast(pl.Int64)) % len(FORMATS)
    )
    with_sample = (pl.col("material_seed") % 3) != 0  # else instructions only
    return exploded.select(
        "item_code",
        "guide_version",
        "published_date",
        "material_no",
        material_name=name,
        format_requirement=pl.when(last & pl.col("gap_no_format_requirements"))
        .then(None)
        .otherwise(fmt),
        form_url=pl.when(first & ~pl.col("gap_no_form_download"))
        .then(url + pl.lit("/form.docx"))
        .otherwise(None),
        sample_url=pl.when(first & ~pl.col("gap_no_instructions_or_sample") & with_sample)
        .then(url + pl.lit("/sample.pdf"))
        .otherwise(None),
        filling_instructions=pl.when(first & ~pl.col("gap_no_instructions_or_sample"))
        .then(pl.lit("请使用黑色签字笔填写，内容真实完整，签字处须本人签名"))
        .otherwise(None),
        is_required=~last | (pl.col("material_count") <= 2),
    )


def write_guides(
    items: pl.DataFrame, seed: int, params: ScaleParams, landing_dir: Path, write: dict
) -> Iterator[tuple[str, list[Path], int]]:
    """Write both sources, one file per year of publication (the portal's yearly export);
    yield (source, paths, rows) per file."""
    guides, materials = generate_guides(items, seed, params.end, params.guides)
    for source, frame in ((SERVICE_GUIDES, guides), (SERVICE_GUIDE_MATERIALS, materials)):
        years = frame.with_columns(year=pl.col("published_date").dt.year())
        for (year,), part in years.partition_by("year", as_dict=True, maintain_order=True).items():
            paths = write_frame(
                part.drop("year").sort("item_code", "guide_version"),
                source,
                landing_dir / source.name / f"{source.name}_{year}",
                **write,
            )
            yield source.name, paths, part.height
