"""Ingestion assets: the landing files of each source loaded into the raw schema.

One asset per source, keyed raw/<source> so that dagster-dbt links them to the dbt sources
of the same key. The loading itself lives in landing/loader.py, apart from Dagster.
"""

from __future__ import annotations

from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from dagster_project.landing.loader import landing_files, load_source
from dagster_project.landing.pseudonymise import PseudonymisationKey
from dagster_project.landing.schemas import SOURCES, SourceSchema
from dagster_project.resources import DuckDBWarehouse, LandingFolder

DEMO_MARKER = "_generation.json"  # written by the demo generator: the data is fake


def _ingestion_asset(source: SourceSchema) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", source.name]),
        group_name="ingestion",
        kinds={"duckdb", "parquet"},
        description=f"Landing files of {source.name} loaded into {source.raw_table} "
        "(canonical columns, personal identifiers pseudonymised).",
    )
    def ingest(warehouse: DuckDBWarehouse, landing: LandingFolder) -> MaterializeResult:
        files = landing_files(landing.folder, source)
        key = PseudonymisationKey.from_env(demo=(landing.folder / DEMO_MARKER).exists())
        # A short-lived connection: dbt needs the file to itself once this step is done.
        with warehouse.connect() as connection:
            result = load_source(connection, source, files, key)
        period = f"{result.first} … {result.last}" if result.first else "no rows"
        return MaterializeResult(
            metadata={
                "dagster/row_count": MetadataValue.int(result.rows),
                "files": MetadataValue.int(len(result.files)),
                "file_names": MetadataValue.text(", ".join(f.name for f in result.files)),
                "date_range": MetadataValue.text(period),
                "table": MetadataValue.text(result.table),
                "landing_folder": MetadataValue.path(str(landing.folder / source.name)),
            }
        )

    return ingest


ingestion_assets = [_ingestion_asset(source) for source in SOURCES.values()]
