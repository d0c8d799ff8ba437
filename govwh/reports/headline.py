"""The headline metrics printed after a build: the registry's `cli_headline` metrics for the
city in the latest month with data, read from marts.mart_headline_latest (computed there)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govwh.warehouse.connection import connect


@dataclass(frozen=True)
class HeadlineMetric:
    metric_code: str
    name_en: str
    name_zh: str
    period: dt.date  # first day of the month the figure describes
    numerator: float
    denominator: float
    value: float | None
    display_format: str  # d3 format from the registry, e.g. ".1%"

    def formatted_value(self) -> str:
        if self.value is None:
            return "n/a"
        if self.display_format.endswith("%"):
            decimals = self.display_format.lstrip(",.").rstrip("%") or "1"
            return f"{self.value:.{int(decimals)}%}"
        return f"{self.value:,.3f}"

    def formatted(self) -> str:
        return (
            f"{self.name_zh} {self.name_en} ({self.period:%Y-%m}): {self.formatted_value()} "
            f"({self.numerator:,.0f} / {self.denominator:,.0f})"
        )


def headline_metrics(warehouse_path: Path) -> list[HeadlineMetric]:
    """The CLI's headline metrics, in registry order (read-only)."""
    with connect(warehouse_path, read_only=True) as connection:
        rows = connection.execute(
            """
            select metric_code, metric_name_en, metric_name_zh, period_start,
                   numerator, denominator, metric_value, display_format
            from marts.mart_headline_latest
            where shown_in_cli_headline
            order by display_order
            """
        ).fetchall()
    return [HeadlineMetric(*row) for row in rows]
