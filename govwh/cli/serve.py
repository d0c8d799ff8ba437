"""`govwh serve up|status|down`: the production stack on loopback (govwh/operations/serve.py)
and Superset (dashboards/server.py), logs in one folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dashboards import cli as superset_cli
from dashboards import server as superset_server
from dashboards.settings import SupersetSettings
from govwh.operations.serve import (
    DEFAULT_LOG_DIR,
    DEFAULT_PORT,
    LOG_DIR_ENV,
    DagsterStack,
    running_pid,
    start_dagster,
    stop_dagster,
    webserver_answers,
)
from govwh.settings import dagster_home

serve_app = typer.Typer(
    help="The production stack on 127.0.0.1: Dagster (webserver, daemon: the daily cycle's "
    "schedule and sensors on) and Superset. docs/operations.md.",
    no_args_is_help=True,
)

PortOption = Annotated[int, typer.Option(help="The Dagster webserver's port.")]


def _stack(port: int = DEFAULT_PORT) -> DagsterStack:
    logs = Path(os.environ.get(LOG_DIR_ENV) or DEFAULT_LOG_DIR)
    return DagsterStack(home=dagster_home(), logs=logs, port=port)


def _link_superset_log(stack: DagsterStack) -> None:
    """Superset keeps its log in its home; a link puts it beside Dagster's."""
    link = stack.log_file("superset")
    target = SupersetSettings.from_env().log_file
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


@serve_app.command()
def up(
    port: PortOption = DEFAULT_PORT,
    superset: Annotated[
        bool, typer.Option("--superset/--no-superset", help="Start Superset too.")
    ] = True,
) -> None:
    """Start the Dagster webserver and daemon (schedules and sensors on) and Superset."""
    console = Console()
    stack = _stack(port)
    try:
        pids = start_dagster(stack)
    except RuntimeError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    for name, pid in pids.items():
        console.print(f"{name} runs (pid {pid})")
    console.print(f"Dagster: {stack.url} (DAGSTER_HOME={stack.home})")
    console.print("the daily cycle is on: build 06:00 Shanghai → forecasts → outbox / bulletin")
    if superset:
        superset_cli.up(publish_dashboards=True)
        _link_superset_log(stack)
    console.print(f"logs: {stack.logs}; stop everything with `govwh serve down` (make serve-stop)")


@serve_app.command()
def status(port: PortOption = DEFAULT_PORT) -> None:
    """Say what runs and whether it answers."""
    console = Console()
    stack = _stack(port)
    healthy = True
    for name in stack.commands():
        pid = running_pid(stack, name)
        healthy &= pid is not None
        console.print(f"{name}: " + (f"runs (pid {pid})" if pid else "[red]not running[/]"))
    answers = webserver_answers(stack)
    healthy &= answers
    console.print(f"Dagster webserver {stack.url}: " + ("answers" if answers else "no answer"))
    state = superset_server.status(SupersetSettings.from_env())
    console.print("Superset: " + ("answers" if state.healthy else "not running or no answer"))
    if not healthy:
        raise typer.Exit(1)


@serve_app.command()
def down(port: PortOption = DEFAULT_PORT) -> None:
    """Stop the Dagster webserver and daemon, and Superset."""
    console = Console()
    stopped = stop_dagster(_stack(port))
    console.print(("stopped " + ", ".join(stopped)) if stopped else "Dagster was not running")
    superset_cli.down()
