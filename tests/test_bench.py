"""`govwh bench`: every stage runs and the table is written; the plain-DuckDB reference
computes the same rows as the marts; the report block replaces its own scale only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.data import DAY_COLUMNS, MARKER, generated, split_last_day
from bench.harness import REFERENCE_STAGES, RUN_ORDER, STAGE_LABELS
from bench.reference import (
    REFERENCE_MARTS,
    compare_with_marts,
    run_reference,
)
from bench.report import SECTION_HEADING, write_block
from govwh.ingestion.schemas import SOURCES
from govwh.settings import REPO_ROOT, Settings


@pytest.mark.slow
def test_reference_equals_the_marts(built_warehouse: Settings, tmp_path: Path) -> None:
    """Row for row, on the tiny build: the reference cannot drift from the marts silently."""
    copy = tmp_path / "govwh.duckdb"
    shutil.copyfile(built_warehouse.warehouse_path, copy)
    with duckdb.connect(str(copy)) as connection:
        run_reference(connection)
        comparisons = compare_with_marts(connection)
        # the comparison sees a difference: change one number and compare again
        connection.execute(
            "update bench_reference.mart_case_completion_monthly "
            "set on_time_cases = on_time_cases + 1 where month_start = "
            "(select max(month_start) from bench_reference.mart_case_completion_monthly)"
        )
        tampered = {c.mart: c for c in compare_with_marts(connection)}
    assert [c.mart for c in comparisons] == list(REFERENCE_MARTS)
    for comparison in comparisons:
        assert comparison.mart_rows > 0, comparison.mart
        assert comparison.equal, comparison
    assert not tampered["mart_case_completion_monthly"].equal
    assert tampered["mart_case_completion_monthly"].only_in_reference


def test_report_block_replaces_only_its_scale(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Ingestion\n\ntext\n\n## Other\n\nmore\n")
    block = (
        "<!-- govwh bench: scale small start -->\nfirst\n<!-- govwh bench: scale small end -->\n"
    )
    write_block(doc, "small", block)
    city = "<!-- govwh bench: scale city start -->\ncity\n<!-- govwh bench: scale city end -->\n"
    write_block(doc, "city", city)
    write_block(doc, "small", block.replace("first", "second"))
    text = doc.read_text()
    assert text.count(SECTION_HEADING + "\n") == 1
    assert "second" in text and "first" not in text and "city\n" in text
    assert text.index("## Ingestion") < text.index(SECTION_HEADING) < text.index("second")
    assert text.index("second") < text.index("city\n")

    doc.write_text("# Benchmarks\n\n## Scale\n\nintro\n\n## Later\n\nx\n")
    write_block(doc, "city", city)
    text = doc.read_text()
    assert text.index("intro") < text.index("city\n") < text.index("## Later")


@pytest.mark.slow
def test_govwh_bench_tiny_runs_every_stage(tmp_path: Path) -> None:
    """`govwh bench --scale tiny` end to end in a scratch folder, written to a scratch file.

    Tiny, not small: the same stages in half the time (the suite's budget); the forecast
    stages say why they are skipped at this scale (one year is shorter than the models'
    training window), and the forecast job itself is materialized by test_forecasting_run."""
    output = tmp_path / "benchmarks.md"
    output.write_text("# Benchmarks\n\n## Ingestion\n\nkept as it is\n")
    env = {
        **os.environ,
        # a scratch warehouse: the command sets its own paths for every stage
        "GOVWH_DUCKDB_MEMORY_LIMIT": os.environ.get("GOVWH_DUCKDB_MEMORY_LIMIT", "3GB"),
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "govwh"),
            "bench",
            "--scale",
            "tiny",
            "--work",
            str(tmp_path / "work"),
            "--data",
            str(tmp_path / "data"),
            "--output",
            str(output),
            "--repeat",
            "3",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    text = output.read_text()
    assert "kept as it is" in text
    block = text[text.index("<!-- govwh bench: scale tiny start -->") :]
    assert "<!-- govwh bench: scale tiny end -->" in block
    rows = [line for line in block.splitlines() if line.startswith("| ")]
    for stage in ("generate", *RUN_ORDER, *REFERENCE_STAGES):
        line = next((r for r in rows if r.startswith(f"| {STAGE_LABELS[stage]} |")), None)
        assert line is not None, (stage, block)
        if stage == "forecasts":
            assert "skipped: tiny's one year of data is shorter than" in line, line
            continue
        wall = float(line.split("|")[2])
        assert wall > 0, line
    assert "end to end, generation excluded" in block
    assert "**daily cycle**" in block
    assert "the reference's rows equal the marts'" in block and "✗" not in block
    # every stage left its log, and the serving copy was queried
    logs = tmp_path / "work" / "logs"
    ran = {*RUN_ORDER, *REFERENCE_STAGES} - {"forecasts"}
    assert {p.stem for p in logs.glob("*.log")} >= ran
    assert (tmp_path / "work" / "warehouse" / "serving" / "govwh.duckdb").exists()


def test_the_day_split_covers_every_daily_source_and_links_the_rest(tmp_path: Path) -> None:
    """The daily cycle's day brings the new rows of every daily source (cases, tickets,
    consultations, calls); the catalogue and the guides stay whole in the landing folder; no
    row is lost or doubled; a city of an older generator version is not reused."""
    import json

    import polars as pl

    from govwh.demo import generate_demo_city

    data = tmp_path / "data"
    generate_demo_city(data, seed=3, scale="tiny")
    assert generated(data, "tiny", 3)
    split = split_last_day(data, tmp_path / "landing", tmp_path / "day")
    for source in SOURCES:
        whole = pl.read_parquet(data / source / "*.parquet").height
        landed = pl.read_parquet(tmp_path / "landing" / source / "*.parquet").height
        day_files = list((tmp_path / "day" / source).glob("*.parquet"))
        on_day = pl.read_parquet(day_files).height if day_files else 0
        assert landed + on_day == whole, source
        if source in DAY_COLUMNS:
            assert on_day == split.day_rows[source] > 0, source
        else:
            assert on_day == 0 and not (tmp_path / "day" / source).exists(), source
    marker = json.loads((data / MARKER).read_text())
    (data / MARKER).write_text(json.dumps({**marker, "generator_version": "0"}))
    assert not generated(data, "tiny", 3)
