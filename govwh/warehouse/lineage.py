"""Which landed sources each dbt model is built from, read from dbt's manifest.

A city that has not loaded a source gets empty marts wherever that source is needed; the CLI
uses this to say so next to each empty mart ("needs hall_tickets: none loaded") instead of
leaving an unexplained zero.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from govwh.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
RAW_SCHEMA = "raw"
# Parents a model reads only to add members, never needing them: dim_department adds the
# departments the consultations name, but a city without consultations still has every
# department it configures (and every mart downstream of dim_department builds).
OPTIONAL_PARENTS: dict[str, frozenset[str]] = {
    "dim_department": frozenset({"stg_hotline__consultations"}),
}


def model_sources(manifest_path: Path = MANIFEST) -> dict[str, frozenset[str]]:
    """Model name -> the raw tables (service_items, case_logs, hall_tickets) it reads, through
    any number of models in between; empty when the manifest is missing (never built)."""
    if not manifest_path.exists():
        return {}
    return dict(_model_sources(manifest_path, manifest_path.stat().st_mtime))


@cache
def _model_sources(manifest_path: Path, _mtime: float) -> tuple[tuple[str, frozenset[str]], ...]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    raw_sources = {
        unique_id: source["identifier"]
        for unique_id, source in manifest["sources"].items()
        if source["schema"] == RAW_SCHEMA
    }
    parents: dict[str, list[str]] = manifest["parent_map"]
    found: dict[str, frozenset[str]] = {}

    def sources_of(node: str) -> frozenset[str]:
        if node in raw_sources:
            return frozenset({raw_sources[node]})
        if node not in found:
            found[node] = frozenset()  # a cycle guard; dbt graphs have none
            optional = OPTIONAL_PARENTS.get(node.split(".")[-1], frozenset())
            needed = [p for p in parents.get(node, []) if p.split(".")[-1] not in optional]
            found[node] = frozenset().union(*(sources_of(p) for p in needed))
        return found[node]

    models = [node for node in parents if node.startswith("model.")]
    return tuple((node.split(".")[-1], sources_of(node)) for node in models)


def why_empty(model: str, absent: set[str], manifest_path: Path = MANIFEST) -> str | None:
    """Why `model` has no rows when the sources in `absent` have none: the absent sources it
    needs, in words; None when it needs none of them."""
    needed = sorted(model_sources(manifest_path).get(model, frozenset()) & absent)
    if not needed:
        return None
    return f"needs {', '.join(needed)}: none loaded"
