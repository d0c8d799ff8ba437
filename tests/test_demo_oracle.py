"""The demo generator's oracle (issue 19): the expected counts it writes beside the exports are
the means of what it draws, its laws are the laws of the draws, writing them changes no export,
and no load or landing scan reads them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import poisson

from dagster_project.ingestion.sensors import landing_fingerprint
from govwh.demo import generate_demo_city
from govwh.demo.calendar_arrays import day_number
from govwh.demo.cases import VISIT_KINDS, CityModel, build_model, generate_cases
from govwh.demo.catalogue import build_items, snapshot_dates
from govwh.demo.city import City
from govwh.demo.generator import (
    GENERATOR_VERSION,
    ORACLE_CASE_ARRIVALS,
    ORACLE_FOLDER,
    ORACLE_HALL_TICKETS,
)
from govwh.demo.oracle import daily_ticket_law, law_quantiles, month_expected_visits
from govwh.demo.params import HallParams, scale_params
from govwh.ingestion.loader import landing_files
from govwh.ingestion.schemas import SOURCES
from govwh.settings import DEMO_CITY_DIR

SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_tiny_seed7_exports.json"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    generate_demo_city(folder, seed=7, scale="tiny")
    return folder


def _model(scale: str, seed: int) -> CityModel:
    params = scale_params(scale)
    city = City.from_folder(DEMO_CITY_DIR)
    items = build_items(np.random.default_rng([seed, 0]), params, city)
    snapshots = np.array([day_number(s) for s in snapshot_dates(params.start, params.end)])
    return build_model(seed, params, city, items, snapshots)


def test_writing_the_oracle_changes_no_export(landing: Path) -> None:
    """Every source of the tiny city, read back, has the content it had before the oracle
    was written (the random streams are untouched)."""
    exports = {}
    for name in sorted(SOURCES):
        frame = pl.read_parquet(sorted((landing / name).glob("*.parquet")))
        digest = hashlib.sha256(frame.write_csv().encode()).hexdigest()
        exports[name] = {"rows": frame.height, "sha256": digest}
    snapshot = json.loads(SNAPSHOT.read_text())
    if os.environ.get("GOVWH_UPDATE_SNAPSHOTS") == "1":
        snapshot.update(generator_version=GENERATOR_VERSION, sources=exports)
        SNAPSHOT.write_text(json.dumps(snapshot, indent=2) + "\n")
    assert snapshot["generator_version"] == GENERATOR_VERSION, (
        "the generator's version changed: its exports may change with it; check the change "
        "meant to, then GOVWH_UPDATE_SNAPSHOTS=1"
    )
    assert exports == snapshot["sources"]


def test_no_load_or_landing_scan_reads_the_oracle(landing: Path) -> None:
    oracle = landing / ORACLE_FOLDER
    assert sorted(p.name for p in oracle.iterdir()) == sorted(
        [ORACLE_CASE_ARRIVALS, ORACLE_HALL_TICKETS]
    )
    for source in SOURCES.values():
        assert all(ORACLE_FOLDER not in path.parts for path in landing_files(landing, source))
    # the sensor's fingerprint of the landing files ignores a changed oracle
    before = landing_fingerprint(landing)
    (oracle / "expected_extra.parquet").write_bytes(b"not a source")
    try:
        assert landing_fingerprint(landing) == before
    finally:
        (oracle / "expected_extra.parquet").unlink()


def test_oracle_files_are_the_means_of_the_exports(landing: Path) -> None:
    cases = pl.read_parquet(sorted((landing / "case_logs").glob("*.parquet")))
    tickets = pl.read_parquet(sorted((landing / "hall_tickets").glob("*.parquet")))
    arrivals = pl.read_parquet(landing / ORACLE_FOLDER / ORACLE_CASE_ARRIVALS)
    expected = pl.read_parquet(landing / ORACLE_FOLDER / ORACLE_HALL_TICKETS)
    assert expected.schema == pl.Schema(
        {"date": pl.Date, "hall_code": pl.String, "hour": pl.Int8, "expected": pl.Float64}
    )
    assert expected.select(pl.struct("date", "hall_code", "hour").is_unique().all()).item()
    assert (expected["date"].min(), expected["date"].max()) == (
        dt.date(2018, 1, 1),
        dt.date(2018, 12, 31),
    )
    # days off: no tickets and none expected
    sunday = expected.filter(pl.col("date") == dt.date(2018, 6, 3))
    assert sunday.height == 66 * 9 and sunday["expected"].sum() == 0
    assert abs(arrivals["expected"].sum() - cases.height) < 4 * np.sqrt(cases.height)

    # per hall over the year and per hour over the halls: within 4 standard deviations
    # (visits are Poisson, consultations add c·visits + b: variance ≤ 1.5 × the mean)
    for keys, column in ((["hall_code"], "hall_code"), (["hour"], "hour")):
        measured = tickets.with_columns(hour=pl.col("ticket_taken_at").dt.hour().cast(pl.Int8))
        compared = (
            measured.group_by(keys)
            .len()
            .join(expected.group_by(keys).agg(pl.col("expected").sum()), on=column, how="full")
            .fill_null(0)
        )
        z = (compared["len"] - compared["expected"]) / np.sqrt(1.5 * compared["expected"])
        assert z.abs().max() < 4, compared
    assert abs(tickets.height - expected["expected"].sum()) < 3 * np.sqrt(1.5 * tickets.height)


def test_hall_visits_expected_are_the_mean_of_the_draws() -> None:
    """The oracle's visits of one month's cases, per kind and working day and per hall and
    working day, against the visits generate_cases plans over independent draws of the same
    month (other seeds, same rates): a chi-square within its 5-sigma band, every kind's total
    within 4 sigma."""
    model = _model("small", 7)
    first, last = day_number(dt.date(2018, 9, 1)), day_number(dt.date(2018, 9, 30))
    expected, base = month_expected_visits(model, first, last)
    halls = model.city.halls["hall_code"].to_list()
    hall_of_item = np.array([halls.index(h) for h in model.item_hall.astype(str)])
    draws = 6
    by_kind = np.zeros((len(VISIT_KINDS), expected.shape[2]))
    by_hall = np.zeros(expected.shape[1:])
    for seed in range(draws):
        visits = generate_cases(dataclasses.replace(model, seed=100 + seed), first, last, 0).visits
        column = model.calendar.seq(visits["visit_day"].to_numpy()) - base
        np.add.at(by_kind, (visits["kind"].to_numpy(), column), 1)
        np.add.at(by_hall, (hall_of_item[visits["item"].to_numpy()], column), 1)

    def chi_square(observed: np.ndarray, mean: np.ndarray) -> tuple[float, int]:
        cells = mean > 5
        return float(((observed[cells] - mean[cells]) ** 2 / mean[cells]).sum()), int(cells.sum())

    for kind, name in enumerate(VISIT_KINDS):
        mean = expected[kind].sum(axis=0) * draws
        assert abs(by_kind[kind].sum() - mean.sum()) < 4 * np.sqrt(mean.sum()), name
        statistic, cells = chi_square(by_kind[kind], mean)
        assert cells >= 15, name
        assert statistic < cells + 5 * np.sqrt(2 * cells), (name, statistic, cells)
    statistic, cells = chi_square(by_hall, expected.sum(axis=0) * draws)
    assert cells > 500
    assert statistic < cells + 5 * np.sqrt(2 * cells), (statistic, cells)
    # a visit far from its mean is caught: the pickups one working day later do not fit
    shifted = np.roll(by_kind[VISIT_KINDS.index("pickup")], 1)
    statistic, cells = chi_square(shifted, expected[VISIT_KINDS.index("pickup")].sum(0) * draws)
    assert statistic > cells + 5 * np.sqrt(2 * cells)


def test_daily_ticket_law_is_visits_plus_the_consultations_they_bring() -> None:
    p = HallParams()
    expected = np.array([0.5, 3.0, 40.0, 250.0])
    law = daily_ticket_law(expected, np.ones(4, dtype=bool), p)
    counts = np.arange(law.shape[1])
    assert np.allclose(law.sum(axis=1), 1) and np.allclose(law @ counts, expected)
    for row, mean in enumerate(expected):
        visits = (mean - 0.5) / (1 + p.consultations_per_case_visit)
        n = np.arange(int(visits + 20 * np.sqrt(visits) + 30))[:, None]
        brute = (
            poisson.pmf(n, visits)
            * poisson.pmf(counts[None, :] - n, p.consultations_per_case_visit * n + 0.5)
        ).sum(axis=0)
        assert np.abs(brute - law[row]).max() < 1e-12
    lo, median, hi = law_quantiles(law, (0.1, 0.5, 0.9))
    cdf = np.cumsum(law, axis=1)
    rows = np.arange(4)
    assert (cdf[rows, hi.astype(int)] >= 0.9 - 1e-12).all()
    assert (cdf[rows, hi.astype(int) - 1] < 0.9).all()
    assert (lo <= median).all() and (median <= hi).all()
