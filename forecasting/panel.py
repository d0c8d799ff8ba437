"""A dense panel of daily series on the calendar: the one shape every model here reads.

Any case log works once it is a polars frame ``(series_id, date, y)`` (an absent row is 0),
optionally with a ``group`` column per series (e.g. the channel group) the model may use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from forecasting.calendar import calendar_features, normalise_calendar, require_covered


@dataclass(frozen=True)
class Panel:
    """Series × day matrix on consecutive calendar days, with the calendar aligned to it."""

    series_ids: tuple[str, ...]
    groups: tuple[str, ...]
    start: date
    values: np.ndarray  # shape (n_series, n_days), float64, zeros where nothing arrived
    features: pl.DataFrame  # calendar features, one row per day of the panel (+ future days)
    workday: np.ndarray  # bool per day of ``features``

    @property
    def n_days(self) -> int:
        return self.values.shape[1]

    @property
    def last_date(self) -> date:
        return self.start + timedelta(days=self.n_days - 1)

    def day_index(self, day: date) -> int:
        return (day - self.start).days

    def date_at(self, index: int) -> date:
        return self.start + timedelta(days=int(index))

    def truncated(self, last: date) -> Panel:
        """The panel as it was known at the end of ``last`` (for backtests)."""
        keep = self.day_index(last) + 1
        return Panel(
            self.series_ids,
            self.groups,
            self.start,
            self.values[:, :keep],
            self.features,
            self.workday,
        )

    def to_frame(self) -> pl.DataFrame:
        dates = pl.date_range(self.start, self.last_date, "1d", eager=True)
        return pl.DataFrame(
            {
                "series_id": np.repeat(np.array(self.series_ids), self.n_days),
                "date": pl.concat([dates] * len(self.series_ids)),
                "y": self.values.ravel(),
            }
        )


def build_panel(
    observations: pl.DataFrame,
    calendar: pl.DataFrame,
    *,
    start: date | None = None,
    end: date | None = None,
    future_days: int = 0,
) -> Panel:
    """Dense panel from ``(series_id, date, y[, group])``; days without a row count 0.

    ``end`` is the last observed day (default: the last date in the data); the calendar must
    cover ``start … end + future_days`` or a ``ValueError`` says which dates are missing.
    """
    if observations.is_empty():
        raise ValueError("no observations to forecast from")
    obs = observations.with_columns(pl.col("date").cast(pl.Date), pl.col("y").cast(pl.Float64))
    first = start or obs["date"].min()
    last = end or obs["date"].max()
    assert isinstance(first, date) and isinstance(last, date)
    cal = normalise_calendar(calendar)
    require_covered(cal, first, last + timedelta(days=future_days))
    obs = obs.filter(pl.col("date").is_between(first, last))

    if "group" in obs.columns:
        meta = obs.group_by("series_id").agg(pl.col("group").first()).sort("series_id")
    else:
        meta = obs.select("series_id").unique().sort("series_id").with_columns(group=pl.lit(""))
    ids = meta["series_id"].cast(pl.String).to_list()
    pos = {s: i for i, s in enumerate(ids)}
    n_days = (last - first).days + 1
    values = np.zeros((len(ids), n_days))
    summed = obs.group_by("series_id", "date").agg(pl.col("y").sum())
    rows = summed["series_id"].cast(pl.String).replace_strict(pos, return_dtype=pl.Int64)
    values[rows.to_numpy(), (summed["date"].to_numpy() - np.datetime64(first, "D")).astype(int)] = (
        summed["y"].to_numpy()
    )
    feats = calendar_features(cal).filter(
        pl.col("calendar_date").is_between(first, last + timedelta(days=future_days))
    )
    return Panel(
        series_ids=tuple(ids),
        groups=tuple(meta["group"].cast(pl.String).fill_null("").to_list()),
        start=first,
        values=values,
        features=feats,
        workday=feats["is_workday"].to_numpy().astype(bool),
    )
