"""`govwh bulletin`, `govwh publish`, `govwh supervise`, `govwh sql`, `govwh docs`: reports and
read-only access."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from govwh.analyst import (
    ServingCopyMissingError,
    generate_docs,
    interactive_shell,
    run_query,
    serve_docs,
)
from govwh.jobs import (
    FORECAST_JOB,
    SERVING_JOB,
    EventKind,
    JobEvent,
    RunnerError,
    run_job,
)
from govwh.reports.bulletin import StaleDataError, build_weekly_bulletin, parse_iso_week
from govwh.reports.outbox import LISTINGS, OutboxError, write_alert_outbox
from govwh.reports.publication import ReleaseNotAvailableError, parse_month, write_public_release
from govwh.settings import Settings, dagster_home
from govwh.warehouse.connection import connect
from govwh.warehouse.dbt import ReportMartsError, build_report_marts


def _console() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def _require_warehouse(settings: Settings) -> None:
    if not settings.warehouse_path.exists():
        hint = "run `govwh demo` or `govwh build`"
        _console().print(f"[red]no warehouse at {settings.warehouse_path}[/red]: {hint}")
        raise typer.Exit(1)


def bulletin(
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2019-W23.")],
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the HTML and PDF [default: $GOVWH_BULLETIN_DIR]."),
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also print a PDF with Chromium.")] = True,
) -> None:
    """每周通报: write the weekly bulletin of WEEK as HTML (and PDF) from the marts."""
    console = _console()
    settings = Settings.from_env()
    _require_warehouse(settings)
    try:
        iso_week = parse_iso_week(week)
        # the daily build leaves the bulletin's marts to the bulletin (dbt tag bulletin)
        build_report_marts(settings, "bulletin")
        result = build_weekly_bulletin(
            settings.warehouse_path, iso_week, out or settings.bulletin_dir, pdf=pdf
        )
    except (ValueError, StaleDataError, ReportMartsError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"bulletin {result.week.label} (data as of {result.data.freshness.as_of}):")
    console.print(f"  {result.html_path}")
    if result.pdf_path:
        console.print(f"  {result.pdf_path}")


def publish(
    month: Annotated[
        str | None,
        typer.Option(help="Month to publish, e.g. 2019-06 [default: the latest complete one]."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Release folder [default: $GOVWH_PUBLIC_DIR, data/public]."),
    ] = None,
) -> None:
    """政务公开: write the public release (CSV, JSON, schemas, an offline Chinese page)."""
    console = _console()
    settings = Settings.from_env()
    _require_warehouse(settings)
    try:
        chosen = parse_month(month) if month else None
        # the daily build leaves the release's mart to the release (dbt tag publication)
        build_report_marts(settings, "publication")
        release = write_public_release(
            settings.warehouse_path, out or settings.public_dir, month=chosen
        )
    except (ValueError, ReleaseNotAvailableError, ReportMartsError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"public release (data as of {release.data_as_of}, "
        f"cells under {release.min_cell_size} withheld) in {release.folder}:"
    )
    for period in release.periods:
        console.print(
            f"  {period.label}: {period.records} figures, {period.suppressed} withheld: "
            f"{period.csv_path.name}, {period.json_path.name}"
        )
    console.print(
        f"  {release.page_path.name}, {release.package_path.name}, {release.schema_path.name}"
    )


def supervise(
    outbox: Annotated[
        Path | None,
        typer.Option(help="Outbox folder [default: $GOVWH_OUTBOX_DIR, data/outbox]."),
    ] = None,
    file_format: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
) -> None:
    """电子监察: write today's new red/yellow alerts per department and district into the outbox.

    Run again on the same day, it writes the same files (the day's folder is replaced whole).
    """
    console = _console()
    settings = Settings.from_env()
    _require_warehouse(settings)
    try:
        result = write_alert_outbox(
            settings.warehouse_path, outbox or settings.outbox_dir, file_format=file_format
        )
    except (ValueError, OutboxError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"{result.alerts_new} new of {result.alerts_total} open alerts as of {result.as_of_date}: "
        f"{len(result.department_files)} department files, {len(result.district_files)} "
        f"district files and the summaries {result.summary_file.name}, "
        f"{result.district_summary_file.name} in {result.folder}"
    )
    for listing in LISTINGS:
        if files := result.listing_files.get(listing.name):
            console.print(
                f"  {listing.folder}: {result.listing_new[listing.name]} new entries in "
                f"{len(files)} department files"
            )


def _show(columns: list[str], rows: list[tuple], limit: int = 200) -> None:
    table = Table(*columns)
    for row in rows[:limit]:
        table.add_row(*("" if value is None else str(value) for value in row))
    console = _console()
    console.print(table)
    if len(rows) > limit:
        console.print(f"… {len(rows) - limit} more rows")


def sql(
    query: Annotated[str | None, typer.Argument(help="SQL to run; none = interactive.")] = None,
) -> None:
    """Query the serving copy read-only (nothing you run can change the warehouse)."""
    settings = Settings.from_env()
    try:
        if query:
            _show(*run_query(settings, query))
        else:
            interactive_shell(settings, _show)
    except ServingCopyMissingError as error:
        _console().print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


def docs(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
    serve: Annotated[bool, typer.Option(help="Serve the site after generating it.")] = True,
) -> None:
    """Generate the dbt documentation site (data dictionary, lineage) and serve it."""
    settings = Settings.from_env()
    try:
        index = generate_docs(settings)
    except ServingCopyMissingError as error:
        _console().print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    _console().print(f"dbt docs generated: {index}")
    if serve:
        _console().print(f"serving on http://127.0.0.1:{port} (Ctrl-C to stop)")
        serve_docs(settings, port)


def forecast() -> None:
    """Train, backtest and forecast arrivals, hall traffic, staffing and backlog.

    Only what the loaded sources allow: per forecast table, its rows or why it was skipped
    (e.g. no case logs loaded); a skipped table is not in the warehouse."""
    console = _console()
    settings = Settings.from_env()
    _require_warehouse(settings)
    log_path = dagster_home() / "logs" / f"forecast-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # forecast table -> why it was skipped, or None when this run wrote or kept it
    outcome: dict[str, str | None] = {}

    def collect(event: JobEvent) -> None:
        if event.kind is EventKind.MATERIALIZED and (event.asset or "").startswith("forecast/"):
            outcome[(event.asset or "").removeprefix("forecast/")] = event.skipped

    with console.status("forecasting: training, backtesting, staffing, backlog …"):
        try:
            result = run_job(settings, FORECAST_JOB, log_path=log_path, on_event=collect)
            # the forecast job writes; the serving job publishes what it wrote, as the daily
            # cycle does after it
            if result.success:
                published = run_job(
                    settings, SERVING_JOB, log_path=log_path.with_suffix(".serving.log")
                )
        except RunnerError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
    if not result.success:
        for failure in result.failures:
            console.print(f"[red]{failure.step}: {failure.message}[/red]", highlight=False)
        console.print(f"log: {log_path}")
        raise typer.Exit(1)
    from forecasting.warehouse import forecast_tables

    with connect(settings.warehouse_path, read_only=True) as connection:
        existing = forecast_tables(connection)
        for name, reason in outcome.items():
            if reason is None and name in existing:
                count = connection.sql(f"select count(*) from forecast.{name}").fetchall()[0][0]
                console.print(f"  forecast.{name}: {count:,} rows", highlight=False)
            elif reason is not None:
                console.print(f"  forecast.{name}: skipped: {reason}", highlight=False)
    for check, message in result.check_messages.items():
        console.print(f"  check {check}: {message}", highlight=False)
    if not published.success:
        for failure in published.failures:
            console.print(f"[red]{failure.step}: {failure.message}[/red]", highlight=False)
        console.print(f"the forecasts are written, the serving copy is not: log {log_path}")
        raise typer.Exit(1)
    console.print(f"serving copy republished: {settings.serving_path}")


def roster(
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the files [default: <outbox>/排班, beside the outbox]."),
    ] = None,
) -> None:
    """排班表: write each hall's roster (shifts per working day, hourly coverage) as XLSX.

    From the serving copy's forecast.rosters (written by `govwh forecast`)."""
    from govwh.reports.rosters import RosterError, write_rosters

    console = _console()
    settings = Settings.from_env()
    if not settings.serving_path.exists():
        console.print(
            f"[red]no serving copy at {settings.serving_path}[/red]: run `govwh forecast`"
        )
        raise typer.Exit(1)
    folder = out or settings.outbox_dir / "排班"
    try:
        export = write_rosters(settings.serving_path, folder)
    except RosterError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"{len(export.files)} hall rosters, {export.days} working days "
        f"({export.first_day} … {export.last_day}) in {folder}"
    )


