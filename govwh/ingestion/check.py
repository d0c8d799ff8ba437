"""Try a mapping on an export as a real load would, loading nothing (`govwh mapping check`).

The check is the loader itself (loader.load_files with dry_run=True) against the warehouse a
load would write — its transaction rolled back instead of committed — so its counts are a
load's counts: the same rules, and duplicates of rows already loaded counted too. Without a
warehouse file it runs against a temporary empty one. Personal identifiers are hashed with
the configured key when there is one, else with a throwaway key: the hashes are never kept
nor shown.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from govwh.ingestion.loader import FileLoad, load_files
from govwh.ingestion.pseudonymise import PII_KEY_ENV, PseudonymisationKey
from govwh.ingestion.schemas import SOURCES
from govwh.warehouse.connection import connect


@dataclass(frozen=True)
class CheckResult:
    """One file's dry run, and what it ran against."""

    file: FileLoad
    source: str
    warehouse: Path | None  # None: a temporary empty warehouse (there was none)
    raw_rows: int  # rows the raw table holds (unchanged by the check)


def check_key(environ: dict[str, str]) -> PseudonymisationKey:
    """The configured key, else a throwaway one (a dry run keeps no hash)."""
    secret = environ.get(PII_KEY_ENV) or secrets.token_hex(32)
    return PseudonymisationKey.from_secret(secret)


def check_file(
    path: Path,
    source: str,
    mapping_path: Path | None,
    warehouse: Path,
    key: PseudonymisationKey,
) -> CheckResult:
    """Dry-run the load of `path` as `source` with `mapping_path` against `warehouse`."""
    schema = SOURCES[source]
    if warehouse.exists():
        with connect(warehouse) as connection:
            result = load_files(connection, schema, [path], key, mapping_path, dry_run=True)
        return CheckResult(result.files[0], source, warehouse, result.rows)
    with tempfile.TemporaryDirectory(prefix="govwh-check-") as folder:
        with connect(Path(folder) / "govwh.duckdb") as connection:
            result = load_files(connection, schema, [path], key, mapping_path, dry_run=True)
        return CheckResult(result.files[0], source, None, result.rows)
