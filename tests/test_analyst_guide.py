"""Every SQL example of the analyst guide runs on the demo warehouse and returns rows."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from govwh.settings import REPO_ROOT, Settings

GUIDE = REPO_ROOT / "docs" / "analyst-guide.md"
EXAMPLE = re.compile(r"### (?P<title>[^\n]+)\n+```sql\n(?P<sql>.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    return [(m["title"], m["sql"]) for m in EXAMPLE.finditer(GUIDE.read_text(encoding="utf-8"))]


def test_the_guide_answers_at_least_ten_questions() -> None:
    assert len(_examples()) >= 10


@pytest.mark.slow
@pytest.mark.parametrize(("title", "sql"), _examples(), ids=[t for t, _ in _examples()])
def test_example_runs_on_the_serving_copy(built_warehouse: Settings, title: str, sql: str) -> None:
    path: Path = built_warehouse.serving_path
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute(sql).fetchall()
    assert rows, f"'{title}' returned no rows"
