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
from collections.abc import Callable, Iterator
from typing import NamedTuple

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    multi_asset_check,
)

from dagster_project.resources import DuckDBWarehouse
from govwh.ingestion.ops import MANIFEST, QUARANTINE
from govwh.ingestion.schemas import SOURCES, SourceSchema

CHECKED_FROM = "checked_from"  # the asset's metadata: _loaded_at of the run's first new file
EVERYTHING = None  # scope: the whole table
# What a check looks at: rows loaded from a `_loaded_at` on, "nothing" or EVERYTHING
Scope = dt.datetime | str | None


def checked_from(context: AssetCheckExecutionContext, asset_key: AssetKey) -> Scope:
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


def scope_filter(scope: Scope, column: str = "_loaded_at") -> str:
    """A WHERE condition on `column` for the scope (a literal, so DuckDB skips the row groups
    loaded before it by their min/max)."""
    if scope is EVERYTHING:
        return "true"
    if scope == "nothing":
        return "false"
    return f"{column} >= timestamp '{scope.isoformat(sep=' ')}'"


def _scope_text(scope: Scope) -> str:
    if scope is EVERYTHING:
        return "the whole table"
    if scope == "nothing":
        return "no new rows in this run (each row was checked when it was loaded)"
    return f"the rows loaded from {scope.isoformat(sep=' ')}"


class Finding(NamedTuple):
    """What one check found (the check's result without its keys)."""

    passed: bool
    description: str
    metadata: dict[str, int]
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR


def _has_rows(connection: duckdb.DuckDBPyConnection, source: SourceSchema, scope: Scope) -> Finding:
    rows = int(connection.execute(f"select count(*) from {source.raw_table}").fetchall()[0][0])
    return Finding(
        passed=rows > 0,
        severity=AssetCheckSeverity.WARN,
        description=f"{source.raw_table} holds {rows:,} rows"
        if rows
        else f"no {source.name} loaded: the marts built on it are empty",
        metadata={"rows": rows},
    )


def _key_is_unique(
    connection: duckdb.DuckDBPyConnection, source: SourceSchema, scope: Scope
) -> Finding:
    duplicates = int(connection.execute(duplicate_keys_sql(source, scope)).fetchall()[0][0])
    return Finding(
        passed=duplicates == 0,
        description=f"checked: {_scope_text(scope)}",
        metadata={"duplicate_keys": duplicates},
    )


def _required_columns_filled(
    connection: duckdb.DuckDBPyConnection, source: SourceSchema, scope: Scope
) -> Finding:
    row = connection.execute(null_counts_sql(source, scope)).fetchone()
    nulls = dict(zip(source.required, (int(n) for n in row or ()), strict=True))
    missing = {column: n for column, n in nulls.items() if n}
    return Finding(
        passed=not missing,
        description=f"checked: {_scope_text(scope)}",
        metadata={
            "null_values": sum(missing.values()),
            **{f"nulls_{c}": n for c, n in missing.items()},
        },
    )


def _rows_conserved(
    connection: duckdb.DuckDBPyConnection, source: SourceSchema, scope: Scope
) -> Finding:
    violations = connection.execute(conservation_sql(source, scope), [source.name]).fetchall()
    return Finding(
        passed=not violations,
        description="; ".join(f"{name}: {problem}" for name, problem in violations[:20])
        or f"every file adds up (checked: {_scope_text(scope)})",
        metadata={"files_not_adding_up": len(violations)},
    )


class _RawCheck(NamedTuple):
    evaluate: Callable[[duckdb.DuckDBPyConnection, SourceSchema, Scope], Finding]
    describe: Callable[[SourceSchema], str]


RAW_CHECKS: dict[str, _RawCheck] = {
    "has_rows": _RawCheck(
        _has_rows,
        lambda source: (
            f"{source.raw_table} is not empty (a warning: without {source.name} "
            "its marts are empty, the others build)."
        ),
    ),
    "key_is_unique": _RawCheck(
        _key_is_unique,
        lambda source: f"({', '.join(source.key)}) identifies one row of {source.raw_table}.",
    ),
    "required_columns_filled": _RawCheck(
        _required_columns_filled,
        lambda source: (
            f"No null in the required columns of {source.raw_table}: {', '.join(source.required)}."
        ),
    ),
    "rows_conserved": _RawCheck(
        _rows_conserved,
        lambda source: (
            f"For every file loaded into {source.raw_table}: rows read = rows "
            "loaded + rows rejected, and the raw table and ops.load_quarantine hold exactly those "
            "rows."
        ),
    ),
}


def _raw_checks(source: SourceSchema) -> AssetChecksDefinition:
    """The source's checks in one step, on one read-only connection: a daily run opens the
    warehouse file once per source instead of once per check (each open reads its catalogue).
    Each check is still its own blocking check, and can be run alone."""
    asset_key = AssetKey(["raw", source.name])

    @multi_asset_check(
        name=f"raw__{source.name}_checks",
        specs=[
            AssetCheckSpec(name, asset=asset_key, description=check.describe(source), blocking=True)
            for name, check in RAW_CHECKS.items()
        ],
        can_subset=True,
    )
    def raw_checks(
        context: AssetCheckExecutionContext, warehouse: DuckDBWarehouse
    ) -> Iterator[AssetCheckResult]:
        scope = checked_from(context, asset_key)
        selected = {key.name for key in context.selected_asset_check_keys}
        with warehouse.connect(read_only=True) as connection:
            for name, check in RAW_CHECKS.items():
                if name in selected:
                    finding = check.evaluate(connection, source, scope)
                    yield AssetCheckResult(
                        asset_key=asset_key,
                        check_name=name,
                        passed=finding.passed,
                        severity=finding.severity,
                        description=finding.description,
                        metadata=finding.metadata,
                    )

    return raw_checks


def duplicate_keys_sql(source: SourceSchema, scope: Scope = EVERYTHING) -> str:
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


def null_counts_sql(source: SourceSchema, scope: Scope = EVERYTHING) -> str:
    """One row: the nulls in each required column among the scope's rows."""
    counts = ", ".join(f'count(*) filter (where "{c}" is null) as "{c}"' for c in source.required)
    return f"select {counts} from {source.raw_table} where {scope_filter(scope)}"


def conservation_sql(source: SourceSchema, scope: Scope = EVERYTHING) -> str:
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


raw_asset_checks = [_raw_checks(source) for source in SOURCES.values()]
