"""`govwh`: generate the demo city, build the warehouse, say what is in it."""

from __future__ import annotations

import datetime as dt
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from bench.cli import register as register_bench_command
from dashboards.cli import dashboards_app, superset_app
from govwh.cli.backup import register as register_backup_commands
from govwh.cli.city import register_city_commands
from govwh.cli.ingest import register as register_ingest_commands
from govwh.cli.mapping import mapping_app
from govwh.cli.reports import register as register_report_commands
from govwh.cli.serve import serve_app
from govwh.jobs import BUILD_WAREHOUSE_JOB, EventKind, JobEvent, RunnerError, run_job
from govwh.settings import CALENDAR_SEED, LANDING_ENV, Settings, dagster_home
from govwh.warehouse.connection import connect

app = typer.Typer(
    help="govwh — the 'Internet + government services' (互联网+政务服务) warehouse.",
    no_args_is_help=True,
    add_completion=False,
)


class Scale(StrEnum):
    tiny = "tiny"
    small = "small"
    city = "city"
    province = "province"


class FileFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    xlsx = "xlsx"


class Headers(StrEnum):
    en = "en"
    zh = "zh"


SeedOption = Annotated[int, typer.Option(help="Random seed: the same seed gives the same city.")]
ScaleOption = Annotated[Scale, typer.Option(help="Size of the demo city.")]


# generate ------------------------------------------------------------------------------------


def _console() -> Console:
    """A console pinned to the stdout of this moment (the build redirects sys.stdout).

    Soft wrap: long lines (paths, error messages) stay whole, for the reader and for grep.
    """
    return Console(file=sys.stdout, soft_wrap=True)


def _generate(
    console: Console,
    landing_dir: Path,
    *,
    seed: int,
    scale: Scale,
    start: dt.date | None = None,
    end: dt.date | None = None,
    fmt: FileFormat = FileFormat.parquet,
    encoding: str = "utf-8",
    headers: Headers = Headers.en,
) -> None:
    from govwh.demo import generate_demo_city  # numpy-heavy: only when generating

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        summary = generate_demo_city(
            landing_dir,
            seed=seed,
            scale=scale.value,
            start=start,
            end=end,
            fmt=fmt.value,
            encoding=encoding,
            headers=headers.value,
            progress=report,
        )
    table = Table(title=f"demo city written to {landing_dir}", title_justify="left")
    table.add_column("source")
    table.add_column("files", justify="right")
    table.add_column("rows", justify="right")
    for source, rows in summary.rows.items():
        table.add_row(source, str(summary.files.get(source, 0)), f"{rows:,}")
    console.print(table)
    console.print(
        f"seed {summary.seed}, scale {summary.scale}, {summary.start} … {summary.end}, "
        f"{summary.seconds:.1f} s"
    )


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from error


@app.command()
def generate(
    seed: SeedOption = 42,
    scale: ScaleOption = Scale.small,
    start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    fmt: Annotated[FileFormat, typer.Option("--format", help="File format.")] = (
        FileFormat.parquet
    ),
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV files.")] = "utf-8",
    headers: Annotated[Headers, typer.Option(help="Column names: English or Chinese.")] = (
        Headers.en
    ),
    landing: Annotated[
        Path | None, typer.Option(help=f"Landing folder (default: ${LANDING_ENV}).")
    ] = None,
) -> None:
    """Write the demo city's sources (catalogue, cases, tickets, consultations, guides) into the
    landing folder."""
    landing_dir = landing or Settings.from_env().landing_dir
    _generate(
        _console(),
        landing_dir,
        seed=seed,
        scale=scale,
        start=_parse_date(start),
        end=_parse_date(end),
        fmt=fmt,
        encoding=encoding,
        headers=headers,
    )


# build ---------------------------------------------------------------------------------------


