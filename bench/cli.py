"""`govwh bench`: the pipeline benchmark at a scale, written into docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from govwh.settings import REPO_ROOT

if TYPE_CHECKING:
    from bench.harness import StageResult

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"


class BenchScale(StrEnum):
    tiny = "tiny"
    small = "small"
    city = "city"
    province = "province"


def bench(
    scale: Annotated[BenchScale, typer.Option(help="Size of the demo city.")] = BenchScale.small,
    seed: Annotated[int, typer.Option(help="Random seed of the demo city.")] = 42,
    output: Annotated[
        Path, typer.Option(help="Markdown file the table is written into (its Scale section).")
    ] = DEFAULT_OUTPUT,
    work: Annotated[
        Path | None,
        typer.Option(help="Folder for the run's warehouse and logs (default: a temporary one)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the generated city, reused when it holds this scale/seed "
            "(default: ~/.cache/govwh/bench/<scale>-seed<seed>)."
        ),
    ] = None,
    repeat: Annotated[int, typer.Option(help="Timed runs of each dashboard query.")] = 20,
    reference: Annotated[
        bool, typer.Option(help="Also time the plain-DuckDB reference and compare.")
    ] = True,
    notes: Annotated[str, typer.Option(help="A remark printed above the table.")] = "",
    keep: Annotated[bool, typer.Option(help="Keep the work folder after the run.")] = False,
) -> None:
    """Benchmark the pipeline stage by stage (load, dbt full and one-day incremental build,
    forecasts, serving copy, outbox, dashboard queries; the daily cycle they make; plain-DuckDB
    reference) and write the table."""
    from bench.harness import STAGE_LABELS, StageFailedError, run_benchmark
    from bench.report import markdown, targets, write_block

    console = Console(file=sys.stdout, soft_wrap=True)
    folder = work or Path(tempfile.mkdtemp(prefix=f"govwh-bench-{scale.value}-"))
    when = dt.datetime.now(dt.UTC)
    console.print(f"[bold]govwh bench[/] scale {scale.value}, work folder {folder}")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def show(name: str, result: StageResult | None) -> None:
            label = STAGE_LABELS.get(name, name)
            if result is None:
                tasks[name] = progress.add_task(label, total=1)
                return
            progress.update(tasks[name], completed=1)
            rows = "" if result.rows is None else f", {result.rows:,} rows"
            progress.console.print(
                f"  [green]✓[/] {label}: {result.wall_seconds:.1f} s{rows}, "
                f"peak {result.peak_rss_bytes / 1e9:.2f} GB"
            )

        try:
            run = run_benchmark(
                scale.value,
                seed=seed,
                work=folder,
                data=data,
                repeat=repeat,
                reference=reference,
                on_stage=show,
            )
        except StageFailedError as error:
            console.print(f"[bold red]benchmark failed[/]: {error}", markup=False)
            raise typer.Exit(1) from error
    block = markdown(run, when=when, notes=notes)
    write_block(output, scale.value, block)
    console.print(block, markup=False, highlight=False)
    console.print(f"written to {output}")
    for met, text in targets(run):
        console.print(f"{'[green]✓' if met else '[red]✗'}[/] {text}")
    if not keep and work is None:
        shutil.rmtree(folder, ignore_errors=True)
    if run.reference_equal is False:
        console.print("[bold red]the reference and the marts differ[/]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(bench)
