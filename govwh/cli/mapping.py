"""`govwh mapping suggest` and `govwh mapping check`: onboard a new export's mapping.

suggest drafts the mapping YAML from the file's headers and values; check tries a mapping on
the file as a real load would, loading nothing, and says what the load would do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govwh.ingestion.check import CheckResult, check_file, check_key
from govwh.ingestion.mapping import MappingError
from govwh.ingestion.readers import UnreadableFileError, file_format
from govwh.ingestion.schemas import SOURCES
from govwh.ingestion.suggest import Suggestion, render_yaml, suggest_mapping
from govwh.settings import Settings

mapping_app = typer.Typer(
    help="Onboard an export: draft its source mapping, then check it without loading.",
    no_args_is_help=True,
)

FileArgument = Annotated[Path, typer.Argument(help="The export file (csv, tsv, txt, xlsx, …).")]
SourceOption = Annotated[
    str,
    typer.Option(
        help="service_items, case_logs, hall_tickets, consultations, hotline_calls, "
        "service_guides or service_guide_materials."
    ),
]


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


def _found_columns(console: Console, result: CheckResult) -> None:
    report = result.file.dry_run
    assert report is not None
    schema = SOURCES[result.source]
    table = Table(title="canonical columns", title_justify="left")
    for column in ("canonical column", "required", "header"):
        table.add_column(column, overflow="fold")
    for column in schema.columns:
        header = report.columns.get(column)
        required = column in schema.required
        if header is None and not required:
            continue
        table.add_row(
            column,
            "yes" if required else "",
            Text(header) if header else Text("— (loaded as null)"),
            style="" if header else "dim",
        )
    console.print(table)
    absent = [c for c in schema.columns if c not in report.columns and c not in schema.required]
    if absent:
        console.print(f"optional columns not in the file: {', '.join(absent)}", highlight=False)


def _sample(console: Console, result: CheckResult, rows: int) -> None:
    """The first typed rows, one column per row (canonical columns read down)."""
    report = result.file.dry_run
    assert report is not None
    sample = report.sample.head(rows)
    table = Table(title=f"first {sample.height} rows as typed", title_justify="left")
    table.add_column("canonical column")
    for number in sample["row"]:
        table.add_column(f"row {number}", overflow="fold")
    for column in ["issues", *report.columns]:
        values = sample[column].to_list()  # a handful of values, for display
        table.add_row(column, *(Text("" if v is None else str(v)) for v in values))
    console.print(table)


def _issues(console: Console, result: CheckResult) -> None:
    report = result.file.dry_run
    assert report is not None
    if not report.issues:
        console.print("no row would be rejected or flagged")
        return
    table = Table(title="rows a load would reject or flag", title_justify="left")
    for column in ("reason", "column", "action"):
        table.add_column(column)
    table.add_column("rows", justify="right")
    table.add_column("example", overflow="fold")
    for issue in report.issues:
        style = "red" if issue.action == "rejected" else "yellow"
        table.add_row(
            issue.reason_code,
            issue.column or "",
            issue.action,
            f"{issue.rows:,}",
            Text(issue.example or ""),
            style=style,
        )
    console.print(table)


@mapping_app.command()
def check(
    file: FileArgument,
    source: SourceOption,
    mapping: Annotated[Path, typer.Option(help="The mapping YAML to try.")],
    rows: Annotated[int, typer.Option(help="Typed rows to show (at most 10).")] = 5,
) -> None:
    """Dry-run a load of FILE with MAPPING: columns found, typed rows, rows a load would
    reject or flag by reason. Loads nothing; the counts are those `govwh load` would give."""
    _checked(file, source)
    if not mapping.is_file():
        raise typer.BadParameter(f"{mapping} is not a file", param_hint="--mapping")
    console = _console()
    warehouse = Settings.from_env().warehouse_path
    try:
        result = check_file(file, source, mapping, warehouse, check_key(dict(os.environ)))
    except (MappingError, duckdb.IOException) as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1) from error
    against = str(result.warehouse) if result.warehouse else "a temporary empty warehouse"
    console.print(
        f"dry run of {file.name} as {source} with {mapping} against {against}: nothing loaded",
        highlight=False,
    )
    loaded = result.file
    if loaded.status == "skipped":
        console.print("this file's content was loaded already: a load would skip it")
        return
    if loaded.status == "failed":
        console.print(Text(f"a load would fail: {loaded.error}", style="red"))
        raise typer.Exit(1)
    if loaded.status == "empty" or loaded.dry_run is None:
        console.print("the file holds no rows: a load would record it as empty")
        return
    _found_columns(console, result)
    _sample(console, result, rows)
    _issues(console, result)
    console.print(
        f"rows read {loaded.rows_read:,}, would load {loaded.rows_loaded:,}, "
        f"would reject {loaded.rows_rejected:,}, would flag {loaded.rows_flagged:,}",
        highlight=False,
    )
