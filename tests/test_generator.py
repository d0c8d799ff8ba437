"""The demo city generator: contract, determinism and internal consistency (tiny scale)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govwh.demo import generate_demo_city
from govwh.demo.identity import is_valid_id_card, is_valid_uscc
from govwh.ingestion.schemas import (
    CASE_STATUSES,
    CHANNELS,
    SOURCES,
    TICKET_OUTCOMES,
)

ONLINE = ("online_web", "mobile_app", "self_service")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    generate_demo_city(folder, seed=7, scale="tiny")
    return folder


def read(landing: Path, source: str) -> pl.DataFrame:
    return pl.read_parquet(sorted((landing / source).glob("*.parquet")))


@pytest.fixture(scope="module")
def items(landing: Path) -> pl.DataFrame:
    return read(landing, "service_items")


@pytest.fixture(scope="module")
def cases(landing: Path) -> pl.DataFrame:
    return read(landing, "case_logs")


@pytest.fixture(scope="module")
def tickets(landing: Path) -> pl.DataFrame:
    return read(landing, "hall_tickets")


def test_schema_equals_the_contract(landing: Path) -> None:
    # every canonical column, but the case's own deadline: the demo platform has none; its
    # hotline exports each order's limits in working days, not due times
    not_exported = {"due_at", "limit_days", "limit_day_kind", "reply_due_at", "close_due_at"}
    for name, source in SOURCES.items():
        expected = {c: t for c, t in source.polars_schema.items() if c not in not_exported}
        for path in sorted((landing / name).glob("*.parquet")):
            assert pl.read_parquet_schema(path) == expected, path
    marker = json.loads((landing / "_generation.json").read_text())
    assert marker["seed"] == 7 and marker["scale"] == "tiny"
    assert marker["rows"]["case_logs"] > 2000
    assert marker["generator_version"]


def test_file_layout(landing: Path) -> None:
    snapshots = sorted(p.name for p in (landing / "service_items").glob("*.parquet"))
    assert snapshots[0] == "service_items_2017-12-31.parquet"
    assert "service_items_2018-06-30.parquet" in snapshots
    months = sorted(p.name for p in (landing / "case_logs").glob("*.parquet"))
    assert months[0] == "case_logs_2018-01.parquet" and len(months) == 12


def test_regeneration_removes_previous_output(tmp_path: Path) -> None:
    stale = tmp_path / "case_logs" / "case_logs_1999-01.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_text("stale")
    generate_demo_city(tmp_path, scale="tiny", start=dt.date(2018, 1, 1), end=dt.date(2018, 1, 31))
    assert not stale.exists()


def test_deterministic_per_seed(tmp_path: Path, cases: pl.DataFrame) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate_demo_city(again, seed=7, scale="tiny")
    generate_demo_city(other, seed=8, scale="tiny")
    assert read(again, "case_logs").equals(cases)
    assert not read(other, "case_logs").equals(cases)


def test_vocabularies(cases: pl.DataFrame, tickets: pl.DataFrame) -> None:
    assert set(cases["channel"].unique()) <= set(CHANNELS)
    assert set(cases["status"].unique()) <= set(CASE_STATUSES)
    assert {"served", "no_show"} <= set(tickets["outcome"].unique()) <= set(TICKET_OUTCOMES)
    assert cases["case_id"].is_unique().all()
    assert tickets["ticket_id"].is_unique().all()


def _catalogue_at_submission(items: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    snapshots = items.select("snapshot_date").unique().sort("snapshot_date")
    with_snapshot = (
        cases.with_columns(day=pl.col("submitted_at").dt.date())
        .sort("day")
        .join_asof(snapshots, left_on="day", right_on="snapshot_date", strategy="backward")
    )
    return with_snapshot.join(items, on=["snapshot_date", "item_code"], how="left", suffix="_item")


def test_cases_match_the_catalogue_valid_at_submission(
    items: pl.DataFrame, cases: pl.DataFrame
) -> None:
    joined = _catalogue_at_submission(items, cases)
    assert joined["status_item"].null_count() == 0
    assert (joined["status_item"] == "active").all()
    assert (joined["department_code"] == joined["department_code_item"]).all()
    assert (joined["region_code"] == joined["region_code_item"]).all()
    online = joined.filter(pl.col("channel").is_in(ONLINE))
    assert (online["depth_level"] >= 2).all()
    trips = joined.group_by("depth_level").agg(
        pl.col("trips").max().alias("most"), (pl.col("trips") >= 2).mean().alias("two_plus")
    )
    most = dict(trips.select("depth_level", "most").iter_rows())
    assert most[4] == 0 and most.get(3, 1) <= 1 and most[2] <= 2
    two_plus = dict(trips.select("depth_level", "two_plus").iter_rows())
    assert two_plus[1] > 0.3  # level 1 often takes two or more trips
    by_post = joined.filter((pl.col("depth_level") == 2) & (pl.col("result_delivery") == "post"))
    assert (by_post["trips"] <= 1).all()


def test_timestamps_and_statuses_are_consistent(cases: pl.DataFrame) -> None:
    c = cases
    assert c.filter(pl.col("accepted_at") < pl.col("submitted_at")).is_empty()
    assert c.filter(pl.col("completed_at") < pl.col("accepted_at")).is_empty()
    assert c.filter(pl.col("updated_at") < pl.col("submitted_at")).is_empty()
    for column in ("accepted_at", "completed_at", "withdrawn_at", "rating_at", "rectified_at"):
        assert c.filter(pl.col(column) > pl.col("updated_at")).is_empty(), column
    completed = c.filter(pl.col("status") == "completed")
    assert completed["completed_at"].null_count() == 0 and completed["decision"].null_count() == 0
    not_completed = c.filter(pl.col("status") != "completed")
    assert not_completed["completed_at"].null_count() == not_completed.height
    assert not_completed["decision"].null_count() == not_completed.height
    assert (
        c.filter(pl.col("status") == "not_accepted")["accepted_at"].null_count()
        == c.filter(pl.col("status") == "not_accepted").height
    )
    withdrawn = c.filter(pl.col("status") == "withdrawn")
    assert withdrawn.height and withdrawn["withdrawn_at"].null_count() == 0
    in_progress = c.filter(pl.col("status") == "in_progress")
    assert in_progress.height and in_progress["accepted_at"].null_count() == 0
    end = dt.datetime(2019, 1, 1)
    for column in ("submitted_at", "accepted_at", "completed_at", "rating_at", "updated_at"):
        assert c.filter(pl.col(column) >= end).is_empty(), column


def test_ratings(cases: pl.DataFrame) -> None:
    rated = cases.filter(pl.col("rating").is_not_null())
    assert (rated["status"] == "completed").all()
    assert rated.filter(pl.col("rating_at") < pl.col("completed_at")).is_empty()
    assert 0.05 < rated.height / (cases["status"] == "completed").sum() < 0.5
    assert rated["rating_is_default"].any()
    rectified = cases.filter(pl.col("rectified_at").is_not_null())
    assert (rectified["rating"] <= 2).all()
    assert rectified.filter(pl.col("rectified_at") < pl.col("rating_at")).is_empty()


def test_hall_filings_and_holidays(cases: pl.DataFrame, tickets: pl.DataFrame) -> None:
    calendar = pl.read_csv("seeds/calendar.csv", try_parse_dates=True)
    holidays = calendar.filter(pl.col("is_statutory_holiday"))["calendar_date"]
    off = calendar.filter(~pl.col("is_workday"))["calendar_date"]
    on_holiday = cases.filter(pl.col("submitted_at").dt.date().is_in(holidays.implode()))
    assert on_holiday.height > 0
    assert on_holiday["channel"].is_in(["online_web", "mobile_app"]).all()
    assert tickets.filter(pl.col("ticket_taken_at").dt.date().is_in(off.implode())).is_empty()
    hall = cases.filter(pl.col("channel") == "hall_window")
    assert hall["hall_code"].null_count() == 0
    assert cases.filter(pl.col("channel") != "hall_window")["hall_code"].null_count() == (
        cases.filter(pl.col("channel") != "hall_window").height
    )
    # every hall filing has its served ticket, taken before the submission
    filing = hall.join(tickets, on="case_id", how="inner").filter(
        pl.col("ticket_taken_at").dt.date() == pl.col("submitted_at").dt.date()
    )
    assert filing["case_id"].n_unique() == hall.height
    assert (filing["outcome"] == "served").all()
    assert filing.filter(pl.col("ticket_taken_at") > pl.col("submitted_at")).is_empty()
    # tickets with a case: as many as the trips counted
    visits = tickets.filter(pl.col("case_id").is_not_null()).group_by("case_id").len()
    trips = cases.select("case_id", "trips").join(visits, on="case_id", how="left")
    assert (trips["trips"] == trips["len"].fill_null(0)).all()


def test_ticket_times_are_ordered(tickets: pl.DataFrame) -> None:
    t = tickets
    assert t.filter(pl.col("called_at") < pl.col("ticket_taken_at")).is_empty()
    assert t.filter(pl.col("service_start_at") < pl.col("called_at")).is_empty()
    assert t.filter(pl.col("service_end_at") < pl.col("service_start_at")).is_empty()
    assert t.filter(
        (pl.col("outcome") == "abandoned") & pl.col("called_at").is_not_null()
    ).is_empty()
    served = t.filter(pl.col("outcome") == "served")
    assert served["service_end_at"].null_count() == 0
    # left_at: abandoned tickets only (70 % of them recorded, HallParams.left_at_recorded;
    # the tiny city's consultations hardly ever leave), never before the ticket
    left = t.filter(pl.col("left_at").is_not_null())
    assert (left["outcome"] == "abandoned").all()
    assert (left["left_at"] >= left["ticket_taken_at"]).all()
    hours = t["ticket_taken_at"].dt.hour()
    assert hours.min() >= 9 and hours.max() <= 17


def test_identifiers_are_well_formed(cases: pl.DataFrame) -> None:
    people = cases.filter(pl.col("applicant_type") == "person")["applicant_id"].unique()
    firms = cases.filter(pl.col("applicant_type") == "enterprise")["applicant_id"].unique()
    assert people.len() > 100 and firms.len() > 20
    assert all(is_valid_id_card(x) for x in people)
    assert all(x[:4] == "4119" for x in people)
    assert all(is_valid_uscc(x) for x in firms)
    phones = cases["applicant_phone"]
    assert phones.str.contains(r"^1[3-9]\d{9}$").all()
    returning = cases.group_by("applicant_id").len()
    assert (returning["len"] > 1).sum() > 0.05 * returning.height


def test_id_card_check_digit_reference() -> None:
    assert is_valid_id_card("11010519491231002X")  # the GB 11643 standard's example
    assert not is_valid_id_card("110105194912310021")
    assert is_valid_uscc("91350100M000100Y43")
    assert np.all([not is_valid_uscc("91350100M000100Y44")])


def test_csv_and_xlsx_exports_with_chinese_headers(tmp_path: Path) -> None:
    import yaml

    translations = yaml.safe_load(Path("govwh/demo/headers_zh.yaml").read_text(encoding="utf-8"))
    period = {"start": dt.date(2018, 3, 1), "end": dt.date(2018, 3, 31)}
    csv_dir = tmp_path / "csv"
    summary = generate_demo_city(
        csv_dir, scale="tiny", fmt="csv", encoding="gb18030", headers="zh", **period
    )
    assert summary.files["case_logs"] == 1
    path = csv_dir / "case_logs" / "case_logs_2018-03.csv"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    frame = pl.read_csv(raw.decode("gb18030").encode("utf-8"))
    columns = translations["case_logs"]["columns"]
    assert frame.columns == [
        columns[c]
        for c in SOURCES["case_logs"].columns
        if c not in ("due_at", "limit_days", "limit_day_kind")
    ]
    assert frame["办件编号"].str.starts_with("SZ").all()
    channel_labels = set(translations["case_logs"]["values"]["channel"].values())
    assert set(frame["申报渠道"].unique()) <= channel_labels
    assert set(frame["办件状态"].unique()) <= set(
        translations["case_logs"]["values"]["status"].values()
    )
    ratings = set(frame["评价等级"].drop_nulls().unique())
    assert ratings <= {"非常满意", "满意", "基本满意", "不满意", "非常不满意"}

    xlsx_dir = tmp_path / "xlsx"
    generate_demo_city(xlsx_dir, scale="tiny", fmt="xlsx", headers="zh", **period)
    workbook = xlsx_dir / "hall_tickets" / "hall_tickets_2018-03.xlsx"
    assert workbook.exists() and workbook.read_bytes()[:2] == b"PK"
    with pytest.raises(ValueError, match="xlsx"):
        generate_demo_city(tmp_path / "big", scale="city", fmt="xlsx")
