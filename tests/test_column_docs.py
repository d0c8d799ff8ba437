"""docs/canonical-columns.md cannot drift from the schemas: every canonical column has its
meaning and its cost when absent, and the document is what the generator writes."""

from __future__ import annotations

from govwh.ingestion.column_docs import COLUMN_DOCS, DOCUMENT, render
from govwh.ingestion.schemas import SOURCES


def test_every_canonical_column_is_documented() -> None:
    for name, source in SOURCES.items():
        assert set(COLUMN_DOCS[name]) == set(source.columns), name
        for column in source.required:
            assert COLUMN_DOCS[name][column][1].startswith("Required") or (
                column == source.load_date_column
            ), column


def test_the_document_is_up_to_date() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        "run `python -m govwh.ingestion.column_docs`"
    )
