"""Ingestion assets: the landing files of each source appended to the raw schema.

One asset per source, keyed raw/<source> so that dagster-dbt links them to the dbt sources
of the same key. Each new file is loaded whole or not at all (landing/loader.py); a file
loaded before (same checksum) is skipped. The catalogue loads before the cases, so that a
case's item code can be checked against it. A file that cannot be read at all fails the
asset after the other files are loaded, naming the file and the reason.
"""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.ingestion.checks import CHECKED_FROM
from dagster_project.resources import DuckDBWarehouse, LandingFolder
from govwh.ingestion.loader import (
    LandingFilesMissingError,
    LoadResult,
    ensure_raw_table,
    landing_files,
    load_files,
)
from govwh.ingestion.ops import ensure_ops_tables
from govwh.ingestion.pseudonymise import PseudonymisationKey
from govwh.ingestion.schemas import SOURCES, SourceSchema

DEMO_MARKER = "_generation.json"  # written by the demo generator: the data is fake
# the cases are checked against the catalogue: it loads first
UPSTREAM: dict[str, list[AssetKey]] = {
    "case_logs": [AssetKey(["raw", "service_items"])],
    # a material is checked against its guide: the guides load first
    "service_guide_materials": [AssetKey(["raw", "service_guides"])],
}


def load_metadata(result: LoadResult, landing_folder: str) -> dict[str, MetadataValue]:
    """Counts of files and rows for the asset's materialization."""
    period = f"{result.first} … {result.last}" if result.first else "no rows"
    new = [f for f in result.files if f.status in ("loaded", "empty")]
    first_new = min((f.loaded_at for f in new if f.loaded_at is not None), default=None)
    return {
        "dagster/row_count": MetadataValue.int(result.rows),
        "files_seen": MetadataValue.int(len(result.files)),
        "files_loaded": MetadataValue.int(len(new)),
        "files_skipped": MetadataValue.int(result.count("skipped")),
        "files_failed": MetadataValue.int(len(result.failed)),
        "rows_read": MetadataValue.int(result.total("rows_read")),
        "rows_loaded": MetadataValue.int(result.total("rows_loaded")),
        "rows_rejected": MetadataValue.int(result.total("rows_rejected")),
        "rows_flagged": MetadataValue.int(result.total("rows_flagged")),
        "new_files": MetadataValue.text(", ".join(f.path.name for f in new) or "none"),
        "date_range": MetadataValue.text(period),
        "table": MetadataValue.text(result.table),
        "landing_folder": MetadataValue.path(landing_folder),
        # where the raw checks of this run start (checks.checked_from)
        CHECKED_FROM: MetadataValue.text(first_new.isoformat() if first_new else "nothing"),
    }


def _ingestion_asset(source: SourceSchema) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", source.name]),
        deps=UPSTREAM.get(source.name, []),
        group_name="ingestion",
        kinds={"duckdb"},
        description=f"New landing files of {source.name} appended to {source.raw_table} "
        "(mapped to the canonical columns, validated, personal identifiers pseudonymised); "
        "rejected rows in ops.load_quarantine, every file in ops.load_manifest.",
    )
    def ingest(warehouse: DuckDBWarehouse, landing: LandingFolder) -> MaterializeResult:
        try:
            files = landing_files(landing.folder, source)
        except LandingFilesMissingError as missing:
            # a city without this source: an empty raw table, so every other mart builds
            with warehouse.connect() as connection:
                ensure_ops_tables(connection)
                ensure_raw_table(connection, source)
                rows = connection.execute(f"select count(*) from {source.raw_table}").fetchone()
            return MaterializeResult(
                metadata={
                    "dagster/row_count": MetadataValue.int(int(rows[0]) if rows else 0),
                    "files_seen": MetadataValue.int(0),
                    "source_status": MetadataValue.text(str(missing)),
                    "table": MetadataValue.text(source.raw_table),
                }
            )
        key = PseudonymisationKey.from_env(demo=(landing.folder / DEMO_MARKER).exists())
        # A short-lived connection: dbt needs the file to itself once this step is done.
        with warehouse.connect() as connection:
            result = load_files(connection, source, files, key)
        metadata = load_metadata(result, str(landing.folder / source.name))
        if result.failed:
            reasons = "\n".join(f"{f.path}: {f.error}" for f in result.failed)
            raise Failure(
                description=f"{len(result.failed)} {source.name} file(s) could not be loaded "
                f"(the others were):\n{reasons}",
                metadata=metadata,
            )
        return MaterializeResult(metadata=metadata)

    return ingest


ingestion_assets = [_ingestion_asset(source) for source in SOURCES.values()]
