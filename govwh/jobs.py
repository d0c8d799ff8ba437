"""Run a Dagster job from plain code: the CLI and the benchmark never import Dagster.

A job runs in a child process, `python -m dagster_project.runner run <job>`, against the
persistent instance in $DAGSTER_HOME (so `dagster dev` shows the run); the child reports every
step, materialization and check as one JSON object per line, which `run_job` turns into
`JobEvent`s for a callback as they happen, and ends with the run's result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from govwh.settings import DAGSTER_HOME_ENV, Settings, dagster_home

BUILD_WAREHOUSE_JOB = "build_warehouse_job"
FORECAST_JOB = "forecast_job"
DAILY_SUPERVISION_JOB = "daily_supervision_job"
WEEKLY_BULLETIN_JOB = "weekly_bulletin_job"
PUBLIC_RELEASE_JOB = "public_release_job"
BACKUP_JOB = "backup_job"
SERVING_JOB = "serving_job"
# The groups of the dbt assets (one per layer of models, and the seeds)
DBT_ASSET_GROUPS = ("seeds", "staging", "intermediate", "marts")


class EventKind(StrEnum):
    PLAN = "plan"  # first line: how many assets and checks the run will produce
    STEP_STARTED = "step started"
    STEP_SUCCEEDED = "step succeeded"
    STEP_FAILED = "step failed"
    RUN_FAILED = "run failed"
    MATERIALIZED = "materialized"
    CHECKED = "checked"


@dataclass(frozen=True)
class JobEvent:
    """One thing that happened in a run, in the terms the CLI shows."""

    kind: EventKind
    step: str | None = None
    asset: str | None = None  # "schema/table" for materializations and checks
    check: str | None = None
    passed: bool | None = None  # for checks
    severity: str | None = None  # for checks: ERROR (a failure blocks) or WARN
    rows: int | None = None  # for materializations that report a row count
    message: str | None = None  # for failures, and what a check found
    assets: int | None = None  # for the plan
    checks: int | None = None  # for the plan
    parts_seconds: dict[str, float] | None = None  # a materialization's own split of its time
    skipped: str | None = None  # a materialization its asset skipped: why (e.g. no source)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, line: str) -> JobEvent:
        data = json.loads(line)
        return cls(**{**data, "kind": EventKind(data["kind"])})


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str


@dataclass(frozen=True)
class JobResult:
    run_id: str
    success: bool
    failures: list[StepFailure] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # "asset: check", ERROR severity
    warned_checks: list[str] = field(default_factory=list)  # failed with WARN severity
    check_messages: dict[str, str] = field(default_factory=dict)  # "asset: check" -> finding
    materialized: int = 0
    checks_evaluated: int = 0
    seconds: float = 0.0  # the run itself, without the child's start-up

    def to_json(self) -> str:
        return json.dumps({"result": asdict(self)})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobResult:
        failures = [StepFailure(**failure) for failure in data.pop("failures", [])]
        return cls(failures=failures, **data)


class RunnerError(RuntimeError):
    """The runner process ended without reporting a result (it crashed or was killed)."""


def run_job(
    settings: Settings,
    job_name: str,
    *,
    assets: list[str] | None = None,
    asset_groups: list[str] | None = None,
    run_config: dict[str, Any] | None = None,
    on_event: Callable[[JobEvent], None] | None = None,
    log_path: Path | None = None,
    home: Path | None = None,
) -> JobResult:
    """Run `job_name` (restricted to `assets`, "schema/table" keys, and the assets of
    `asset_groups`, when given) for the
    environment of `settings`; never raises on a failed step. Whatever the run prints besides
    its events (dbt's log) goes to `log_path`, else to this process's stderr."""
    command = [sys.executable, "-m", "dagster_project.runner", "run", job_name]
    for asset in assets or []:
        command += ["--asset", asset]
    for group in asset_groups or []:
        command += ["--asset-group", group]
    if run_config:
        command += ["--run-config", json.dumps(run_config)]
    environment = {
        **os.environ,
        **settings.environment(),
        DAGSTER_HOME_ENV: str(home or dagster_home()),
    }
    result: JobResult | None = None
    log = log_path.open("w", encoding="utf-8") if log_path else None
    try:
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=log or sys.stderr,
            text=True,
            encoding="utf-8",
            env=environment,
        ) as child:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith('{"result"'):
                    result = JobResult.from_dict(json.loads(line)["result"])
                elif line.startswith('{"kind"'):
                    if on_event is not None:
                        on_event(JobEvent.from_json(line))
                elif log is not None:
                    log.write(line)
                else:
                    sys.stderr.write(line)
    finally:
        if log is not None:
            log.close()
    if result is None:
        where = f" (see {log_path})" if log_path else ""
        raise RunnerError(f"the {job_name} run ended without a result{where}")
    return result


def last_run(job_name: str, home: Path | None = None) -> dict[str, Any] | None:
    """The latest run of `job_name` recorded at `home` (run_id, status, started, ended as ISO
    strings), or None; read by the runner, which does not create an instance there."""
    home = home or dagster_home()
    if not home.is_dir():
        return None
    output = subprocess.run(
        [sys.executable, "-m", "dagster_project.runner", "last-run", job_name],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, DAGSTER_HOME_ENV: str(home)},
    ).stdout
    return json.loads(output) if output.strip() else None
