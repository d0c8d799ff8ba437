"""Whole-file copies of the warehouse: the serving copy readers use, and backups.

DuckDB keeps recent writes in a write-ahead log beside the file; a checkpoint moves them into
the file, so a copy of the file alone is the whole database. The copy is written beside its
target and renamed over it: a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from govwh.warehouse.connection import connect


def replace_atomically(source: Path, target: Path) -> int:
    """Copy `source` to `target` through a partial file in target's folder (so the rename is
    atomic). Returns the bytes copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def publish_serving_copy(warehouse: Path, serving: Path) -> int:
    """Checkpoint the warehouse, then replace the serving copy with it atomically. Readers
    (Superset, reports, analysts) never hold a lock on the file the pipeline writes. The
    write connection stays open during the copy: no other process can write meanwhile."""
    with connect(warehouse) as connection:
        connection.execute("checkpoint")
        return replace_atomically(warehouse, serving)
