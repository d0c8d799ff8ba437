"""The city's configuration (regions, departments, halls, targets, labour costs, service
levels) checked and loaded into the warehouse's `city` schema before every build.

The dbt sources of schema `city` carry this asset's key, so every model that reads the city
configuration runs after it. A folder with a problem fails the asset, naming each file, line
and column; the warehouse keeps the last good configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from dagster import AssetKey, AssetSpec, Failure, MaterializeResult, MetadataValue, multi_asset

from dagster_project.resources import CityFolder, DuckDBWarehouse
from govwh.city.files import CITY_TABLES, PROFILE_TABLE
from govwh.city.gaps import configuration_gaps
from govwh.city.load import load_city
from govwh.city.read import CityConfigError, calendar_years, read_city
from govwh.settings import CALENDAR_SEED

CITY_TABLE_KEYS = {
    table: AssetKey(table.split(".")) for table in (*(t.table for t in CITY_TABLES), PROFILE_TABLE)
}


@multi_asset(
    name="city_configuration",
    specs=[
        AssetSpec(
            key,
            group_name="ingestion",
            kinds={"duckdb"},
            description=f"{table} from the city's configuration folder (GOVWH_CITY_DIR; the "
            "demo city by default), checked and loaded with the folder's other tables.",
        )
        for table, key in CITY_TABLE_KEYS.items()
    ],
)
def city_configuration(warehouse: DuckDBWarehouse, city: CityFolder) -> Iterator[MaterializeResult]:
    try:
        config = read_city(city.folder, calendar_years(CALENDAR_SEED))
    except CityConfigError as error:
        raise Failure(
            description=str(error),
            metadata={"folder": MetadataValue.path(str(city.folder))},
        ) from error
    with warehouse.connect() as connection:
        rows = load_city(connection, config)
    gaps = MetadataValue.md("\n".join(f"- {gap}" for gap in configuration_gaps(config)) or "none")
    common = {
        "city": MetadataValue.text(f"{config.profile.name} ({config.profile.region_code})"),
        "folder": MetadataValue.path(str(config.folder)),
        "checksum": MetadataValue.text(config.checksum[:12]),
    }
    for table, key in CITY_TABLE_KEYS.items():
        name = table.split(".")[1]
        yield MaterializeResult(
            asset_key=key,
            metadata={
                **common,
                "dagster/row_count": MetadataValue.int(rows.get(name, 1)),
                **({"gaps": gaps} if table == PROFILE_TABLE else {}),
            },
        )
