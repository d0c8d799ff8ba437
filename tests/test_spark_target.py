"""The same dbt models on Apache Spark give the DuckDB build's marts, row for row.

The tiny city's raw tables (loaded into DuckDB by the usual Dagster build) are exported to
Parquet the way raw data lands on a cluster (one folder per source table, the catalogue
Hive-partitioned by snapshot date), registered as external Spark tables by the
`stage_raw_sources` operation, and built with `dbt build --target spark` — seeds, models,
our own data tests and the unit tests — on a local Spark session (docs/scaling.md). Then
every table of the Spark build is compared with the DuckDB build's.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

from govwh.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, Settings, dbt_executable

pytestmark = pytest.mark.slow

# The headline marts, compared one by one; every other table of the build is compared too.
HEADLINE = [
    "marts.fct_cases",
    "marts.mart_case_metrics_by_period",
    "marts.mart_item_supply_by_period",
    "marts.mart_hall_metrics_by_period",
    "marts.mart_metric_values",
]
SCHEMAS = ("intermediate", "marts", "reference")
# When the build ran: differs between any two builds.
BUILD_TIME = {"_built_at"}
TIME_ZONE = "Asia/Shanghai"
BUILTIN_TESTS = ("not_null", "unique", "accepted_values", "relationships")


def _dbt(spark_dir: Path, raw_dir: Path, target_path: Path, *arguments: str) -> None:
    result = subprocess.run(
        [
            dbt_executable(),
            *arguments,
            "--target",
            "spark",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
        ],
        env={**os.environ, "GOVWH_SPARK_DIR": str(spark_dir), "GOVWH_SPARK_RAW_DIR": str(raw_dir)},
        cwd=spark_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def _export_raw(warehouse: Path, raw_dir: Path) -> None:
    """The raw schema as landed Parquet: a file per table, the catalogue partitioned."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in (
            "case_logs",
            "hall_tickets",
            "consultations",
            "hotline_calls",
            "service_guides",
            "service_guide_materials",
        ):
            (raw_dir / table).mkdir(parents=True)
            connection.execute(
                f"copy raw.{table} to '{raw_dir / table / 'part-0.parquet'}' (format parquet)"
            )
        connection.execute(
            f"copy raw.service_items to '{raw_dir / 'service_items'}' "
            "(format parquet, partition_by (snapshot_date))"
        )
        # the city configuration, landed beside the raw data (stage_raw_sources)
        for (table,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'city'"
        ).fetchall():
            (raw_dir / "city" / table).mkdir(parents=True)
            connection.execute(
                f"copy city.{table} to '{raw_dir / 'city' / table / 'part-0.parquet'}' "
                "(format parquet)"
            )


def _normalised(frame: pl.DataFrame) -> pl.DataFrame:
    """Engine-neutral types: integers as Int64, numbers as Float64, local timestamps."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype.is_integer():
            column = column.cast(pl.Int64)
        elif dtype.is_float() or dtype.is_decimal():
            column = column.cast(pl.Float64)
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                column = column.dt.convert_time_zone(TIME_ZONE).dt.replace_time_zone(None)
            column = column.dt.cast_time_unit("us")
        columns.append(column)
    return frame.select(columns)


def _approximately_equal(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-6)


def _compare(expected: pl.DataFrame, actual: pl.DataFrame, relation: str) -> None:
    """Same columns, same rows: floats to 1e-6, everything else exactly."""
    assert sorted(actual.columns) == sorted(expected.columns), relation
    assert actual.height == expected.height, (relation, expected.height, actual.height)
    columns = [c for c in expected.columns if c not in BUILD_TIME]
    floats = [c for c in columns if expected.schema[c] == pl.Float64]
    exact = [c for c in columns if c not in floats]
    left, right = (
        frame.select(columns).sort(exact + floats, nulls_last=True) for frame in (expected, actual)
    )
    for column in columns:
        same = _approximately_equal if column in floats else (lambda a, b: a == b)
        pairs = zip(left[column].to_list(), right[column].to_list(), strict=True)
        differing = [row for row, (a, b) in enumerate(pairs) if not same(a, b)]
        assert not differing, (
            f"{relation}.{column}: {len(differing)} rows differ, e.g. DuckDB "
            f"{left.row(differing[0], named=True)} vs Spark {right.row(differing[0], named=True)}"
        )


@pytest.fixture(scope="module")
def spark_build(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the tiny city on Spark from DuckDB's raw tables; the Spark dir."""
    assert shutil.which("java"), "the Spark target needs a Java runtime (openjdk-17-jre-headless)"
    root = tmp_path_factory.mktemp("spark_target")
    spark_dir, raw_dir, target_path = root / "spark", root / "raw", root / "target"
    spark_dir.mkdir()
    _export_raw(built_warehouse.warehouse_path, raw_dir)
    _dbt(spark_dir, raw_dir, target_path, "run-operation", "stage_raw_sources")
    # dbt's own generic tests (not_null, unique, accepted_values, relationships) are left to
    # the DuckDB build: every Spark table is compared with DuckDB's row for row below, where
    # they passed, and dbt-spark ships them. Our own tests (dbt/tests) and the unit tests run.
    builtin_tests = [f"test_name:{name}" for name in BUILTIN_TESTS]
    _dbt(spark_dir, raw_dir, target_path, "build", "--exclude", *builtin_tests)
    return spark_dir


def _spark_table(spark_dir: Path, relation: str) -> pl.DataFrame:
    schema, table = relation.split(".")
    folder = spark_dir / "warehouse" / f"{schema}.db" / table
    with duckdb.connect() as connection:
        connection.execute(f"set timezone = '{TIME_ZONE}'")
        return connection.sql(f"select * from read_parquet('{folder}/*.parquet')").pl()


def _duckdb_table(warehouse: Path, relation: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"set timezone = '{TIME_ZONE}'")
        return connection.sql(f"select * from {relation}").pl()


def _duckdb_tables(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in {SCHEMAS} and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    return [relation for (relation,) in rows]


def _matches(spark_dir: Path, warehouse: Path, relation: str) -> None:
    expected = _normalised(_duckdb_table(warehouse, relation))
    actual = _normalised(_spark_table(spark_dir, relation))
    assert expected.height > 0, relation
    _compare(expected, actual, relation)


@pytest.mark.parametrize("relation", HEADLINE)
def test_headline_marts_match_duckdb(
    spark_build: Path, built_warehouse: Settings, relation: str
) -> None:
    _matches(spark_build, built_warehouse.warehouse_path, relation)


def test_every_table_matches_duckdb(spark_build: Path, built_warehouse: Settings) -> None:
    """Seeds, intermediate tables and every mart: the Spark build holds the same rows."""
    relations = _duckdb_tables(built_warehouse.warehouse_path)
    assert set(HEADLINE) < set(relations)
    problems = []
    for relation in sorted(set(relations) - set(HEADLINE)):
        try:
            _matches(spark_build, built_warehouse.warehouse_path, relation)
        except AssertionError as difference:
            problems.append(str(difference)[:800])
    assert not problems, "\n".join(problems)


def test_spark_stays_out_of_the_repository(spark_build: Path) -> None:
    """Metastore, derby.log and managed tables live in GOVWH_SPARK_DIR only."""
    assert (spark_build / "metastore_db").is_dir()
    assert (spark_build / "derby.log").is_file()
    for stray in ("metastore_db", "derby.log", "spark-warehouse"):
        assert not (DBT_PROJECT_DIR / stray).exists(), stray
