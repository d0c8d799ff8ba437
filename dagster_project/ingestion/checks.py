"""Asset checks on the raw tables: data quality before dbt runs on them.

They block: dbt does not build on a raw table that has duplicate keys, misses required values
or whose rows do not add up with the load manifest (rows read = rows loaded + rows rejected,
for every file; the raw table and the quarantine hold what the manifest says). An empty raw
table is a warning, not a block: a city without that source builds every other mart. The dbt
data tests arrive as asset checks through dagster-dbt.

The checks look at the rows the run loaded (from the earliest `_loaded_at` of its files, which
the asset reports as `checked_from`): every row was checked in the run that loaded it, so a
daily run checks one day's rows, not the whole history again. A check run on its own (not
after its asset in the same run) checks the whole table.
"""

# No `from __future__ import annotations`: Dagster reads the context annotation at runtime.
import datetime as dt

from dagster import (
    AssetCheckExecutionContext,
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

CHECKED_FROM = "checked_from"  # the asset's metadata: _loaded_at of the run's first new file
EVERYTHING = None  # scope: the whole table


def _scalar(warehouse: DuckDBWarehouse, sql: str) -> int:
    with warehouse.connect(read_only=True) as connection:
        return int(connection.execute(sql).fetchall()[0][0])


def checked_from(context: AssetCheckExecutionContext, asset_key: AssetKey) -> dt.datetime | str:
    """Where this run's new rows of the asset start: a `_loaded_at`, "nothing" when the run
    loaded no file, EVERYTHING when the asset did not materialize in this run."""
    event = context.instance.get_latest_materialization_event(asset_key)
    run_id = context.run.run_id
    if event is None or event.run_id != run_id or event.asset_materialization is None:
        return EVERYTHING
    value = event.asset_materialization.metadata.get(CHECKED_FROM)
    text = getattr(value, "value", None)
    if not text:
        return EVERYTHING
    return "nothing" if text == "nothing" else dt.datetime.fromisoformat(text)


def scope_filter(scope: dt.datetime | str | None, column: str = "_loaded_at") -> str:
    """A WHERE condition on `column` for the scope (a literal, so DuckDB skips the row groups
    loaded before it by their min/max)."""
    if scope is EVERYTHING:
        return "true"
    if scope == "nothing":
        return "false"
    return f"{column} >= timestamp '{scope.isoformat(sep=' ')}'"


def _scope_text(scope: dt.datetime | str | None) -> str:
    if scope is EVERYTHING:
        return "the whole table"
    if scope == "nothing":
        return "no new rows in this run (each row was checked when it was loaded)"
    return f"the rows loaded from {scope.isoformat(sep=' ')}"


def _raw_checks(source: SourceSchema) -> list[AssetChecksDefinition]:
    asset_key = AssetKey(["raw", source.name])

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
    def key_is_unique(
        context: AssetCheckExecutionContext, warehouse: DuckDBWarehouse
    ) -> AssetCheckResult:
        scope = checked_from(context, asset_key)
        duplicates = _scalar(warehouse, duplicate_keys_sql(source, scope))
        return AssetCheckResult(
            passed=duplicates == 0,
            description=f"checked: {_scope_text(scope)}",
            metadata={"duplicate_keys": duplicates},
        )

    @asset_check(
        asset=asset_key,
        name="required_columns_filled",
        description=f"No null in the required columns of {source.raw_table}: "
        f"{', '.join(source.required)}.",
        blocking=True,
    )
    def required_columns_filled(
        context: AssetCheckExecutionContext, warehouse: DuckDBWarehouse
    ) -> AssetCheckResult:
        scope = checked_from(context, asset_key)
        with warehouse.connect(read_only=True) as connection:
            row = connection.execute(null_counts_sql(source, scope)).fetchone()
        nulls = dict(zip(source.required, (int(n) for n in row or ()), strict=True))
        missing = {column: n for column, n in nulls.items() if n}
        return AssetCheckResult(
            passed=not missing,
            description=f"checked: {_scope_text(scope)}",
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
    def rows_conserved(
        context: AssetCheckExecutionContext, warehouse: DuckDBWarehouse
    ) -> AssetCheckResult:
        scope = checked_from(context, asset_key)
        with warehouse.connect(read_only=True) as connection:
            violations = connection.execute(
                conservation_sql(source, scope), [source.name]
            ).fetchall()
        return AssetCheckResult(
            passed=not violations,
            description="; ".join(f"{name}: {problem}" for name, problem in violations[:20])
            or f"every file adds up (checked: {_scope_text(scope)})",
            metadata={"files_not_adding_up": MetadataValue.int(len(violations))},
        )

    return [has_rows, key_is_unique, required_columns_filled, rows_conserved]


def duplicate_keys_sql(source: SourceSchema, scope: dt.datetime | str | None = EVERYTHING) -> str:
    """How many keys of the scope's rows occur more than once in the whole raw table (a new
    row may repeat a key loaded long before)."""
    key_columns = ", ".join(f'"{c}"' for c in source.key)
    return f"""
        with new_keys as (
            select distinct {key_columns} from {source.raw_table} where {scope_filter(scope)}
        )
        select count(*) from (
            select {key_columns} from {source.raw_table} semi join new_keys using ({key_columns})
            group by all having count(*) > 1
        )"""


def null_counts_sql(source: SourceSchema, scope: dt.datetime | str | None = EVERYTHING) -> str:
    """One row: the nulls in each required column among the scope's rows."""
    counts = ", ".join(f'count(*) filter (where "{c}" is null) as "{c}"' for c in source.required)
    return f"select {counts} from {source.raw_table} where {scope_filter(scope)}"


def conservation_sql(source: SourceSchema, scope: dt.datetime | str | None = EVERYTHING) -> str:
    """(file, problem) for each loaded file of `source` whose rows do not add up ($1 = name),
    among the files of `scope` (see `checked_from`)."""
    return f"""
        with manifest as (
            select * from {MANIFEST}
            where source = $1 and status = 'loaded' and {scope_filter(scope, "loaded_at")}
        ),
        in_raw as (
            select _source_file, _loaded_at, count(*) as rows
            from {source.raw_table} where {scope_filter(scope)} group by all
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
