"""The service guides through the real Dagster job: the 2017 shares read back from the marts,
every gap share and the completeness rate recomputed in polars from the landing files, the
gaps listed for the outbox, the limit disagreements, the registry rows; a city with the
guides and the catalogue only, and one with the guides only (no catalogue, no cases, an
unknown department), both build."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_guides import current_on, guide_gaps

from govwh.demo import generate_demo_city
from govwh.demo.params import INSPECTION_GAP_SHARES
from govwh.settings import DAGSTER_HOME_ENV, LANDING_ENV, SERVING_ENV, WAREHOUSE_ENV, Settings

pytestmark = pytest.mark.slow

GAPS = tuple(INSPECTION_GAP_SHARES)


def _build(root: Path, prepare_landing: Callable[[Path], None]) -> Settings:
    from dagster_project.runner import open_instance, run_job

    settings = Settings(
        warehouse_path=root / "govwh.duckdb",
        landing_dir=root / "landing",
        serving_path=root / "serving" / "govwh.duckdb",
    )
    prepare_landing(settings.landing_dir)
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv(WAREHOUSE_ENV, str(settings.warehouse_path))
        environment.setenv(LANDING_ENV, str(settings.landing_dir))
        environment.setenv(SERVING_ENV, str(settings.serving_path))
        environment.setenv(DAGSTER_HOME_ENV, str(root / "dagster_home"))
        result = run_job(settings, instance=open_instance(root / "dagster_home"))
        assert result.success, result.failures
    return settings


@pytest.fixture(scope="module")
def guide_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The `small` demo city's catalogue and guides (2017–2019), without cases or tickets."""

    def prepare(landing: Path) -> None:
        generate_demo_city(landing, seed=7, scale="small")
        for source in ("case_logs", "hall_tickets"):
            shutil.rmtree(landing / source)

    yield _build(tmp_path_factory.mktemp("guide_city"), prepare)


