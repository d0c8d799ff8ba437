"""Charts drawn into the bulletin as inline SVG (no files, no network)."""

from __future__ import annotations

import io
import logging
from types import ModuleType
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

# Text stays text in the SVG (svg.fonttype none): the browser renders it with a CJK font.
_STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["WenQuanYi Zen Hei", "Noto Sans CJK SC", "DejaVu Sans"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
}


def _pyplot() -> ModuleType:
    """matplotlib, headless, imported when a chart is drawn: it takes over a second, and the
    Dagster definitions (loaded by every job run) import this module."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as pyplot

    # the CJK font has a single weight; matplotlib would warn about it on every chart
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _register_cjk_fonts()
    return pyplot


def _register_cjk_fonts() -> None:
    """Make the CJK fonts of the system known to matplotlib. Its font cache lists the fonts
    present when it was first built: a font installed later (the Makefile's fonts-wqy-zenhei)
    is otherwise never used, and every Chinese glyph falls back to DejaVu Sans with a warning."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    if known & set(_STYLE["font.sans-serif"][:-1]):
        return
    for path in font_manager.findSystemFonts():
        if any(mark in path.lower() for mark in ("wqy", "notosanscjk", "noto-cjk")):
            font_manager.fontManager.addfont(path)


def _svg(figure: plt.Figure) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog so it can sit inside HTML


def trend_chart(trend: pl.DataFrame) -> str:
    """Weekly city-wide trend of the demand headline metrics (percent)."""
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 2.6))
        for (name,), series in trend.group_by("metric_name_zh", maintain_order=True):
            axes.plot(
                series["week_start"].to_list(),
                (series["metric_value"] * 100).to_list(),
                marker="o",
                markersize=3,
                label=name,
            )
        axes.set_ylabel("%")
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False, fontsize=8
        )
        axes.grid(axis="y", alpha=0.3)
        figure.autofmt_xdate()
        return _svg(figure)


def ranking_chart(ranking: pl.DataFrame, title: str) -> str:
    """Composite scores of every ranked unit, best at the top."""
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        height = max(2.0, 0.22 * ranking.height + 0.6)
        figure, axes = plt.subplots(figsize=(7.5, height))
        ordered = ranking.sort("score_rank", descending=True)
        colours = [
            "#c0392b" if rank > ordered.height - 5 else "#2e86c1"
            for rank in ordered["score_rank"].to_list()
        ]
        axes.barh(
            ordered["name"].to_list(), (ordered["composite_score"] * 100).to_list(), color=colours
        )
        axes.set_xlabel("综合得分（百分制）composite score (0–100)")
        axes.set_title(title, loc="left")
        low = float(ordered["composite_score"].min() or 0) * 100
        axes.set_xlim(max(0.0, low - 5), 100)
        return _svg(figure)
