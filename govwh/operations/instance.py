"""The Dagster instance govwh runs on, as configuration text (no Dagster import): the run
queue admits one run tagged govwh/warehouse at a time, since DuckDB admits one writer; the
event log is Dagster's SQLite one with its connections kept open
(dagster_project.operations.event_log)."""

from __future__ import annotations

import json
from pathlib import Path

WAREHOUSE_TAG = "govwh/warehouse"

QUEUE_CONFIG = f"""concurrency:
  runs:
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        limit: 1
"""

# The same files as Dagster's default SQLite storage (<home>/history/runs), so an instance
# switches to it, and back, without losing its history.
EVENT_LOG_CONFIG = """event_log_storage:
  module: dagster_project.operations.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {runs}
"""
_STORAGE_KEYS = ("storage:", "run_storage:", "event_log_storage:", "schedule_storage:")


def event_log_config(home: Path) -> str:
    return EVENT_LOG_CONFIG.format(runs=json.dumps(str(home.resolve() / "history" / "runs")))


def instance_config(home: Path) -> str:
    """dagster.yaml of a new instance at `home`."""
    return f"""# govwh: local run history only (no usage statistics leave the machine),
# a run queue that launches one warehouse run at a time (DuckDB admits one writer),
# and the SQLite event log with its connections kept open.
telemetry:
  enabled: false
{QUEUE_CONFIG}{event_log_config(home)}"""


WORKSPACE = """load_from:
  - python_module:
      module_name: dagster_project.definitions
      working_directory: {root}
"""


def ensure_instance_config(home: Path) -> Path:
    """`home`/dagster.yaml with the single-writer queue and the pooled event log.

    A file without the queue gets it appended, and a file that names no storage gets the
    event log; a file whose own `concurrency:` section leaves the queue out, or that names
    its own storage (Postgres, say), is kept as the person wrote it.
    """
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(instance_config(home), encoding="utf-8")
        return config
    text = config.read_text(encoding="utf-8")
    lines = text.splitlines()
    additions = []
    if WAREHOUSE_TAG not in text and not any(line.startswith("concurrency:") for line in lines):
        additions.append(f"# added by govwh: one warehouse run at a time\n{QUEUE_CONFIG}")
    if not any(line.startswith(_STORAGE_KEYS) for line in lines):
        additions.append(
            f"# added by govwh: the event log keeps its connections open\n{event_log_config(home)}"
        )
    if additions:
        separator = "" if text.endswith("\n") or not text else "\n"
        config.write_text(text + separator + "".join(additions), encoding="utf-8")
    return config


def write_workspace(home: Path, root: Path) -> Path:
    """The workspace file the webserver and the daemon load the code location from."""
    workspace = home / "workspace.yaml"
    workspace.write_text(WORKSPACE.format(root=root), encoding="utf-8")
    return workspace