def _mart(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.sql(sql).pl()


def _landing(settings: Settings, source: str) -> pl.DataFrame:
    return pl.read_parquet(settings.landing_dir / source / "*.parquet")


def _checked(settings: Settings) -> pl.DataFrame:
    return guide_gaps(
        _landing(settings, "service_guides"), _landing(settings, "service_guide_materials")
    )


def test_2017_gap_shares_read_back_from_the_marts(guide_city: Settings) -> None:
    city = _mart(
        guide_city,
        "select * from marts.mart_guide_completeness_by_period "
        "where scope_type = 'city' and period_grain = 'year' order by period_start",
    )
    year_2017 = city.filter(pl.col("period_start") == dt.date(2017, 1, 1)).row(0, named=True)
    assert year_2017["as_of_date"] == dt.date(2017, 12, 31)
    for gap, expected in INSPECTION_GAP_SHARES.items():
        share = year_2017[f"guide_{gap}_share"]
        assert abs(share - expected) <= 0.02, (gap, share)
    # later years improve, gap by gap, and the completeness rate rises
    year_2019 = city.filter(pl.col("period_start") == dt.date(2019, 1, 1)).row(0, named=True)
    for gap in GAPS:
        assert year_2019[f"guide_{gap}_share"] < year_2017[f"guide_{gap}_share"] - 0.05
    assert year_2019["guide_completeness_rate"] > year_2017["guide_completeness_rate"] + 0.1


@pytest.mark.parametrize(
    "day", [dt.date(2017, 12, 31), dt.date(2018, 6, 30), dt.date(2019, 12, 31)]
)
def test_every_gap_share_and_completeness_match_the_landing_files(
    guide_city: Settings, day: dt.date
) -> None:
    current = current_on(_checked(guide_city), day).with_columns(complete=~pl.any_horizontal(*GAPS))
    months = _mart(
        guide_city,
        "select department_code, sum(guides) as guides, sum(complete_guides) as complete, "
        + ", ".join(f"sum(guides_{gap}) as {gap}" for gap in GAPS)
        + f" from marts.mart_guide_completeness where period_end = date '{day}' "
        "group by department_code order by department_code",
    )
    guides = _landing(guide_city, "service_guides").select(
        "item_code", "guide_version", "department_code"
    )
    expected = (
        current.join(guides, on=["item_code", "guide_version"])
        .group_by("department_code")
        .agg(
            guides=pl.len(),
            complete=pl.col("complete").sum(),
            **{gap: pl.col(gap).sum() for gap in GAPS},
        )
        .sort("department_code")
    )
    assert months.cast({c: pl.Int64 for c in months.columns[1:]}).equals(
        expected.cast({c: pl.Int64 for c in expected.columns[1:]})
    )
    # and the registry's rows for the city say the same
    values = _mart(
        guide_city,
        "select metric_code, numerator, denominator from marts.mart_metric_values "
        "where metric_kind = 'guide' and period_grain = 'month' and scope_type = 'city' "
        f"and period_start = date '{day.replace(day=1)}'",
    )
    by_code = {row["metric_code"]: row for row in values.iter_rows(named=True)}
    assert by_code["guide_completeness_rate"]["numerator"] == current["complete"].sum()
    for gap in GAPS:
        row = by_code[f"guide_{gap}_share"]
        assert (row["numerator"], row["denominator"]) == (current[gap].sum(), current.height)


def test_the_gaps_listed_for_the_outbox_are_those_of_the_current_guides(
    guide_city: Settings,
) -> None:
    checked = _checked(guide_city)
    last = checked["published_date"].max()
    current = current_on(checked, last)
    listed = _mart(
        guide_city,
        "select gap_code, count(*) as guides, count(distinct item_code) as items, "
        "max(as_of) as as_of from marts.mart_guide_gaps group by gap_code",
    )
    counts = {row["gap_code"]: row for row in listed.iter_rows(named=True)}
    for gap in GAPS:
        assert counts[gap]["guides"] == counts[gap]["items"] == current[gap].sum(), gap
        assert counts[gap]["as_of"] == last
    vague = _mart(
        guide_city,
        "select distinct detail from marts.mart_guide_gaps where gap_code = 'vague_materials'",
    )
    assert set(vague["detail"]) <= {"其他材料", "根据有关法律法规", "相关材料"}


def test_limits_that_disagree_with_the_catalogue(guide_city: Settings) -> None:
    """A guide's limit against the catalogue snapshot valid on its publication date (the
    latest on or before it; the first one for a guide published before the catalogue)."""
    guides = _landing(guide_city, "service_guides").filter(
        pl.col("promised_limit_days").is_not_null() | pl.col("legal_limit_days").is_not_null()
    )
    catalogue = _landing(guide_city, "service_items").select(
        "snapshot_date", "item_code", catalogue=pl.col("promised_limit_days")
    )
    first = catalogue["snapshot_date"].min()
    valid = (
        guides.with_columns(on=pl.max_horizontal("published_date", pl.lit(first)))
        .sort("on")
        .join_asof(
            catalogue.select("snapshot_date").unique().sort("snapshot_date"),
            left_on="on",
            right_on="snapshot_date",
        )
        .join(catalogue, on=["snapshot_date", "item_code"])
    )
    expected = valid.filter(
        pl.coalesce("promised_limit_days", "legal_limit_days") != pl.col("catalogue")
    ).select("item_code", "guide_version")
    stored = _mart(
        guide_city,
        "select item_code, guide_version from marts.fct_service_guides "
        "where limit_disagrees_catalogue",
    )
    assert expected.height > 0
    assert sorted(stored.rows()) == sorted(expected.rows())


def test_a_city_with_only_guides_builds(tmp_path: Path) -> None:
    """No catalogue, no cases, no halls: the guide marts build; a guide of a department the
    city does not know, and one without a region, count in the unknown members."""

    def prepare(landing: Path) -> None:
        generate_demo_city(landing, seed=3, scale="tiny")
        for source in ("service_items", "case_logs", "hall_tickets"):
            shutil.rmtree(landing / source)
        stray = pl.read_parquet(landing / "service_guides" / "service_guides_2018.parquet").head(2)
        stray.with_columns(
            item_code=pl.Series(["X1", "X2"]),
            department_code=pl.Series(["NOT_CONFIGURED", None]),
            region_code=pl.Series(["411900", None]),
        ).write_parquet(landing / "service_guides" / "service_guides_stray.parquet")

    settings = _build(tmp_path, prepare)
    stray = _mart(
        settings,
        "select item_code, department_code, region_code, catalogue_promised_limit_days "
        "from marts.fct_service_guides where item_code in ('X1', 'X2') order by item_code",
    )
    assert stray.rows() == [("X1", "unknown", "411900", None), ("X2", "unknown", "unknown", None)]
    total = _mart(
        settings,
        "select sum(guides) as guides from marts.mart_guide_completeness_by_period "
        "where scope_type = 'city' and period_grain = 'month' "
        "and period_start = (select max(period_start) from marts.mart_guide_completeness)",
    )
    current = _mart(settings, "select count(*) as n from marts.fct_service_guides where is_current")
    assert total["guides"][0] == current["n"][0] > 0
