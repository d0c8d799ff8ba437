"""Typer sub-apps: `govwh superset up|down|status` and `govwh dashboards publish|screenshots`.

Mount them into the main CLI with `app.add_typer(superset_app, name="superset")` and
`app.add_typer(dashboards_app, name="dashboards")`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dashboards import server
from dashboards.api import SupersetApi
from dashboards.browser import check_dashboards
from dashboards.publish import PublishResult, publish
from dashboards.security import apply_security
from dashboards.settings import DEMO_ENV, MissingPasswordError, SupersetSettings
from dashboards.venv import ensure_venv

# Where the documentation keeps its screenshots of the demo city's dashboards.
SCREENSHOTS_DIR = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

superset_app = typer.Typer(help="The local Apache Superset (127.0.0.1).", no_args_is_help=True)
dashboards_app = typer.Typer(
    help="Dashboards as code, published into Superset.", no_args_is_help=True
)


def _console() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def _password(settings: SupersetSettings) -> str:
    try:
        return settings.admin_password()
    except MissingPasswordError as error:
        _console().print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error


def _report(console: Console, result: PublishResult) -> None:
    console.print(
        f"published {result.dashboards} dashboards, {result.charts} charts, "
        f"{result.datasets} datasets"
    )
    for dataset, tables in result.skipped.items():
        console.print(f"[yellow]skipped dataset {dataset}: {'; '.join(tables)}[/yellow]")


def _publish_report_charts(console: Console, result: PublishResult) -> None:
    for chart, reasons in result.skipped_charts.items():
        console.print(f"[yellow]skipped chart {chart}: {'; '.join(reasons)}[/yellow]")


def _publish(console: Console, settings: SupersetSettings, password: str) -> PublishResult:
    # The skipped datasets and charts are reported below; the publisher's log would repeat them.
    logging.getLogger("dashboards.publish").setLevel(logging.ERROR)
    api = SupersetApi(settings.url, settings.admin_user, password)
    result = publish(api, settings.serving_path)
    apply_security(api, result)
    _report(console, result)
    _publish_report_charts(console, result)
    return result


@superset_app.command()
def up(
    publish_dashboards: Annotated[
        bool, typer.Option("--publish/--no-publish", help="Publish the dashboards once up.")
    ] = True,
) -> None:
    """Install Superset (first time), initialise its metadata, start it, publish dashboards."""
    console = _console()
    settings = SupersetSettings.from_env()
    password = _password(settings)
    if ensure_venv(settings.venv):
        console.print(f"installed Superset into {settings.venv}")
    server.initialise(settings, password)
    pid = server.start(settings)
    console.print(f"Superset is up (pid {pid}): {settings.url}")
    if publish_dashboards:
        if settings.serving_path.exists():
            _publish(console, settings, password)
        else:
            console.print(
                f"[yellow]no serving copy at {settings.serving_path}: "
                "build the warehouse, then `govwh dashboards publish`[/yellow]"
            )
    console.print(f"login: {settings.admin_user}")
    if settings.demo and not settings.admin_password_env:
        console.print(f"password (demo, kept in {settings.demo_password_file}): {password}")
    else:
        console.print("password: the value of GOVWH_SUPERSET_ADMIN_PASSWORD")


@superset_app.command()
def down() -> None:
    """Stop the local Superset."""
    settings = SupersetSettings.from_env()
    stopped = server.stop(settings)
    _console().print("Superset stopped" if stopped else "Superset was not running")


@superset_app.command()
def status() -> None:
    """Say whether the local Superset runs and answers."""
    settings = SupersetSettings.from_env()
    state = server.status(settings)
    if not state.running:
        _console().print("Superset is not running")
        raise typer.Exit(1)
    health = "healthy" if state.healthy else "not answering"
    _console().print(f"Superset runs (pid {state.pid}, {health}): {settings.url}")


@dashboards_app.command("publish")
def publish_command() -> None:
    """Publish (or update) every dashboard, chart and dataset, and the district roles."""
    settings = SupersetSettings.from_env()
    if not server.status(settings).healthy:
        _console().print(
            f"[red]Superset does not answer at {settings.url}: govwh superset up[/red]"
        )
        raise typer.Exit(1)
    _publish(_console(), settings, _password(settings))


@dashboards_app.command("screenshots")
def screenshots_command(
    out: Annotated[
        Path, typer.Option(help="Folder of the screenshots (one <slug>.png per dashboard).")
    ] = SCREENSHOTS_DIR,
) -> None:
    """Screenshot every dashboard of the running Superset as the admin, in headless Chromium.

    The docs' screenshots come from this command after `make demo` (the small demo city),
    never from the test suite. Fails when a chart shows an error.
    """
    console = _console()
    settings = SupersetSettings.from_env()
    if not server.status(settings).healthy:
        console.print(f"[red]Superset does not answer at {settings.url}: govwh superset up[/red]")
        raise typer.Exit(1)
    api = SupersetApi(settings.url, settings.admin_user, _password(settings))
    slugs = sorted(
        row["slug"]
        for row in api.list_all("dashboard", ["slug"])
        if (row.get("slug") or "").startswith("govwh-")
    )
    session = check_dashboards(settings, settings.admin_user, _password(settings), slugs, out)
    failed = [check for check in session.dashboards if check.errors]
    for check in session.dashboards:
        state = "[red]chart errors[/red]" if check.errors else "ok"
        console.print(f"{check.slug}: {check.charts} charts, {state} → {check.screenshot}")
    if failed:
        raise typer.Exit(1)


__all__ = ["DEMO_ENV", "dashboards_app", "superset_app"]
