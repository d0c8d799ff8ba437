"""Dagster's SQLite event log, keeping its connections open.

Dagster's `SqliteEventLogStorage` builds a SQLAlchemy engine, opens a SQLite connection and
disposes of both for every read and write, and its commits wait for the disk (SQLite's default
`synchronous=FULL`). A daily build stores about 2,000 events (a planned event, then an asset
check evaluation, for each of 517 dbt data tests; a materialization for each model), so at
city scale the run's process spent 19.5 s of CPU storing events beside dbt's two threads on
two cores (py-spy, docs/benchmarks.md, "Daily cycle").

This storage is the same storage (the same files, schema and locking; an instance can switch
to it and back) with two changes:

- one engine per database file, whose pool keeps one connection open; the storage already
  serialises its connections behind a lock, so one connection is all it ever uses at a time;
  the engines of the least recently used run files are closed beyond a few;
- `PRAGMA synchronous=NORMAL` on each connection: the files are in WAL mode, where SQLite
  documents NORMAL as safe from corruption; a power cut may lose the last events written,
  never the file.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Run files whose engines stay open (the index file's always does): a run writes to its own
# file and the index; the webserver reads a few runs' files at a time.
OPEN_RUN_FILES = 8


def _relax_synchronous(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with an open connection per database file (module docstring).

    Configured in the instance's dagster.yaml (govwh.operations.instance):

        event_log_storage:
          module: dagster_project.operations.event_log
          class: PooledSqliteEventLogStorage
          config:
            base_dir: <DAGSTER_HOME>/history/runs
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The open engine of `shard`'s file (called with the storage's lock held)."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            # one connection stays open; creating a file's tables opens a second one
            # (Dagster inspects the schema inside a connection), closed when returned
            pool_size=1,
            max_overflow=4,
            # the lock, not the thread, decides who uses the connection (the webserver reads
            # from several threads, one at a time)
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _relax_synchronous)
        self._engines[shard] = engine
        run_files = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in run_files[: max(0, len(run_files) - OPEN_RUN_FILES)]:
            self._engines.pop(name).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        # asked before writing each asset event's tags, with a connection open (so it cannot
        # take the lock); Dagster's answer opens a new engine each time. A table, once there,
        # stays: only its presence is remembered.
        if table_name not in self._tables_present and super().has_table(table_name):
            self._tables_present.add(table_name)
        return table_name in self._tables_present

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        # the run files are deleted: no connection may stay open on a deleted file
        self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
