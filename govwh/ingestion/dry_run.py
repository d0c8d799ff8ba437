"""What a dry run of the loader keeps of a file before it rolls the batch back.

`load_files(..., dry_run=True)` (loader.py) runs the real load of a batch — typing, every
rule, duplicates against the raw table, the insert — in its transaction, then rolls it back
instead of committing: nothing is loaded and no manifest row written. Before the rollback it
captures, per file, the issues by reason (the same rows a load would quarantine) and a sample
of the typed rows, personal identifiers masked. `govwh mapping check` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from govwh.ingestion.parsing import TYPED
from govwh.ingestion.rules import ISSUES
from govwh.ingestion.schemas import SourceSchema

SAMPLE_ROWS = 10
HIDDEN = "<personal data>"  # what a sample shows of a personal identifier


@dataclass(frozen=True)
class IssueCount:
    """Rows of one file with one problem: a load would reject (or flag) them."""

    reason_code: str
    column: str | None
    action: str  # rejected | flagged
    rows: int
    example: str | None = None  # one value as the quarantine would show it


@dataclass(frozen=True)
class DryRunReport:
    """One file's dry run: its columns, its issues, the first typed rows."""

    columns: dict[str, str]  # canonical column -> the file's header
    issues: tuple[IssueCount, ...]
    sample: pl.DataFrame  # `row` (the file's row number), `issues`, the canonical columns

    def rows(self, action: str) -> dict[str, int]:
        """Rows by reason code for `action` (a row breaking two rules counts under both)."""
        counted: dict[str, int] = {}
        for issue in self.issues:
            if issue.action == action:
                counted[issue.reason_code] = counted.get(issue.reason_code, 0) + issue.rows
        return counted


def capture(
    connection: duckdb.DuckDBPyConnection,
    source: SourceSchema,
    file_index: int,
    columns: dict[str, str],
    pii: tuple[str, ...],
) -> DryRunReport:
    """The report of the batch's file `file_index`, read from TYPED and ISSUES inside the
    batch's transaction (before its rollback)."""
    issues = connection.execute(
        f"select reason_code, column_name, action, count(distinct _row_number), min(value) "
        f"from {ISSUES} where _file = ? group by all "
        "order by action desc, 4 desc, reason_code, column_name",
        [file_index],
    ).fetchall()
    shown = ", ".join(
        f'case when typed."{c}" is null then null else \'{HIDDEN}\' end as "{c}"'
        if c in pii
        else f'typed."{c}"'
        for c in source.columns
    )
    sample = connection.sql(
        f"""
        select typed._row_number as row, problems.codes as issues, {shown}
        from {TYPED} as typed
        left join (
            select _row_number, string_agg(distinct reason_code, ', ' order by reason_code)
                as codes
            from {ISSUES} where _file = $file group by all
        ) as problems on problems._row_number = typed._row_number
        where typed._file = $file
        order by typed._row_number
        limit {SAMPLE_ROWS}
        """,
        params={"file": file_index},
    ).pl()
    return DryRunReport(
        dict(columns),
        tuple(IssueCount(str(r), c, str(a), int(n), e) for r, c, a, n, e in issues),
        sample,
    )
