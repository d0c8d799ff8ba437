"""`govwh init` and `govwh city check`: a city's configuration folder, drafted and checked.

init drafts a new city's folder from the exports already loaded into the warehouse (the
documented onboarding order: load the exports, init, fill the gaps, build); check reads a
folder as the build would and lists its problems and its gaps, loading nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from govwh.city.gaps import configuration_gaps
from govwh.city.read import CityConfigError, calendar_years, read_city
from govwh.city.scaffold import Observed, ScaffoldError, observe, scaffold_city
from govwh.settings import CALENDAR_SEED, CITY_ENV, Settings
from govwh.warehouse.connection import connect

city_app = typer.Typer(
    help="The city's configuration folder (docs/city-configuration.md).", no_args_is_help=True
)


def _console() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def _print_gaps(console: Console, gaps: list[str]) -> None:
    if not gaps:
        console.print("nothing missing")
        return
    console.print(f"[bold]still missing ({len(gaps)})[/bold] — the build runs without them:")
    for gap in gaps:
        console.print(f"  • {gap}")


def init(
    folder: Annotated[Path, typer.Argument(help="The new city's folder (must be empty).")],
    name: Annotated[str, typer.Option(help="The city's name, e.g. 广安市.")],
    name_en: Annotated[str | None, typer.Option(help="English name.")] = None,
    region_code: Annotated[
        str | None,
        typer.Option(
            help="The city's region code (default: the prefecture the exports' "
            "GB/T 2260 codes belong to)."
        ),
    ] = None,
) -> None:
    """Draft a city's configuration folder from the exports loaded into the warehouse."""
    console = _console()
    settings = Settings.from_env()
    observed = Observed.nothing()
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True, settings=settings) as connection:
            observed = observe(connection)
    else:
        console.print(f"no warehouse at {settings.warehouse_path}: drafting without exports")
    try:
        written = scaffold_city(
            folder, observed, name=name, name_en=name_en, region_code=region_code
        )
    except ScaffoldError as error:
        console.print(f"[red]init failed:[/red] {error}")
        raise typer.Exit(1) from error
    config = read_city(folder, calendar_years(CALENDAR_SEED))
    console.print(f"wrote {folder}:")
    for path in written:
        rows = config.tables.get(path.stem)
        console.print(f"  {path.name}" + (f" ({rows.height} rows)" if rows is not None else ""))
    _print_gaps(console, configuration_gaps(config))
    console.print(
        f"next: fill the gaps, then `export {CITY_ENV}={folder.resolve()}` and `govwh build`"
    )


@city_app.command()
def check(
    folder: Annotated[
        Path | None, typer.Argument(help=f"The folder (default: ${CITY_ENV}, else the demo).")
    ] = None,
) -> None:
    """Read a city folder as the build would: its problems (by file, line and column) and
    what it still lacks. Loads nothing."""
    console = _console()
    folder = folder or Settings.from_env().city_dir
    try:
        config = read_city(folder, calendar_years(CALENDAR_SEED))
    except CityConfigError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    counts = ", ".join(f"{name} {frame.height}" for name, frame in config.tables.items())
    console.print(f"{config.profile.name} ({config.profile.region_code}), {folder}: {counts}")
    _print_gaps(console, configuration_gaps(config))


def register_city_commands(app: typer.Typer) -> None:
    app.command(name="init")(init)
    app.add_typer(city_app, name="city")
