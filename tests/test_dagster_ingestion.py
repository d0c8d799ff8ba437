"""Loading landing Parquet into raw tables, and publishing the serving copy (no dbt).

The messy formats, mappings and bad files are tested in tests/test_ingestion*.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.resources import DuckDBWarehouse
from govwh.ingestion.loader import LandingFilesMissingError, landing_files, load_files
from govwh.ingestion.pseudonymise import PseudonymisationKey, hmac_python
from govwh.ingestion.rules import CODE_FORMATS, VOCABULARIES
from govwh.ingestion.schemas import CASE_LOGS, HALL_TICKETS, SourceSchema
from govwh.warehouse.copies import publish_serving_copy

SECRET = "test-secret"


def _canonical_rows(source: SourceSchema, first_id: int, count: int) -> pl.DataFrame:
    """`count` rows with every canonical column filled by a plausible value."""
    values: dict[str, list] = {}
    for column, dtype in source.columns.items():
        if column in VOCABULARIES[source.name]:
            values[column] = [VOCABULARIES[source.name][column][0]] * count
        elif column == "region_code":
            values[column] = ["411900"] * count
        elif column in CODE_FORMATS:
            values[column] = [f"{column.split('_')[0].upper()}{first_id + i}" for i in range(count)]
        elif isinstance(dtype, pl.String):
            values[column] = [f"{column}-{first_id + i}" for i in range(count)]
        elif isinstance(dtype, pl.Date):
            values[column] = [dt.date(2019, 1, 1 + i) for i in range(count)]
        elif column == "left_at":  # only an abandoned ticket has a leaving time
            values[column] = [None] * count
        elif isinstance(dtype, pl.Datetime):
            values[column] = [dt.datetime(2019, 1, 1 + i, 9, 30) for i in range(count)]
        elif isinstance(dtype, pl.Boolean):
            values[column] = [False] * count
        else:
            values[column] = [1] * count
    return pl.DataFrame(values, schema=source.polars_schema)


def _write(landing: Path, source: SourceSchema, name: str, frame: pl.DataFrame) -> Path:
    folder = landing / source.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    frame.write_parquet(path)
    return path


def _load(database: Path, source: SourceSchema, landing: Path):
    with duckdb.connect(str(database)) as connection:
        return load_files(
            connection,
            source,
            landing_files(landing, source),
            PseudonymisationKey.from_secret(SECRET),
        )


def test_load_casts_to_canonical_types_and_records_lineage(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write(
        landing, HALL_TICKETS, "hall_tickets_2019-01.parquet", _canonical_rows(HALL_TICKETS, 0, 3)
    )
    # a second month whose export lacks an optional column: union_by_name fills nulls
    february = _canonical_rows(HALL_TICKETS, 3, 2).drop("case_id")
    _write(landing, HALL_TICKETS, "hall_tickets_2019-02.parquet", february)

    result = _load(tmp_path / "w.duckdb", HALL_TICKETS, landing)

    assert (result.rows, len(result.files), result.total("rows_rejected")) == (5, 2, 0)
    assert (result.first, result.last) == (dt.date(2019, 1, 1), dt.date(2019, 1, 3))
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        columns = dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'hall_tickets'"
            ).fetchall()
        )
        files = connection.execute(
            "select _source_file, count(*), count(case_id) "
            "from raw.hall_tickets group by 1 order by 1"
        ).fetchall()
    assert list(columns) == [*HALL_TICKETS.columns, "_source_file", "_loaded_at"]
    assert columns["ticket_taken_at"] == "TIMESTAMP"
    assert files == [("hall_tickets_2019-01.parquet", 3, 3), ("hall_tickets_2019-02.parquet", 2, 0)]


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write(landing, CASE_LOGS, "case_logs_2019-01.parquet", _canonical_rows(CASE_LOGS, 0, 4))
    database = tmp_path / "w.duckdb"

    def rows() -> list[tuple]:
        with duckdb.connect(str(database), read_only=True) as connection:
            return (
                connection.execute("select * from raw.case_logs order by case_id").fetchall()
                + connection.execute("select * from ops.load_manifest").fetchall()
            )

    _load(database, CASE_LOGS, landing)
    first = rows()
    second = _load(database, CASE_LOGS, landing)
    assert rows() == first
    assert len(first) == 4 + 1  # four rows, one manifest entry
    assert [f.status for f in second.files] == ["skipped"]


def test_personal_identifiers_are_hashed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write(landing, CASE_LOGS, "case_logs_2019-01.parquet", _canonical_rows(CASE_LOGS, 0, 1))
    _load(tmp_path / "w.duckdb", CASE_LOGS, landing)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        applicant_id, name = connection.execute(
            "select applicant_id, applicant_name from raw.case_logs"
        ).fetchone()
    assert applicant_id == hmac_python(SECRET, "applicant_id-0")
    assert name == hmac_python(SECRET, "applicant_name-0")


def test_a_file_that_cannot_be_read_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write(landing, CASE_LOGS, "case_logs_2019-01.parquet", _canonical_rows(CASE_LOGS, 0, 2))
    database = tmp_path / "w.duckdb"
    _load(database, CASE_LOGS, landing)

    broken = landing / "case_logs" / "case_logs_2019-02.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file")
    result = _load(database, CASE_LOGS, landing)

    assert [f.status for f in result.files] == ["skipped", "failed"]
    assert "case_logs_2019-02.parquet" in str(result.failed[0].path)
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.case_logs").fetchall() == [(2,)]
        assert connection.execute(
            "select status from ops.load_manifest order by started_at"
        ).fetchall() == [("loaded",), ("failed",)]


@pytest.mark.parametrize(
    ("present", "state"),
    [
        (None, "does not exist"),
        ([], "is empty"),
        (["case_logs_2019-01.pdf"], "holds no file of a supported type"),
    ],
)
def test_no_landing_files_is_an_error_naming_the_folder(
    tmp_path: Path, present: list[str] | None, state: str
) -> None:
    folder = tmp_path / "landing" / "case_logs"
    if present is not None:
        folder.mkdir(parents=True)
        for name in present:
            (folder / name).write_text("case_id\n1\n")
    with pytest.raises(LandingFilesMissingError, match=re.escape(f"{folder} {state}")):
        landing_files(tmp_path / "landing", CASE_LOGS)


def test_serving_copy_is_published_whole_and_opens_read_only(tmp_path: Path) -> None:
    warehouse = DuckDBWarehouse(path=str(tmp_path / "govwh.duckdb"))
    with warehouse.connect() as connection:
        connection.execute("create table answer as select 42 as value")
    target = tmp_path / "serving" / "govwh.duckdb"

    publish_serving_copy(warehouse.file, target)

    assert sorted(p.name for p in target.parent.iterdir()) == ["govwh.duckdb"]  # no leftovers
    with duckdb.connect(str(target), read_only=True) as connection:
        assert connection.execute("select value from answer").fetchone() == (42,)
        with pytest.raises(duckdb.Error):
            connection.execute("create table analyst_scratch (x int)")
