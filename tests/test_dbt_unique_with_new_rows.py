"""The `unique_with_new_rows` test (dbt/tests/generic/unique_with_new_rows.sql): the keys of
the rows the last run wrote, against every row of the table. mart_case_drill rewrites whole
completion days, so a case whose completion day moved could stay behind in its old day: the
test must find that old copy, which a uniqueness test scoped to the new rows would not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_test_on, the_data_test_result

from govwh.settings import Settings

pytestmark = pytest.mark.slow

SELECT = "test_name:unique_with_new_rows,mart_case_drill"


def _dbt_test(warehouse: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return dbt_test_on(warehouse, target, SELECT)


def _failures(target: Path) -> int:
    return int(the_data_test_result(target)["failures"] or 0)


def test_a_case_left_behind_in_an_older_day_fails_and_old_rows_alone_are_not_rechecked(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    warehouse = tmp_path / "govwh.duckdb"
    shutil.copyfile(built_warehouse.warehouse_path, warehouse)
    target = tmp_path / "target"

    passed = _dbt_test(warehouse, target)
    assert passed.returncode == 0, passed.stdout[-3000:]

    with duckdb.connect(str(warehouse)) as connection:
        # an older run's copy of one of the last run's cases, a day earlier
        connection.execute(
            "insert into marts.mart_case_drill select * replace ("
            " completion_date - 1 as completion_date,"
            " _watermark - interval 1 day as _watermark)"
            " from marts.mart_case_drill"
            " where _watermark = (select max(_watermark) from marts.mart_case_drill) limit 1"
        )
    failed = _dbt_test(warehouse, target)
    assert failed.returncode != 0
    assert _failures(target) == 1

    with duckdb.connect(str(warehouse)) as connection:
        # the last run's rows become an older run's: the duplicate was there when they were
        # written, and that run's test failed, so it is not charged to the next run
        connection.execute(
            "update marts.mart_case_drill set _watermark = _watermark - interval 2 day"
        )
        connection.execute(
            "insert into marts.mart_case_drill select * replace ("
            " case_id || '-new' as case_id, _watermark + interval 3 day as _watermark)"
            " from marts.mart_case_drill limit 5"
        )
    passed_again = _dbt_test(warehouse, target)
    assert passed_again.returncode == 0, passed_again.stdout[-3000:]
    assert _failures(target) == 0
