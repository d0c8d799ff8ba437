"""The one-pass bin thresholds are scikit-learn's, and the arrival model fits the same with them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor

from forecasting.binning import binning_original, find_binning_thresholds, one_pass_binning


def _column(kind: str, rng: np.random.Generator, n: int = 20_000) -> np.ndarray:
    if kind == "continuous":
        return rng.lognormal(2.0, 1.0, n)
    if kind == "few_values":
        return rng.integers(0, 40, n).astype(float)
    if kind == "ties":  # many distinct values, heavy ties: thresholds collapse and are deduped
        return np.round(rng.exponential(3.0, n), 1)
    column = rng.normal(0.0, 1.0, n)
    column[rng.random(n) < 0.1] = np.nan
    return column


@pytest.mark.parametrize("kind", ["continuous", "few_values", "ties", "missing"])
@pytest.mark.parametrize("weights", ["positive", "some_zero", "none"])
def test_thresholds_are_scikit_learns(kind: str, weights: str) -> None:
    rng = np.random.default_rng(7)
    column = _column(kind, rng)
    weight = {
        "positive": rng.gamma(2.0, 1.0, column.size),
        "some_zero": np.where(rng.random(column.size) < 0.2, 0.0, rng.random(column.size)),
        "none": None,
    }[weights]
    ours = find_binning_thresholds(column, 255, weight)
    theirs = binning_original(column, 255, weight)
    np.testing.assert_array_equal(ours, theirs)


def test_a_weighted_fit_is_the_same_with_one_pass_binning() -> None:
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.lognormal(1.0, 0.8, 6_000), rng.integers(0, 7, 6_000)])
    y = rng.poisson(np.exp(0.3 * np.log(x[:, 0]) + 0.1 * x[:, 1]))
    weight = rng.gamma(2.0, 1.0, x.shape[0])

    def fit() -> np.ndarray:
        model = HistGradientBoostingRegressor(loss="poisson", max_iter=30, random_state=0)
        return model.fit(x, y, sample_weight=weight).predict(x)

    plain = fit()
    with one_pass_binning():
        one_pass = fit()
    np.testing.assert_array_equal(one_pass, plain)
