"""The global arrival model on synthetic series with the real calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecasting.baselines import seasonal_naive
from forecasting.calendar import load_calendar_csv
from forecasting.model import ModelConfig, fit_model
from forecasting.panel import build_panel
from forecasting.synthetic import synthetic_arrivals

CALENDAR_CSV = Path(__file__).resolve().parent.parent / "seeds" / "calendar.csv"
LEVELS = {"A:hall": 120.0, "A:online": 60.0, "B:hall": 25.0, "B:online": 8.0, "C:hall": 3.0}
FAST = ModelConfig(
    max_iter=50, learning_rate=0.15, max_leaf_nodes=15, train_days=2 * 365, horizons_per_origin=8
)


@pytest.fixture(scope="module")
def panel():
    calendar = load_calendar_csv(CALENDAR_CSV)
    obs = synthetic_arrivals(
        calendar, start=date(2017, 1, 2), end=date(2019, 12, 31), levels=LEVELS, seed=3
    )
    return build_panel(obs, calendar, end=date(2019, 12, 31), future_days=60)


@pytest.mark.slow
def test_model_beats_seasonal_naive_and_intervals_cover(panel) -> None:
    origin = panel.day_index(date(2019, 6, 30))
    model = fit_model(panel, FAST, origin=origin)
    errors_model, errors_naive, inside80, inside95 = [], [], [], []
    for o in range(origin, origin + 140, 14):
        fc = model.predict(panel, origin=o).sort("series_id", "horizon")
        n = len(panel.series_ids)
        actual = panel.values[:, o + 1 : o + 57]
        work = panel.workday[o + 1 : o + 57]
        shape = (n, 56)
        yhat = fc["yhat"].to_numpy().reshape(shape)
        naive = seasonal_naive(panel, o, 56)
        errors_model.append(np.abs(actual - yhat)[:, work].sum(1))
        errors_naive.append(np.abs(actual - naive)[:, work].sum(1))
        lo, hi = fc["lo80"].to_numpy().reshape(shape), fc["hi80"].to_numpy().reshape(shape)
        inside80.append(((actual >= lo) & (actual <= hi))[:, work].mean())
        lo, hi = fc["lo95"].to_numpy().reshape(shape), fc["hi95"].to_numpy().reshape(shape)
        inside95.append(((actual >= lo) & (actual <= hi))[:, work].mean())
    ratio = np.sum(errors_model, 0) / np.sum(errors_naive, 0)
    assert np.all(ratio < 0.9), dict(zip(panel.series_ids, ratio.round(2), strict=True))
    assert 0.72 <= np.mean(inside80) <= 0.88
    assert 0.90 <= np.mean(inside95) <= 0.99


def test_forecast_frame_shape_and_order(panel) -> None:
    model = fit_model(panel, FAST)
    fc = model.predict(panel)
    assert fc.height == len(LEVELS) * 56
    assert fc["date"].min() == date(2020, 1, 1)
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["lo80"] <= fc["yhat"]).all()
    assert (fc["yhat"] <= fc["hi80"]).all() and (fc["hi80"] <= fc["hi95"]).all()
    assert (fc["lo95"] >= 0).all()
    # nothing is filed in the hall on the Spring Festival 2020 (24–30 Jan)
    hall = fc.filter(pl.col("series_id") == "A:hall", pl.col("date") == date(2020, 1, 27))
    assert hall["hi80"][0] < 5
    assert model.version.startswith("arrivals-hgb-20191231-")


@pytest.mark.slow
def test_external_case_log_mapping(tmp_path) -> None:
    from forecasting.external import Mapping, main, to_observations

    log = pl.DataFrame(
        {
            "办件时间": ["2019-03-01 09:15:00", "2019-03-01 10:00:00", "2019-03-04 11:00:00"],
            "部门": ["公安", "公安", "税务"],
        }
    )
    obs = to_observations(log, Mapping(date="办件时间", series="部门")).sort("series_id", "date")
    assert obs.rows() == [("公安", date(2019, 3, 1), 2.0), ("税务", date(2019, 3, 4), 1.0)]
    # the command on a longer synthetic log: one row per case
    calendar = load_calendar_csv(CALENDAR_CSV)
    daily = synthetic_arrivals(
        calendar, start=date(2018, 1, 2), end=date(2019, 6, 30), levels={"X:hall": 6.0}, seed=1
    )
    cases = daily.select("date", pl.col("y").cast(pl.Int64)).filter(pl.col("y") > 0)
    cases = cases.select(pl.col("date").repeat_by("y").explode().alias("day"))
    path = tmp_path / "log.csv"
    cases.write_csv(path)
    out = tmp_path / "fc.csv"
    assert (
        main(
            [
                str(path),
                "--date",
                "day",
                "--calendar",
                str(CALENDAR_CSV),
                "--horizon",
                "14",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    fc = pl.read_csv(out)
    assert fc.height == 14 and fc["series_id"].unique().to_list() == ["all"]
