"""The govwh command line: status, generate + build, and a failing build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from govwh.cli import app
from govwh.settings import Settings
from govwh.warehouse.status import table_rows


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_status_says_when_there_is_no_warehouse(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    home = tmp_path / "no_dagster_home"
    point_environment_at(isolated_settings, home)

    result = _invoke("status")

    assert result.exit_code == 0, result.output
    assert "no warehouse yet" in result.output
    assert "last run: none recorded" in result.output
    assert not isolated_settings.warehouse_path.exists()  # status created nothing
    assert not home.exists()


def test_status_reads_the_serving_copy_while_a_build_holds_the_lock(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    for path in (isolated_settings.warehouse_path, isolated_settings.serving_path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path)) as connection:
            connection.execute("create schema marts")
            connection.execute("create table marts.answer as select 42 as value")
    point_environment_at(isolated_settings, tmp_path / "dagster_home")
    # another process writing the warehouse, as dbt does during a build
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(isolated_settings.warehouse_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        result = _invoke("status")
    finally:
        writer.kill()
        writer.wait()

    assert result.exit_code == 0, result.output
    assert "showing the last serving copy" in result.output
    assert "answer" in result.output


@pytest.mark.slow
def test_status_lists_tables_periods_and_the_last_run(built_warehouse: Settings) -> None:
    result = _invoke("status")

    assert result.exit_code == 0, result.output
    for expected in ("raw", "case_logs", "marts", "fct_cases", "cases (submitted)", "SUCCESS"):
        assert expected in result.output, expected
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        first, last = connection.execute(
            "select min(submitted_at)::date, max(submitted_at)::date from raw.case_logs"
        ).fetchone()
    assert f"cases (submitted): {first} … {last}" in result.output


@pytest.fixture(scope="module")
def cli_rebuild(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, str, str]:
    """`govwh generate --scale tiny` into a new folder, then `govwh build` over a copy of the
    session's warehouse: the same city built a second time, through the command line."""
    root = tmp_path_factory.mktemp("cli_rebuild")
    settings = Settings(
        warehouse_path=root / "govwh.duckdb",
        landing_dir=root / "landing",
        serving_path=root / "serving" / "govwh.duckdb",
    )
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("GOVWH_WAREHOUSE", str(settings.warehouse_path))
        environment.setenv("GOVWH_LANDING_DIR", str(settings.landing_dir))
        environment.setenv("GOVWH_SERVING_WAREHOUSE", str(settings.serving_path))
        environment.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        generated = _invoke("generate", "--scale", "tiny", "--landing", str(settings.landing_dir))
        assert generated.exit_code == 0, generated.output
        built = _invoke("build")
    return settings, generated.output, built.output


@pytest.mark.slow
def test_cli_generate_and_build_print_the_headline_metrics(
    cli_rebuild: tuple[Settings, str, str],
) -> None:
    settings, generated, built = cli_rebuild
    assert "case_logs" in generated
    assert "build succeeded" in built, built
    assert "网上可办率 Online-available rate" in built
    assert "按时办结率 On-time completion rate" in built
    assert str(settings.serving_path) in built
    assert settings.serving_path.exists()


@pytest.mark.slow
def test_cli_build_twice_leaves_identical_row_counts(
    built_warehouse: Settings, cli_rebuild: tuple[Settings, str, str]
) -> None:
    settings, _, _ = cli_rebuild

    def counts(path: Path) -> dict[str, int | None]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return {f"{t.schema}.{t.name}": t.rows for t in table_rows(connection)}

    assert counts(settings.warehouse_path) == counts(built_warehouse.warehouse_path)


@pytest.mark.slow
def test_build_with_an_empty_landing_folder_fails_naming_it(
    isolated_settings: Settings,
    tmp_path: Path,
    point_environment_at: Callable[[Settings, Path], None],
) -> None:
    (isolated_settings.landing_dir / "case_logs").mkdir(parents=True)
    point_environment_at(isolated_settings, tmp_path / "dagster_home")

    result = _invoke("build")

    assert result.exit_code != 0
    assert "build failed" in result.output
    # every source is absent: the build stops before dbt, naming the landing folder
    assert "failed check: raw/case_logs: sources_are_fresh" in result.output
    assert f"drop the exports into {isolated_settings.landing_dir}" in result.output
    assert not isolated_settings.serving_path.exists()
