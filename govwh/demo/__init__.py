"""The generated demo city: the embedded default the product and its tests run on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govwh.demo.generator import GenerationSummary, generate_demo_city

__all__ = ["GenerationSummary", "generate_demo_city"]


def __getattr__(name: str) -> Any:
    # imported on first use, so that `python -m govwh.demo.seedgen` stays light
    if name in __all__:
        from govwh.demo import generator

        return getattr(generator, name)
    raise AttributeError(name)