def whatif(
    upgrade_top: Annotated[
        int, typer.Option(help="Upgrade the N first depth-upgrade candidates to full-online.")
    ] = 0,
    move_online: Annotated[
        float, typer.Option(help="Move X points of the city's hall share of cases online.")
    ] = 0.0,
) -> None:
    """What if: hall arrivals, windows, staff, backlog and headline rates under a scenario.

    Reads the serving copy; writes the scenario's rows to forecast.whatif_scenarios (other
    scenarios kept) and publishes the serving copy again, for the planning dashboard."""
    from forecasting.whatif import Scenario, read_inputs, run_scenario, write_scenario
    from govwh.warehouse.copies import publish_serving_copy

    console = _console()
    settings = Settings.from_env()
    _require_warehouse(settings)
    try:
        scenario = Scenario(upgrade_top=upgrade_top, move_online_points=move_online)
        with console.status(f"what if: {scenario.describe()} … (re-planning staff)"):
            result = run_scenario(read_inputs(settings.serving_path), scenario)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    table = Table(title=f"{scenario.scenario_id}: {scenario.describe()}", title_justify="left")
    for column in ("metric", "baseline", "scenario", "change", "scenario 80 %"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    rates = {"online_case_share", "one_trip_rate", "zero_trip_rate"}
    for row in result.filter(pl.col("scope") == "CITY").iter_rows(named=True):
        shown = "{:.1%}" if row["metric"] in rates else "{:,.0f}"
        band = (
            f"{row['scenario_lo80']:,.0f} – {row['scenario_hi80']:,.0f}"
            if row["scenario_lo80"] is not None
            else ""
        )
        change = (
            f"{row['delta'] * 100:+.1f} pts" if row["metric"] in rates else f"{row['delta']:+,.0f}"
        )
        table.add_row(
            row["metric"],
            shown.format(row["baseline"]),
            shown.format(row["scenario"]),
            change,
            band,
        )
    console.print(table)
    write_scenario(settings.warehouse_path, result)
    publish_serving_copy(settings.warehouse_path, settings.serving_path)
    console.print(
        f"{result.height} rows (city and every hall) in forecast.whatif_scenarios; "
        f"serving copy republished: {settings.serving_path}"
    )


def register(app: typer.Typer) -> None:
    for command in (forecast, bulletin, publish, supervise, sql, docs, roster, whatif):
        app.command()(command)
