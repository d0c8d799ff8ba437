"""`govwh load`, `govwh rejects` and `govwh unload`: load exports by hand, see what was wrong
with them, and take a load back out (to load a corrected file)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from govwh.ingestion.loader import LoadResult, load_files
from govwh.ingestion.mapping import MappingError
from govwh.ingestion.ops import MANIFEST, QUARANTINE, Removed
from govwh.ingestion.pseudonymise import MissingPiiKeyError, PseudonymisationKey
from govwh.ingestion.readers import file_format
from govwh.ingestion.schemas import SOURCES
from govwh.ingestion.unload import NothingToUnloadError, unload_load
from govwh.settings import Settings
from govwh.warehouse.connection import connect

DEMO_MARKER = "_generation.json"


def _console() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def _files_of(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_file() and file_format(p) and p.name[0] not in "_."
    )


def _source_of(path: Path, source: str | None) -> str:
    folder = path if path.is_dir() else path.parent
    name = source or folder.name
    if name not in SOURCES:
        raise typer.BadParameter(
            f"say which source {path} holds: --source {' / '.join(SOURCES)}", param_hint="--source"
        )
    return name


def _is_demo(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    return any((f / DEMO_MARKER).exists() for f in (folder, folder.parent))


def _show_result(console: Console, result: LoadResult) -> None:
    table = Table(title=f"{result.source} → {result.table}", title_justify="left")
    table.add_column("file", overflow="fold")  # the file's name whole: it is what to look for
    for column in ("status", "mapping"):
        table.add_column(column)
    for column in ("read", "loaded", "rejected", "flagged"):
        table.add_column(column, justify="right")
    for f in result.files:
        style = {"failed": "red", "skipped": "dim"}.get(f.status, "")
        counts = [f"{n:,}" for n in (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_flagged)]
        status = "already loaded" if f.status == "skipped" else f.status
        table.add_row(f.path.name, status, f.mapping or "", *counts, style=style)
    console.print(table)
    for f in result.files:
        for removed in f.replaced:
            _show_removed(console, removed, f"replaced by {f.path.name}: ")
    for f in result.failed:
        console.print(f"[red]{f.path.name}:[/] {f.error}", highlight=False)
    console.print(
        f"{result.table} now holds {result.rows:,} rows; "
        f"{result.total('rows_rejected'):,} rows rejected in this load "
        "(`govwh rejects` lists them); run `govwh build` to refresh the marts."
    )


def load(
    path: Annotated[Path, typer.Argument(help="A file, or a folder of files, to load.")],
    source: Annotated[
        str | None,
        typer.Option(
            help="service_items, case_logs, hall_tickets, consultations, hotline_calls, "
            "service_guides or service_guide_materials (default: the folder name)."
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="Source mapping YAML (default: the folder's _mapping.yaml, else ours)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Unload earlier loads of the same file (same path or same content) and load "
            "it again, in one transaction per batch.",
        ),
    ] = False,
) -> None:
    """Load one export file or folder into the raw tables (new files only), then say how it went."""
    console = _console()
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist", param_hint="PATH")
    name = _source_of(path, source)
    files = _files_of(path)
    if not files:
        console.print(f"[red]no file to load in {path}[/] (parquet, csv, tsv, txt, xlsx, jsonl)")
        raise typer.Exit(1)
    try:
        key = PseudonymisationKey.from_env(demo=_is_demo(path))
        with connect(Settings.from_env().warehouse_path) as connection:
            result = load_files(connection, SOURCES[name], files, key, mapping, replace=replace)
    except (MissingPiiKeyError, MappingError, duckdb.IOException) as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1) from error
    _show_result(console, result)
    if result.failed:
        raise typer.Exit(1)


def _show_removed(console: Console, removed: Removed, prefix: str = "") -> None:
    loaded = f", loaded {removed.loaded_at:%Y-%m-%d %H:%M:%S}" if removed.loaded_at else ""
    console.print(
        f"{prefix}unloaded {removed.source}/{removed.file_name} (load {removed.load_id}{loaded}): "
        f"{removed.rows_raw:,} rows removed from {SOURCES[removed.source].raw_table}, "
        f"{removed.rows_quarantine:,} from {QUARANTINE}",
        highlight=False,
    )
    if removed.rows_raw != removed.rows_loaded:
        console.print(
            f"[yellow]the manifest said {removed.rows_loaded:,} rows were loaded[/]",
            highlight=False,
        )


def unload(
    target: Annotated[
        str,
        typer.Argument(
            help="The file (matched by its content or path), its name or path as loaded, "
            "or a load_id of ops.load_manifest.",
            metavar="FILE_OR_LOAD_ID",
            show_default=False,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            help="service_items, case_logs, hall_tickets, consultations, hotline_calls, "
            "service_guides or service_guide_materials (when a name is ambiguous)."
        ),
    ] = None,
) -> None:
    """Take one load back out of the warehouse (its raw rows and rejects), keeping its
    history in ops.load_manifest (status unloaded): load the corrected file after."""
    console = _console()
    if source is not None and source not in SOURCES:
        raise typer.BadParameter(f"one of {' / '.join(SOURCES)}", param_hint="--source")
    warehouse = Settings.from_env().warehouse_path
    if not warehouse.exists():
        console.print(f"[red]no warehouse at {warehouse}[/]: nothing to unload")
        raise typer.Exit(1)
    try:
        with connect(warehouse) as connection:
            removed = unload_load(connection, target, source)
    except (NothingToUnloadError, duckdb.IOException) as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1) from error
    _show_removed(console, removed)
    console.print(
        "its manifest row stays (status unloaded); the next `govwh build` rebuilds the marts "
        "in full, since an incremental run cannot see deleted rows."
    )


def _where(source: str | None, file: str | None, reason: str | None, flagged: bool) -> tuple:
    conditions, parameters = [], []
    file = Path(file).name if file else None  # a path names its file
    for column, value in (("source", source), ("file_name", file), ("reason_code", reason)):
        if value:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    if not flagged:
        conditions.append("action = 'rejected'")
    return (" where " + " and ".join(conditions)) if conditions else "", parameters


def rejects(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file (its name or path).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    flagged: Annotated[
        bool, typer.Option(help="Also rows loaded with a flag (e.g. unknown item code).")
    ] = False,
    limit: Annotated[int, typer.Option(help="Rows to list.")] = 50,
) -> None:
    """List the rows ingestion rejected (ops.load_quarantine): file, row, column, value, reason."""
    console = _console()
    warehouse = Settings.from_env().warehouse_path
    if not warehouse.exists():
        console.print(f"[red]no warehouse at {warehouse}[/]: run `govwh build` or `govwh load`")
        raise typer.Exit(1)
    where, parameters = _where(source, file, reason, flagged)
    failed_where, failed_parameters = _where(source, file, None, True)
    with connect(warehouse, read_only=True) as connection:
        if not connection.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ops' "
            "and table_name = 'load_quarantine'"
        ).fetchall()[0][0]:
            console.print("nothing loaded through the manifest yet: no rejects")
            return
        summary = connection.execute(
            f"select source, file_name, reason_code, action, count(distinct row_number) "
            f"from {QUARANTINE}{where} group by all order by 1, 2, 3",
            parameters,
        ).fetchall()
        rows = connection.execute(
            f"select source, file_name, row_number, column_name, value, reason, action "
            f"from {QUARANTINE}{where} order by loaded_at, file_name, row_number "
            f"limit {int(limit)}",
            parameters,
        ).fetchall()
        # the files that failed (and were not loaded since), of the same source and file
        failed = connection.execute(
            f"select source, file_name, error from (select * from {MANIFEST}{failed_where}) "
            f"as m where status = 'failed' and not exists (select 1 from {MANIFEST} as later "
            "where later.file_checksum = m.file_checksum and later.status in ('loaded', 'empty')) "
            "qualify row_number() over (partition by file_checksum order by started_at desc) = 1",
            failed_parameters,
        ).fetchall()
    _print_rejects(console, summary, rows, failed, limit)


def _print_rejects(
    console: Console, summary: list[tuple], rows: list[tuple], failed: list[tuple], limit: int
) -> None:
    for source, name, error in failed:
        console.print(f"[red]file not loaded[/] {source}/{name}: {error}", highlight=False)
    if not summary:
        console.print("no rejected rows" + (" for this filter" if failed else ""))
        return
    totals = Table(title="rows by file and reason", title_justify="left")
    for column in ("source", "file", "reason", "action"):
        totals.add_column(column)
    totals.add_column("rows", justify="right")
    for *labels, count in summary:
        totals.add_row(*labels, f"{count:,}")
    console.print(totals)
    detail = Table(title=f"first {limit} problems", title_justify="left")
    for column in ("source", "file", "row", "column", "value", "reason", "action"):
        detail.add_column(column, overflow="fold")
    for row in rows:
        detail.add_row(*("" if v is None else str(v) for v in row))
    console.print(detail)


def register(app: typer.Typer) -> None:
    for command in (load, rejects, unload):
        app.command()(command)
