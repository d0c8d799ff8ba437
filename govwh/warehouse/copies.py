"""Whole-file copies of the warehouse: the serving copy readers use, and backups.

DuckDB keeps recent writes in a write-ahead log beside the file; a checkpoint moves them into
the file, so a copy of the file alone is the whole database. The copy is written beside its
target and renamed over it: a reader sees the old file or the new one, never half of one.

The copy's writes bypass the page cache (O_DIRECT) where the file system allows it. Through the
cache, a 3.8 GB copy on this machine's disk took 3.6–13.8 s, depending on how much of the
cache was still waiting to be written back (buffered writes: 350–560 MB/s); direct, 2.8–2.9 s
(1.3 GB/s, the disk's own speed; docs/benchmarks.md). Readers then read the new file from the
disk the first time, not from the cache, and the copy does not push the warehouse out of it.
"""

from __future__ import annotations

import errno
import mmap
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from govwh.warehouse.connection import connect


def replace_atomically(source: Path, target: Path) -> int:
    """Copy `source` to `target` through a partial file in target's folder (so the rename is
    atomic). Returns the bytes copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if not _copy_direct(source, partial):
            shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


# Direct I/O writes whole blocks from memory aligned to them: 8 MiB at a time, each a multiple
# of 4096 bytes (the largest logical block size of common disks); the last one is padded, then
# the file is cut back to the source's size.
_CHUNK_BYTES = 8 << 20
_BLOCK_BYTES = 4096


def _copy_direct(source: Path, target: Path) -> bool:
    """Copy `source` to `target` with the target opened O_DIRECT; False where the file system
    (tmpfs, say) or the platform has no direct I/O: the caller then copies through the cache.

    A direct write returns once the disk has the block, so the next block is read meanwhile
    (two buffers, the writes on a second thread): a source that is not in the page cache (a
    province's 21 GB file) is read while the previous block is written."""
    direct = getattr(os, "O_DIRECT", 0)
    if not direct:
        return False
    try:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | direct, 0o644)
    except OSError as error:
        if error.errno == errno.EINVAL:
            return False
        raise
    buffers = [mmap.mmap(-1, _CHUNK_BYTES) for _ in range(2)]  # anonymous: page-aligned
    copied = 0
    try:
        with ThreadPoolExecutor(max_workers=1) as writer, source.open("rb", buffering=0) as reader:
            writing: Future[None] | None = None
            turn = 0
            while read := reader.readinto(buffers[turn]):
                length = -(-read // _BLOCK_BYTES) * _BLOCK_BYTES
                buffers[turn][read:length] = bytes(length - read)
                if writing is not None:
                    writing.result()  # the other buffer is written: it may be read into next
                writing = writer.submit(_write_block, out, buffers[turn], length, target)
                copied += read
                turn = 1 - turn
            if writing is not None:
                writing.result()
        os.ftruncate(out, copied)
    except OSError as error:
        if error.errno == errno.EINVAL:  # opened, but direct writes refused
            return False
        raise
    finally:
        os.close(out)
        for buffer in buffers:
            buffer.close()
    return True


def _write_block(out: int, buffer: mmap.mmap, length: int, target: Path) -> None:
    with memoryview(buffer) as view:
        if os.write(out, view[:length]) != length:
            raise OSError(errno.EIO, f"short write to {target}")


def publish_serving_copy(warehouse: Path, serving: Path) -> int:
    """Checkpoint the warehouse, then replace the serving copy with it atomically. Readers
    (Superset, reports, analysts) never hold a lock on the file the pipeline writes. The
    write connection stays open during the copy: no other process can write meanwhile."""
    with connect(warehouse) as connection:
        connection.execute("checkpoint")
        return replace_atomically(warehouse, serving)
