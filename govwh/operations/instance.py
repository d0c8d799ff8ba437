"""The Dagster instance govwh runs on, as configuration text (no Dagster import): the run
queue admits one run tagged govwh/warehouse at a time, since DuckDB admits one writer."""

from __future__ import annotations

from pathlib import Path

WAREHOUSE_TAG = "govwh/warehouse"

QUEUE_CONFIG = f"""concurrency:
  runs:
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        limit: 1
"""

INSTANCE_CONFIG = f"""# govwh: local run history only (no usage statistics leave the machine),
# and a run queue that launches one warehouse run at a time (DuckDB admits one writer).
telemetry:
  enabled: false
{QUEUE_CONFIG}"""

WORKSPACE = """load_from:
  - python_module:
      module_name: dagster_project.definitions
      working_directory: {root}
"""


def ensure_instance_config(home: Path) -> Path:
    """`home`/dagster.yaml with the single-writer queue. A file without it gets the queue
    appended; a file whose own `concurrency:` section leaves the queue out is kept as the
    person wrote it (and the jobs' tags do nothing there)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
        return config
    text = config.read_text(encoding="utf-8")
    if WAREHOUSE_TAG not in text and not any(
        line.startswith("concurrency:") for line in text.splitlines()
    ):
        separator = "" if text.endswith("\n") or not text else "\n"
        config.write_text(
            f"{text}{separator}# added by govwh: one warehouse run at a time\n{QUEUE_CONFIG}",
            encoding="utf-8",
        )
    return config


def write_workspace(home: Path, root: Path) -> Path:
    """The workspace file the webserver and the daemon load the code location from."""
    workspace = home / "workspace.yaml"
    workspace.write_text(WORKSPACE.format(root=root), encoding="utf-8")
    return workspace
