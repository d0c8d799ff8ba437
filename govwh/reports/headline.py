"""The headline metrics of the latest month, read back from the marts.

Every figure is a ratio of summed numerators and denominators across the mart's rows (never
an average of rates), as the metric dictionary requires for roll-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govwh.warehouse.connection import connect


@dataclass(frozen=True)
class HeadlineMetric:
    name_en: str
    name_zh: str
    period: dt.date  # first day of the month the figure describes
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def formatted(self) -> str:
        value = "n/a" if self.value is None else f"{self.value:.1%}"
        return (
            f"{self.name_zh} {self.name_en} ({self.period:%Y-%m}): {value} "
            f"({self.numerator:,} / {self.denominator:,})"
        )


# metric → (mart, numerator column, denominator column)
_HEADLINES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "online-available rate",
        "网上可办率",
        "marts.mart_online_available_rate_monthly",
        "online_available_items",
        "active_items",
    ),
    (
        "on-time completion rate",
        "按时办结率",
        "marts.mart_case_completion_monthly",
        "on_time_cases",
        "completed_cases",
    ),
    (
        "one-trip rate",
        "最多跑一次实现率",
        "marts.mart_case_completion_monthly",
        "one_trip_cases",
        "completed_cases",
    ),
)


def headline_metrics(warehouse_path: Path) -> list[HeadlineMetric]:
    """City-wide headline metrics of the latest month in each mart (read-only)."""
    metrics: list[HeadlineMetric] = []
    with connect(warehouse_path, read_only=True) as connection:
        for name_en, name_zh, mart, numerator, denominator in _HEADLINES:
            row = connection.execute(
                f"""
                select month_start, sum({numerator}), sum({denominator})
                from {mart}
                where month_start = (select max(month_start) from {mart})
                group by month_start
                """
            ).fetchone()
            if row is None:
                continue
            period, num, den = row
            metrics.append(HeadlineMetric(name_en, name_zh, period, int(num), int(den)))
    return metrics
