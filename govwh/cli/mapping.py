"""`govwh mapping suggest` and `govwh mapping check`: onboard a new export's mapping.

suggest drafts the mapping YAML from the file's headers and values; check tries a mapping on
the file as a real load would, loading nothing, and says what the load would do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govwh.ingestion.readers import UnreadableFileError, file_format
from govwh.ingestion.schemas import SOURCES
from govwh.ingestion.suggest import Suggestion, render_yaml, suggest_mapping

mapping_app = typer.Typer(
    help="Onboard an export: draft its source mapping, then check it without loading.",
    no_args_is_help=True,
)

FileArgument = Annotated[Path, typer.Argument(help="The export file (csv, tsv, txt, xlsx, …).")]
SourceOption = Annotated[str, typer.Option(help="service_items, case_logs or hall_tickets.")]


def _console(stderr: bool = False) -> Console:
    return Console(file=sys.stderr if stderr else sys.stdout, soft_wrap=True)


def _checked(path: Path, source: str) -> None:
    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a file", param_hint="FILE")
    if file_format(path) is None:
        raise typer.BadParameter(f"{path.name}: not a file type govwh reads", param_hint="FILE")
    if source not in SOURCES:
        raise typer.BadParameter(f"choose one of {', '.join(SOURCES)}", param_hint="--source")


def _summary(suggestion: Suggestion) -> Table:
    table = Table(title=f"{suggestion.path.name} → {suggestion.source.name}", title_justify="left")
    for column in ("canonical column", "required", "header", "found by", "note"):
        table.add_column(column, overflow="fold")
    for match in suggestion.columns:
        if match.header is None and not match.required:
            continue
        header = match.header or "MISSING"
        note = match.note or ""
        if match.timestamp_format:
            note = f"format {match.timestamp_format}" + (f"; {note}" if note else "")
        if match.coming:
            note = "new column, written as a comment" + (f"; {note}" if note else "")
        style = "red" if match.header is None else ""
        table.add_row(
            match.column,
            "yes" if match.required else "",
            Text(header),  # headers and values as they are, never read as rich markup
            match.found_by or "",
            Text(note),
            style=style,
        )
    return table


@mapping_app.command()
def suggest(
    file: FileArgument,
    source: SourceOption,
    out: Annotated[
        Path | None, typer.Option(help="Write the draft here (default: to stdout).")
    ] = None,
) -> None:
    """Draft a mapping YAML from FILE's headers and values, and say what was found."""
    _checked(file, source)
    try:
        suggestion = suggest_mapping(file, source)
    except UnreadableFileError as error:
        _console(stderr=True).print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1) from error
    text = render_yaml(suggestion)
    report = _console(stderr=out is None)  # the YAML alone on stdout, to redirect
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    report.print(_summary(suggestion))
    found, missing = suggestion.found, suggestion.missing_required
    report.print(
        f"{len(found)} canonical columns found, {len(missing)} required missing"
        + (f" ({', '.join(m.column for m in missing)}: TODO lines in the draft)" if missing else "")
        + (f"; draft written to {out}" if out else ""),
        highlight=False,
    )
