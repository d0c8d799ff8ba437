"""Asset checks on the raw tables: data quality before dbt runs on them.

They block: dbt does not build on a raw table that is empty, has duplicate keys or misses
required values. The dbt data tests arrive as asset checks through dagster-dbt.
"""

from __future__ import annotations

from dagster import AssetCheckResult, AssetChecksDefinition, AssetKey, asset_check

from dagster_project.landing.schemas import SOURCES, SourceSchema
from dagster_project.resources import DuckDBWarehouse


def _scalar(warehouse: DuckDBWarehouse, sql: str) -> int:
    with warehouse.connect(read_only=True) as connection:
        return int(connection.execute(sql).fetchall()[0][0])


def _raw_checks(source: SourceSchema) -> list[AssetChecksDefinition]:
    asset_key = AssetKey(["raw", source.name])
    key_columns = ", ".join(f'"{c}"' for c in source.key)

    @asset_check(
        asset=asset_key,
        name="has_rows",
        description=f"{source.raw_table} is not empty.",
        blocking=True,
    )
    def has_rows(warehouse: DuckDBWarehouse) -> AssetCheckResult:
        rows = _scalar(warehouse, f"select count(*) from {source.raw_table}")
        return AssetCheckResult(passed=rows > 0, metadata={"rows": rows})

    @asset_check(
        asset=asset_key,
        name="key_is_unique",
        description=f"({', '.join(source.key)}) identifies one row of {source.raw_table}.",
        blocking=True,
    )
    def key_is_unique(warehouse: DuckDBWarehouse) -> AssetCheckResult:
        duplicates = _scalar(
            warehouse,
            f"select count(*) from (select {key_columns} from {source.raw_table} "
            f"group by all having count(*) > 1)",
        )
        return AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_keys": duplicates})

    @asset_check(
        asset=asset_key,
        name="required_columns_filled",
        description=f"No null in the required columns of {source.raw_table}: "
        f"{', '.join(source.required)}.",
        blocking=True,
    )
    def required_columns_filled(warehouse: DuckDBWarehouse) -> AssetCheckResult:
        counts = ", ".join(
            f'count(*) filter (where "{c}" is null) as "{c}"' for c in source.required
        )
        with warehouse.connect(read_only=True) as connection:
            row = connection.execute(f"select {counts} from {source.raw_table}").fetchone()
        nulls = dict(zip(source.required, (int(n) for n in row or ()), strict=True))
        missing = {column: n for column, n in nulls.items() if n}
        return AssetCheckResult(
            passed=not missing,
            metadata={
                "null_values": sum(missing.values()),
                **{f"nulls_{c}": n for c, n in missing.items()},
            },
        )

    return [has_rows, key_is_unique, required_columns_filled]


raw_asset_checks = [check for source in SOURCES.values() for check in _raw_checks(source)]
