"""What the serving copy holds: tables that exist and the columns of a dataset's SQL.

Opened read-only, like Superset itself: never the main warehouse file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govwh.warehouse.connection import connect


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def is_temporal(self) -> bool:
        return self.type.upper().startswith(("DATE", "TIMESTAMP"))


class ServingCopy:
    """A read-only connection to the serving DuckDB file."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def existing_tables(self) -> set[str]:
        rows = self._connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
        return {str(row[0]) for row in rows}

    def error_of(self, sql: str) -> str | None:
        """Why `sql` does not run here (without fetching rows), or None when it does."""
        try:
            self._connection.execute(f"select * from ({sql}) limit 0").fetchall()
        except duckdb.Error as error:
            return str(error).splitlines()[0]
        return None

    def columns_of(self, sql: str) -> list[Column]:
        rows = self._connection.execute(f"describe ({sql})").fetchall()
        return [Column(str(row[0]), str(row[1])) for row in rows]


@contextmanager
def open_serving_copy(path: Path) -> Iterator[ServingCopy]:
    if not path.exists():
        raise FileNotFoundError(f"no serving copy at {path}: build the warehouse first")
    connection = connect(path, read_only=True)
    try:
        yield ServingCopy(connection)
    finally:
        connection.close()
