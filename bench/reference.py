"""The plain-DuckDB reference: bench/reference_headline_marts.sql, run and checked.

The script computes the headline marts straight from the raw tables into the schema
`bench_reference` (the seeds live in `reference`); `compare_with_marts` checks it row for
row against the marts the pipeline built, so that the two cannot drift apart and the speed
ratio compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from govwh.settings import REPO_ROOT

REFERENCE_SQL = REPO_ROOT / "bench" / "reference_headline_marts.sql"
REFERENCE_SCHEMA = "bench_reference"
# the marts the script reproduces, all in the schema `marts`
REFERENCE_MARTS = (
    "mart_case_metrics_daily",
    "mart_case_completion_monthly",
    "mart_online_available_rate_monthly",
    "mart_item_supply_by_period",
    "mart_hall_metrics_hourly",
)
BOOKKEEPING = frozenset({"_watermark", "_loaded_at", "_as_of_date", "_definition_hash"})


def run_reference(connection: duckdb.DuckDBPyConnection, script: Path = REFERENCE_SQL) -> None:
    """Execute the reference script on `connection` (seeds are read relative to the repo)."""
    connection.execute(f"set file_search_path = '{REPO_ROOT}'")
    connection.execute(script.read_text(encoding="utf-8"))


def reference_rows(connection: duckdb.DuckDBPyConnection) -> int:
    """Rows the reference wrote, over all its tables."""
    return sum(
        int(connection.execute(f"select count(*) from {REFERENCE_SCHEMA}.{mart}").fetchall()[0][0])
        for mart in REFERENCE_MARTS
    )


@dataclass(frozen=True)
class MartComparison:
    mart: str
    mart_rows: int
    reference_rows: int
    only_in_mart: list[tuple]
    only_in_reference: list[tuple]

    @property
    def equal(self) -> bool:
        return (
            self.mart_rows == self.reference_rows
            and not self.only_in_mart
            and not self.only_in_reference
        )


def _columns(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows if name not in BOOKKEEPING]


def _normalised_select(
    connection: duckdb.DuckDBPyConnection, relation: str, columns: list[str]
) -> str:
    """The columns of `relation`, doubles rounded to 1e-6 (float sums depend on the order
    DuckDB's threads add them in)."""
    schema, table = relation.split(".")
    types = dict(
        connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    )
    parts = [
        f'round("{c}", 6) as "{c}"' if types[c] in ("DOUBLE", "FLOAT") else f'"{c}"'
        for c in columns
    ]
    return f"select {', '.join(parts)} from {relation}"


def _difference(connection: duckdb.DuckDBPyConnection, left: str, right: str) -> list[tuple]:
    return connection.sql(f"select * from ({left} except all {right}) limit 5").fetchall()


def compare_with_marts(connection: duckdb.DuckDBPyConnection) -> list[MartComparison]:
    """Each reference table against its mart: same columns, same rows (doubles to 1e-6),
    computed in SQL so that it runs at city scale too."""
    comparisons = []
    for mart in REFERENCE_MARTS:
        columns = _columns(connection, "marts", mart)
        reference_columns = _columns(connection, REFERENCE_SCHEMA, mart)
        if sorted(columns) != sorted(reference_columns):
            differing = sorted(set(columns) ^ set(reference_columns))
            raise AssertionError(f"{mart}: columns differ from the reference's: {differing}")
        built = _normalised_select(connection, f"marts.{mart}", columns)
        reference = _normalised_select(connection, f"{REFERENCE_SCHEMA}.{mart}", columns)
        count = "select count(*) from {}"
        comparisons.append(
            MartComparison(
                mart=mart,
                mart_rows=int(connection.execute(count.format(f"marts.{mart}")).fetchall()[0][0]),
                reference_rows=int(
                    connection.execute(count.format(f"{REFERENCE_SCHEMA}.{mart}")).fetchall()[0][0]
                ),
                only_in_mart=_difference(connection, built, reference),
                only_in_reference=_difference(connection, reference, built),
            )
        )
    return comparisons
