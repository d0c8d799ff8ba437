"""A city as configuration: the folder is read and checked whole, every problem named by file,
line and column; `govwh init` drafts a folder from the codes the exports use (fast: no build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from govwh.city.gaps import configuration_gaps
from govwh.city.load import load_city, loaded_checksum
from govwh.city.read import CityConfigError, calendar_years, read_city
from govwh.city.scaffold import Observed, ScaffoldError, draft_regions, scaffold_city
from govwh.cli import app
from govwh.settings import CALENDAR_SEED, DEMO_CITY_DIR

YEARS = calendar_years(CALENDAR_SEED)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    shutil.copytree(DEMO_CITY_DIR, folder)
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(CityConfigError) as raised:
        read_city(folder, YEARS)
    return [str(problem) for problem in raised.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_demo_city_is_one_complete_city_folder() -> None:
    config = read_city(DEMO_CITY_DIR, YEARS)
    assert (config.profile.name, config.profile.region_code) == ("嵩州市", "411900")
    assert {name: frame.height for name, frame in config.tables.items()} == {
        "regions": 476,
        "departments": 40,
        "halls": 66,
        "targets": 12,
        "labour_costs": 4,
        "service_levels": 1,
    }
    assert configuration_gaps(config) == []


def test_every_problem_is_named_by_file_line_and_column(demo_copy: Path) -> None:
    _edit(demo_copy / "regions.csv", "411902,嵩阳区,county,411900", "411902,嵩阳区,district,411900")
    _edit(
        demo_copy / "halls.csv",
        "H411902,嵩阳区政务服务中心,411902,county,68,",
        "H411902,嵩阳区政务服务中心,411902,county,sixty,",
    )
    _edit(
        demo_copy / "halls.csv",
        ",09:00,17:30,12:00,13:30\nH411903",
        ",9am,17:30,12:00,13:30\nH411903",
    )
    _edit(demo_copy / "targets.csv", "one_trip_rate,city,*,0.9,", "one_trip_rate,city,*,90,")
    _edit(demo_copy / "service_levels.csv", "*,*,15,", "*,*,,")
    (demo_copy / "labour_costs.csv").write_text(
        "department_code,channel_group,staff_cost_per_hour_cny,overhead_uplift,"
        "back_office_minutes_per_case,front_office_minutes_per_case,basis\n"
        "*,hall,85,0.35,25,0,a\n*,hall,90,0.35,25,0,b\n",
        encoding="utf-8",
    )

    assert _problems(demo_copy) == [
        "halls.csv, line 3, column windows_normal: 'sixty' is not a whole number",
        "halls.csv, line 3, column open_time: '9am' is not a time HH:MM",
        "labour_costs.csv, line 2, column department_code, channel_group: duplicate key",
        "labour_costs.csv, line 3, column department_code, channel_group: duplicate key",
        "service_levels.csv, line 2, column target_wait_minutes: blank",
    ]
    # with the rows readable, the checks across rows and files run too
    _edit(demo_copy / "halls.csv", ",sixty,", ",68,")
    _edit(demo_copy / "halls.csv", ",9am,", ",09:00,")
    (demo_copy / "labour_costs.csv").unlink()
    _edit(demo_copy / "service_levels.csv", "*,*,,", "H999,*,10,")
    assert _problems(demo_copy) == [
        "regions.csv, line 3, column admin_level: 'district' is not one of "
        "['city', 'county', 'township', 'village']",
        "targets.csv, line 6, column target_value: 90.0 is not a rate between 0 and 1",
        "service_levels.csv, line 2, column hall_code: 'H999' is neither \"*\" nor a hall of "
        "halls.csv",
    ]


def test_a_folder_without_its_required_files_or_columns_says_which(tmp_path: Path) -> None:
    folder = tmp_path / "city"
    folder.mkdir()
    (folder / "city.yml").write_text("name: 新城市\nregion_code: '410100'\ncolour: blue\n")
    (folder / "regions.csv").write_text("region_code,name,admin_level\n410100,新城市,city\n")
    assert _problems(folder) == [
        "city.yml, column colour: unknown key (known: ['calendar', 'issuing_office', 'name', "
        "'name_en', 'region_code'])",
        "regions.csv, line 1, column region_name: missing column",
        "regions.csv, line 1, column parent_region_code: missing column",
        "regions.csv, line 1, column name: unknown column (expected ['region_code', "
        "'region_name', 'admin_level', 'parent_region_code'])",
        "departments.csv: missing: 部门 that decide service items, as the exports code them.",
        "halls.csv: missing: 政务服务中心 with their windows and opening hours (HH:MM). A hall "
        "without hours or windows is counted but not staffed by the planning forecasts.",
    ]


def test_the_calendar_must_cover_the_citys_years(demo_copy: Path) -> None:
    _edit(demo_copy / "city.yml", "last_year: 2026", "last_year: 2031")
    assert _problems(demo_copy) == [
        "city.yml, column calendar: the working-day calendar lacks 2027–2031: run `govwh "
        "calendar --first-year 2016 --last-year 2031` or load the city's official calendar"
    ]


def test_the_city_code_must_be_the_city_row(demo_copy: Path) -> None:
    _edit(demo_copy / "city.yml", 'region_code: "411900"', 'region_code: "511600"')
    assert _problems(demo_copy) == [
        "city.yml, column region_code: '511600' is not the city row of regions.csv ('411900')"
    ]


def test_a_loaded_configuration_is_replaced_whole_and_keeps_its_checksum(
    demo_copy: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        assert loaded_checksum(connection) is None
        first = read_city(demo_copy, YEARS)
        load_city(connection, first)
        assert loaded_checksum(connection) == first.checksum
        (demo_copy / "labour_costs.csv").unlink()
        second = read_city(demo_copy, YEARS)
        assert second.checksum != first.checksum
        load_city(connection, second)
        assert loaded_checksum(connection) == second.checksum
        assert connection.execute("select count(*) from city.labour_costs").fetchall() == [(0,)]
        assert connection.execute("select count(*) from city.regions").fetchall() == [(476,)]


def test_regions_are_drafted_from_the_gb_codes_the_exports_use() -> None:
    observed = pl.DataFrame(
        {
            "region_code": ["511602", "511602001", "511621004", "511600", "XQ-1"],
            "admin_level": [None] * 5,
        }
    )
    drafted = draft_regions(observed, city_code=None)
    assert drafted.rows() == [
        ("511600", None, "city", None),
        ("511602", None, "county", "511600"),
        ("511621", None, "county", "511600"),
        ("XQ-1", None, "county", "511600"),
        ("511602001", None, "township", "511602"),
        ("511621004", None, "township", "511621"),
    ]


def test_a_city_without_gb_codes_needs_its_code(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="--region-code"):
        scaffold_city(tmp_path / "boston", Observed.nothing(), name="Boston")
    written = scaffold_city(
        tmp_path / "boston", Observed.nothing(), name="Boston", region_code="BOS"
    )
    assert [path.name for path in written] == [
        "city.yml",
        "regions.csv",
        "departments.csv",
        "halls.csv",
        "targets.csv",
        "labour_costs.csv",
        "service_levels.csv",
    ]
    config = read_city(tmp_path / "boston", YEARS)
    assert config.tables["regions"].select("region_code", "admin_level").rows() == [("BOS", "city")]
    assert configuration_gaps(config) == [
        "city.yml: no issuing_office: the weekly 通报's masthead names 'Boston政务服务管理部门'",
        "regions.csv: 1 region(s) without a name (shown by code): BOS",
        "regions.csv: no county: every case and item counts in the unknown county, and the "
        "district rankings are empty",
        "departments.csv: no department: departments are named as the exports code them",
        "labour_costs.csv: no cost assumption: mart_cost_per_transaction is empty",
    ]
    with pytest.raises(ScaffoldError, match="not empty"):
        scaffold_city(tmp_path / "boston", Observed.nothing(), name="Boston", region_code="BOS")


def test_govwh_city_check_lists_problems_and_gaps(demo_copy: Path) -> None:
    ok = CliRunner().invoke(app, ["city", "check", str(demo_copy)], env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    assert "嵩州市 (411900)" in ok.output and "nothing missing" in ok.output
    _edit(demo_copy / "regions.csv", "411902,嵩阳区,county,411900", "411902,嵩阳区,county,999999")
    failed = CliRunner().invoke(app, ["city", "check", str(demo_copy)], env={"COLUMNS": "200"})
    assert failed.exit_code == 1
    assert (
        "regions.csv, line 3, column parent_region_code: '999999' is not a region of regions.csv"
        in failed.output
    )