def _build(console: Console, settings: Settings) -> bool:
    """Run the build job in-process with a live display; print the summary. True on success."""
    console.print(f"[bold]building[/] {settings.warehouse_path} from {settings.landing_dir}")
    began = time.perf_counter()
    # dagster-dbt echoes dbt's log: into a file, the display stays readable
    log_path = dagster_home() / "logs" / f"build-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        assets = progress.add_task("assets", total=None)
        checks = progress.add_task("checks", total=None)

        def show(event: JobEvent) -> None:
            if event.kind is EventKind.PLAN:
                progress.update(assets, total=event.assets)
                progress.update(checks, total=event.checks)
            elif event.kind is EventKind.STEP_STARTED:
                progress.update(assets, description=f"assets · running [cyan]{event.step}[/]")
            elif event.kind is EventKind.MATERIALIZED:
                progress.advance(assets)
                rows = f" ({event.rows:,} rows)" if event.rows is not None else ""
                progress.console.print(f"  [green]✓[/] {event.asset}{rows}")
            elif event.kind is EventKind.CHECKED:
                progress.advance(checks)
                if not event.passed:
                    warning = event.severity == "WARN"
                    mark = "[yellow]⚠ check" if warning else "[red]✗ check"
                    reason = f": {event.message}" if event.message else ""
                    progress.console.print(
                        f"  {mark} {event.check}[/] on {event.asset}{reason}", highlight=False
                    )
            elif event.kind is EventKind.STEP_FAILED:
                progress.console.print(f"  [red]✗ step {event.step} failed[/]")

        try:
            result = run_job(settings, BUILD_WAREHOUSE_JOB, on_event=show, log_path=log_path)
        except RunnerError:
            # the definitions did not load (a broken dbt model fails their parse) or the
            # runner crashed: its own words are in the log
            progress.stop()
            console.print("[bold red]build failed before it started[/] (loading the definitions)")
            console.print(_log_tail(log_path), markup=False, highlight=False)
            console.print(f"log: {log_path}")
            return False
        progress.update(assets, description="assets")

    seconds = time.perf_counter() - began
    if not result.success:
        console.print(f"[bold red]build failed[/] after {seconds:.0f} s (run {result.run_id})")
        for failure in result.failures:
            console.print(f"[red]failed step:[/] {failure.step}")
            console.print(failure.message, markup=False, highlight=False)
        for check in result.failed_checks:
            reason = result.check_messages.get(check)
            console.print(f"[red]failed check:[/] {check}" + (f" — {reason}" if reason else ""))
        console.print(f"dbt's log: {log_path}")
        return False
    console.print(
        f"[bold green]build succeeded[/] in {seconds:.0f} s: {result.materialized} assets "
        f"(run {result.run_id}, history in {dagster_home()})"
    )
    for check in result.warned_checks:
        reason = result.check_messages.get(check)
        console.print(f"[yellow]warning:[/] {check}" + (f" — {reason}" if reason else ""))
    _print_summary(console, settings)
    return True


