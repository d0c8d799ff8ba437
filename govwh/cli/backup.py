"""`govwh backup` and `govwh restore`: checked backups (govwh/warehouse/backup.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govwh.settings import Settings
from govwh.warehouse.backup import (
    BackupError,
    create_backup,
    find_backup,
    list_backups,
    restore_backup,
    verify_backup,
)
from govwh.warehouse.copies import publish_serving_copy


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)


def backup(
    keep: Annotated[
        int | None,
        typer.Option(help="Backups to keep, newest first (default GOVWH_BACKUP_KEEP, 7)."),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the backups and check each; take none.")
    ] = False,
) -> None:
    """Back up the warehouse: a checkpointed copy with its SHA-256 and row counts, checked
    after it is written; the oldest beyond --keep are removed. Run while no build runs (the
    Dagster backup job runs after each successful build)."""
    console = Console()
    settings = Settings.from_env()
    if list_only:
        _print_backups(console, settings)
        return
    try:
        made = create_backup(
            settings.warehouse_path, settings.backup_dir, keep or settings.backup_keep
        )
    except (BackupError, OSError) as error:
        console.print(f"[red]backup failed:[/] {error}")
        raise typer.Exit(1) from error
    console.print(
        f"backed up {settings.warehouse_path} to {made.database} ({made.size:,} bytes, "
        f"{len(made.tables)} tables, data as of {made.data_as_of or '-'}), checked"
    )


def _print_backups(console: Console, settings: Settings) -> None:
    backups = list_backups(settings.backup_dir)
    if not backups:
        console.print(f"no backup in {settings.backup_dir}")
        return
    table = Table(title=f"backups in {settings.backup_dir}", title_justify="left")
    for column in ("name", "taken (UTC)", "data as of", "bytes", "check"):
        table.add_column(column)
    for item in backups:
        problems = verify_backup(item)
        table.add_row(
            item.name,
            f"{item.created_at:%Y-%m-%d %H:%M:%S}",
            str(item.data_as_of or "-"),
            f"{item.size:,}",
            "ok" if not problems else f"[red]{problems[0]}[/]",
        )
    console.print(table)


def restore(
    name: Annotated[
        str | None, typer.Argument(help="The backup (its folder name); default the newest.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing.")] = False,
) -> None:
    """Restore the warehouse from a backup once it checks out (checksum and row counts), keep
    the replaced file beside it (.before-restore), and publish the serving copy again."""
    console = Console()
    settings = Settings.from_env()
    try:
        chosen = find_backup(settings.backup_dir, name)
        if not yes:
            typer.confirm(
                f"replace {settings.warehouse_path} with backup {chosen.name} "
                f"(data as of {chosen.data_as_of or '-'})?",
                abort=True,
            )
        kept = restore_backup(chosen, settings.warehouse_path)
        publish_serving_copy(settings.warehouse_path, settings.serving_path)
    except (BackupError, OSError) as error:
        console.print(f"[red]restore failed:[/] {error}")
        raise typer.Exit(1) from error
    console.print(f"restored {settings.warehouse_path} from backup {chosen.name}, checked")
    if kept:
        console.print(f"the replaced file is kept as {kept}")
    console.print(f"serving copy published again: {settings.serving_path}")
    console.print(
        "the next `govwh build` loads what landed after the backup (the landing folder is "
        "kept) and rebuilds"
    )
