"""Asset checks on the raw tables: data quality before dbt runs on them.

They block: dbt does not build on a raw table that has duplicate keys, misses required values
or whose rows do not add up with the load manifest (rows read = rows loaded + rows rejected,
for every file; the raw table and the quarantine hold what the manifest says). An empty raw
table is a warning, not a block: a city without that source builds every other mart. The dbt
data tests arrive as asset checks through dagster-dbt.
"""

from __future__ import annotations

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from dagster_project.resources import DuckDBWarehouse
from govwh.ingestion.ops import MANIFEST, QUARANTINE
from govwh.ingestion.schemas import SOURCES, SourceSchema


def _scalar(warehouse: DuckDBWarehouse, sql: str) -> int:
    with warehouse.connect(read_only=True) as connection:
        return int(connection.execute(sql).fetchall()[0][0])


def _raw_checks(source: SourceSchema) -> list[AssetChecksDefinition]:
    asset_key = AssetKey(["raw", source.name])
    key_columns = ", ".join(f'"{c}"' for c in source.key)

    @asset_check(
        asset=asset_key,
        name="has_rows",
        description=f"{source.raw_table} is not empty (a warning: without {source.name} its "
        "marts are empty, the others build).",
        blocking=True,
    )
    def has_rows(warehouse: DuckDBWarehouse) -> AssetCheckResult:
        rows = _scalar(warehouse, f"select count(*) from {source.raw_table}")
        return AssetCheckResult(
            passed=rows > 0,
            severity=AssetCheckSeverity.WARN,
            description=f"{source.raw_table} holds {rows:,} rows"
            if rows
            else f"no {source.name} loaded: the marts built on it are empty",
            metadata={"rows": rows},
        )

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

    @asset_check(
        asset=asset_key,
        name="rows_conserved",
        description=f"For every file loaded into {source.raw_table}: rows read = rows loaded "
        "+ rows rejected, and the raw table and ops.load_quarantine hold exactly those rows.",
        blocking=True,
    )
    def rows_conserved(warehouse: DuckDBWarehouse) -> AssetCheckResult:
        with warehouse.connect(read_only=True) as connection:
            violations = connection.execute(conservation_sql(source), [source.name]).fetchall()
        return AssetCheckResult(
            passed=not violations,
            description="; ".join(f"{name}: {problem}" for name, problem in violations[:20])
            or "every file adds up",
            metadata={"files_not_adding_up": MetadataValue.int(len(violations))},
        )

    return [has_rows, key_is_unique, required_columns_filled, rows_conserved]


def conservation_sql(source: SourceSchema) -> str:
    """(file, problem) for each loaded file of `source` whose rows do not add up ($1 = name)."""
    return f"""
        with manifest as (
            select * from {MANIFEST} where source = $1 and status = 'loaded'
        ),
        in_raw as (
            select _source_file, _loaded_at, count(*) as rows
            from {source.raw_table} group by all
        ),
        in_quarantine as (
            select load_id, count(distinct row_number) as rows
            from {QUARANTINE} where action = 'rejected' group by all
        )
        select file_name, 'read ' || rows_read || ' <> loaded ' || rows_loaded
            || ' + rejected ' || rows_rejected
        from manifest where rows_read <> rows_loaded + rows_rejected
        union all
        select file_name, 'manifest says ' || rows_loaded || ' rows loaded, raw holds '
            || coalesce(in_raw.rows, 0)
        from manifest left join in_raw
            on in_raw._source_file = manifest.file_name and in_raw._loaded_at = manifest.loaded_at
        where coalesce(in_raw.rows, 0) <> rows_loaded
        union all
        select file_name, 'manifest says ' || rows_rejected || ' rows rejected, quarantine holds '
            || coalesce(in_quarantine.rows, 0)
        from manifest left join in_quarantine using (load_id)
        where coalesce(in_quarantine.rows, 0) <> rows_rejected
        order by 1
    """


raw_asset_checks = [check for source in SOURCES.values() for check in _raw_checks(source)]
