"""The shape of the code base, checked from the source (fast, no imports).

The work lives in plain libraries that never import Dagster; dagster_project/ holds only
definitions, one folder per concern; one factory opens DuckDB; Python reads no seed CSV.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIBRARIES = ("govwh", "forecasting", "dashboards", "bench")
CONCERNS = {
    "ingestion",
    "warehouse",
    "forecasting",
    "serving",
    "reports",
    "supervision",
    "operations",
}
DEFINITION_MODULES = {"__init__.py", "definitions.py", "resources.py", "runner.py"}
CONNECTION_FACTORY = REPO / "govwh" / "warehouse" / "connection.py"
# Python that may read a seed file, and why.
SEED_READERS = {
    # writes the calendar seed from chinesecalendar (`govwh calendar`)
    REPO / "govwh" / "calendar.py",
    # the schedules decide "working day?" before any warehouse exists
    REPO / "govwh" / "workdays.py",
    # the demo generator writes the reference seeds of its invented city
    REPO / "govwh" / "demo" / "city.py",
    REPO / "govwh" / "demo" / "seedgen.py",
    REPO / "govwh" / "demo" / "generator.py",
    # where the seeds live (the calendar seed for the two above)
    REPO / "govwh" / "settings.py",
    # a stand-alone forecasting tool for any CSV series; the calendar is its default input
    REPO / "forecasting" / "external.py",
}


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_libraries_never_import_dagster() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(
            module
            for module in _imported_modules(path)
            if module.split(".")[0] in ("dagster", "dagster_dbt", "dagster_project")
        )
        for path in _python_files(*LIBRARIES)
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_dagster_project_holds_definitions_by_concern() -> None:
    root = REPO / "dagster_project"
    entries = {p.name for p in root.iterdir() if p.name != "__pycache__"}
    assert entries == DEFINITION_MODULES | CONCERNS
    for concern in CONCERNS:
        assert (root / concern).is_dir() and (root / concern / "__init__.py").exists(), concern


def test_duckdb_is_opened_by_one_factory() -> None:
    callers = []
    for path in _python_files(*LIBRARIES, "dagster_project"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "duckdb"
            ):
                callers.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert callers == [f"{CONNECTION_FACTORY.relative_to(REPO)}:{_factory_line()}"]


def _factory_line() -> int:
    for node in ast.walk(ast.parse(CONNECTION_FACTORY.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "connect":
            return node.lineno
    raise AssertionError("the connection factory does not call duckdb.connect")


def _seed_paths(path: Path) -> list[int]:
    """Lines that build a path into seeds/: `... / "seeds" / ...` or "seeds/<file>.csv"."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            sides = (node.left, node.right)
            if any(isinstance(side, ast.Constant) and side.value == "seeds" for side in sides):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and arg.value.startswith("seeds/")
            for arg in node.args
        ):
            lines.append(node.lineno)
    return lines


def test_no_python_reads_a_seed_csv() -> None:
    """Reference data reaches Python through the marts (dim_hall, dim_region, ...)."""
    readers = {
        str(path.relative_to(REPO)): lines
        for path in _python_files(*LIBRARIES, "dagster_project")
        if path not in SEED_READERS and (lines := _seed_paths(path))
    }
    assert readers == {}


def test_the_test_files_run_first_exist() -> None:
    """A renamed test file would drop out of the longest-first order without a word."""
    from conftest import LONGEST_FILES_FIRST

    assert len(set(LONGEST_FILES_FIRST)) == len(LONGEST_FILES_FIRST)
    missing = [name for name in LONGEST_FILES_FIRST if not (REPO / "tests" / name).is_file()]
    assert not missing, missing