def _log_tail(log_path: Path, lines: int = 30) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _print_summary(console: Console, settings: Settings) -> None:
    from govwh.reports.headline import headline_metrics
    from govwh.warehouse.lineage import why_empty
    from govwh.warehouse.status import empty_sources, table_rows

    console.print(f"warehouse:    {settings.warehouse_path}")
    console.print(f"serving copy: {settings.serving_path} (open it read-only)")
    with connect(settings.serving_path, read_only=True) as connection:
        marts = table_rows(connection, schema="marts")
        absent = empty_sources(connection)
        city = connection.execute(
            "select city_name, city_region_code, config_dir from city.city_profile"
        ).fetchall()
    for name, code, folder in city:
        console.print(f"city:         {name} ({code}), configured in {folder}")
    table = Table(title="marts", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("note")
    for mart in marts:
        rows = "view" if mart.rows is None else f"{mart.rows:,}"
        note = (why_empty(mart.name, absent) or "") if mart.rows == 0 else ""
        table.add_row(mart.name, rows, note, style="dim" if note else "")
    console.print(table)
    if absent:
        console.print(
            f"[yellow]absent sources:[/] {', '.join(sorted(absent))} — nothing loaded; "
            "the marts that need them are empty (docs/onboarding.md)"
        )
    console.print("[bold]headline metrics[/] (city-wide, latest month):")
    for metric in headline_metrics(settings.serving_path):
        console.print(f"  {metric.formatted()}")


@app.command()
def build() -> None:
    """Materialize every asset in-process: load the landing files, dbt build, serving copy."""
    if not _build(_console(), Settings.from_env()):
        raise typer.Exit(code=1)


@app.command()
def demo(seed: SeedOption = 42, scale: ScaleOption = Scale.small) -> None:
    """Generate the demo city and build the warehouse from it."""
    console = _console()
    settings = Settings.from_env()
    _generate(console, settings.landing_dir, seed=seed, scale=scale)
    if not _build(console, settings):
        raise typer.Exit(code=1)
    console.print(
        "\nto see the asset graph and this run: [bold]make dev[/] "
        "(or DAGSTER_HOME=.dagster_home .venv/bin/dagster dev), then open http://127.0.0.1:3000"
    )


# status / calendar ---------------------------------------------------------------------------


@app.command()
def status() -> None:
    """What is in the warehouse: tables and row counts, source periods, the last run."""
    from govwh.warehouse.status import warehouse_status

    console = _console()
    report = warehouse_status(Settings.from_env(), dagster_home())
    console.print(f"[bold]warehouse[/] {report.warehouse_path}")
    if report.read_from not in (None, report.warehouse_path):
        console.print(f"read from {report.read_from}")
    if report.note:
        console.print(f"[yellow]{report.note}[/]")
    if report.readable:
        tables = Table(title="tables", title_justify="left")
        for column in ("schema", "table", "kind"):
            tables.add_column(column)
        tables.add_column("rows", justify="right")
        for row in report.tables:
            rows = "" if row.rows is None else f"{row.rows:,}"
            tables.add_row(row.schema, row.name, row.kind, rows)
        console.print(tables)
        for period in report.periods:
            console.print(f"{period.label:>22}: {period.first} … {period.last}")
    run = report.last_run
    if run is None:
        console.print("last run: none recorded")
    else:
        started = f"{run.started:%Y-%m-%d %H:%M:%S}" if run.started else "-"
        ended = f"{run.ended:%Y-%m-%d %H:%M:%S}" if run.ended else "-"
        console.print(f"last run: {run.run_id} {run.status} (started {started}, ended {ended})")


@app.command()
def calendar(
    first_year: Annotated[
        int, typer.Option(help="First year (a city's exports may start earlier).")
    ] = 2016,
    last_year: Annotated[int, typer.Option(help="Last year.")] = 2026,
) -> None:
    """Regenerate seeds/calendar.csv (working days) from the chinesecalendar package, for the
    years the city's data covers (the package knows 2004–2026; a later official calendar can
    be appended to the seed by hand)."""
    from govwh.calendar import write_calendar_seed

    try:
        days = write_calendar_seed(CALENDAR_SEED, first_year, last_year)
    except (NotImplementedError, ValueError) as error:
        _console().print(f"[red]{error}[/red] (chinesecalendar covers 2004–2026)")
        raise typer.Exit(1) from error
    _console().print(
        f"wrote {days:,} days ({first_year}–{last_year}) to {CALENDAR_SEED}; "
        "`govwh build` rebuilds on it"
    )


# forecast, bulletin, supervise, sql, docs: reports and read-only access
register_report_commands(app)
# load, rejects: exports loaded by hand, and what was wrong with them
register_ingest_commands(app)
# mapping suggest, mapping check: onboard a new export's mapping
app.add_typer(mapping_app, name="mapping")
# init, city check: the city's configuration folder
register_city_commands(app)
# the local Superset and the dashboards as code
app.add_typer(superset_app, name="superset")
app.add_typer(dashboards_app, name="dashboards")
# backup, restore: checked backups of the warehouse
register_backup_commands(app)
# serve up|status|down: the production stack (Dagster webserver and daemon, Superset)
app.add_typer(serve_app, name="serve")
# bench: the pipeline benchmark at a scale (docs/benchmarks.md, "Scale")
register_bench_command(app)


if __name__ == "__main__":
    app()
