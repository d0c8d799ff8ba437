"""Read-only access for analysts: SQL on the serving copy and the dbt documentation site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from govwh.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, Settings, dbt_executable
from govwh.warehouse.connection import connect


class ServingCopyMissingError(FileNotFoundError):
    """No serving copy has been published yet."""


def open_serving_copy(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the serving copy: analysts can never change a number."""
    if not settings.serving_path.exists():
        raise ServingCopyMissingError(
            f"no serving copy at {settings.serving_path}: run `govwh build` (or `make demo`) first"
        )
    return connect(settings.serving_path, read_only=True)


def run_query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one query on the serving copy."""
    with open_serving_copy(settings) as connection:
        relation = connection.sql(sql)
        if relation is None:  # a statement without a result (e.g. SET)
            return [], []
        return list(relation.columns), relation.fetchall()


def interactive_shell(
    settings: Settings,
    show: Callable[[list[str], list[tuple]], None],
    read_line: Callable[[str], str] = input,
) -> None:
    """A minimal read-only SQL prompt; statements end with ';', an empty line or EOF quits."""
    with open_serving_copy(settings) as connection:
        buffer: list[str] = []
        while True:
            try:
                line = read_line("govwh> " if not buffer else "   ...> ")
            except EOFError:
                return
            if not line.strip() and not buffer:
                return
            buffer.append(line)
            if line.rstrip().endswith(";"):
                statement = "\n".join(buffer)
                buffer.clear()
                try:
                    relation = connection.sql(statement)
                    if relation is not None:
                        show(list(relation.columns), relation.fetchall())
                except duckdb.Error as error:
                    print(f"error: {error}", file=sys.stderr)


def _dbt(*args: str) -> list[str]:
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
    ]


def generate_docs(settings: Settings) -> Path:
    """Generate the dbt documentation site with the column types of the serving copy.

    dbt opens its database for writing, so it reads a private copy of the serving file: the
    docs neither block a running build nor the dashboards reading the serving copy.
    """
    if not settings.serving_path.exists():
        raise ServingCopyMissingError(
            f"no serving copy at {settings.serving_path}: run `govwh build` (or `make demo`) first"
        )
    with tempfile.TemporaryDirectory(prefix="govwh-docs-") as scratch:
        catalogue_source = Path(scratch) / "catalogue.duckdb"
        shutil.copy(settings.serving_path, catalogue_source)
        subprocess.run(
            _dbt("docs", "generate"),
            env={**os.environ, "GOVWH_WAREHOUSE": str(catalogue_source)},
            check=True,
        )
    return DBT_PROJECT_DIR / "target" / "index.html"


def serve_docs(settings: Settings, port: int = 8080) -> None:
    """Serve the generated site on 127.0.0.1 (blocks until interrupted)."""
    subprocess.run(
        _dbt("docs", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-browser"),
        env={**os.environ, **settings.dbt_env()},
        check=True,
    )
