"""Load a checked city configuration into the warehouse's `city` schema, whole or not at all."""

from __future__ import annotations

import duckdb
import polars as pl

from govwh.city.files import CITY_TABLES, PROFILE_TABLE
from govwh.city.read import CityConfig


def load_city(connection: duckdb.DuckDBPyConnection, config: CityConfig) -> dict[str, int]:
    """Replace every table of schema `city` with the folder's, in one transaction; return the
    rows per table. The previous configuration stays if anything fails."""
    profile = config.profile
    profile_row = pl.DataFrame(
        {
            "city_name": [profile.name],
            "city_name_en": [profile.name_en],
            "city_region_code": [profile.region_code],
            "calendar_first_year": [profile.calendar_first_year],
            "calendar_last_year": [profile.calendar_last_year],
            "issuing_office": [profile.issuing_office],
            "config_dir": [str(config.folder)],
            "config_checksum": [config.checksum],
        },
        schema_overrides={
            "calendar_first_year": pl.Int32,
            "calendar_last_year": pl.Int32,
            "issuing_office": pl.String,
        },
    )
    rows: dict[str, int] = {}
    connection.execute("create schema if not exists city")
    connection.execute("begin transaction")
    try:
        for table in CITY_TABLES:
            _replace(connection, table.table, config.tables[table.name].select(list(table.columns)))
            rows[table.name] = config.tables[table.name].height
        _replace(connection, PROFILE_TABLE, profile_row)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return rows


def _replace(connection: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    connection.register("_city_rows", frame.to_arrow())
    try:
        connection.execute(f"create or replace table {table} as select * from _city_rows")
    finally:
        connection.unregister("_city_rows")


def loaded_checksum(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The checksum of the configuration in the warehouse (None before the first load)."""
    schema, name = PROFILE_TABLE.split(".")
    (present,) = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()[0]
    if not present:
        return None
    rows = connection.execute(f"select config_checksum from {PROFILE_TABLE}").fetchall()
    return rows[0][0] if rows else None
