"""The bin thresholds of scikit-learn's gradient boosting with sample weights, in one pass.

scikit-learn 1.9 finds a weighted feature's 255 bin thresholds with one
``_weighted_percentile`` call per threshold, and each call sorts the whole column again: for
the arrival model (weighted rows, 22 continuous features) that was 5 of its 8 seconds of
fitting. ``_weighted_percentile`` takes every percentile in one call with one sort and
gives each the same value, so :func:`one_pass_binning` swaps the thresholds function for one
that does exactly that while a model fits (upstream scikit-learn/scikit-learn#34248 makes
the same change). The rest of the function is scikit-learn 1.9's; a test compares the two
on weighted, zero-weighted and missing values. Other versions keep their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import sklearn
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.ensemble._hist_gradient_boosting import binning
from sklearn.ensemble._hist_gradient_boosting.common import ALMOST_INF, X_DTYPE
from sklearn.utils.stats import _weighted_percentile

# the versions whose _find_binning_thresholds this module reproduces
PATCHED_VERSIONS = ("1.9.",)
binning_original = binning._find_binning_thresholds


def find_binning_thresholds(
    col_data: np.ndarray, max_bins: int, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """scikit-learn 1.9's ``_find_binning_thresholds`` with the weighted percentiles taken
    in one call."""
    if sample_weight is None:
        return binning_original(col_data, max_bins, None)
    missing_mask = np.isnan(col_data)
    if missing_mask.any():
        col_data = col_data[~missing_mask]
        sample_weight = sample_weight[~missing_mask]
    nonzero = sample_weight != 0
    col_data = col_data[nonzero]
    sample_weight = sample_weight[nonzero]
    sort_idx = np.argsort(col_data)
    col_data = col_data[sort_idx]
    sample_weight = sample_weight[sort_idx]
    distinct_values = np.unique(col_data).astype(X_DTYPE)
    if len(distinct_values) == 1:
        return np.asarray([])
    if len(distinct_values) <= max_bins:
        thresholds = sliding_window_view(distinct_values, 2).mean(axis=1)
    else:
        percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        thresholds = np.asarray(
            _weighted_percentile(col_data, sample_weight, percentiles, average=True)
        )
    unique = np.unique(thresholds)
    if unique.shape[0] != thresholds.shape[0]:
        thresholds = unique
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


@contextmanager
def one_pass_binning() -> Iterator[None]:
    """While inside, gradient boosting bins weighted features with
    :func:`find_binning_thresholds` (on the scikit-learn versions it reproduces)."""
    if not sklearn.__version__.startswith(PATCHED_VERSIONS):
        yield
        return
    binning._find_binning_thresholds = find_binning_thresholds
    try:
        yield
    finally:
        binning._find_binning_thresholds = binning_original
