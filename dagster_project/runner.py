"""Run the build job in this process, against the persistent Dagster instance.

`govwh build` and the tests use this: the run is recorded in $DAGSTER_HOME, so `dagster dev`
shows it, and every step, materialization and check is reported to a callback as it happens.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import DagsterEvent, DagsterInstance, EventLogEntry

from dagster_project.definitions import build_definitions
from dagster_project.jobs import BUILD_WAREHOUSE_JOB, build_warehouse_job
from dagster_project.settings import REPO_ROOT, Settings

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

DAGSTER_HOME_ENV = "DAGSTER_HOME"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"

# Only errors reach the console logger: progress is shown from the events themselves.
_QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def dagster_home() -> Path:
    """Where Dagster keeps its run history ($DAGSTER_HOME, else <repo>/.dagster_home)."""
    value = os.environ.get(DAGSTER_HOME_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_DAGSTER_HOME


# Local run history only; no usage statistics leave the machine.
_INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def open_instance(home: Path | None = None) -> DagsterInstance:
    """The persistent instance at `home`, created (with its dagster.yaml) if missing."""
    home = home or dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(_INSTANCE_CONFIG)
    return DagsterInstance.from_config(str(home))


class EventKind(Enum):
    STEP_STARTED = "step started"
    STEP_SUCCEEDED = "step succeeded"
    STEP_FAILED = "step failed"
    RUN_FAILED = "run failed"
    MATERIALIZED = "materialized"
    CHECKED = "checked"


@dataclass(frozen=True)
class BuildEvent:
    """One thing that happened in the build, in the terms the CLI shows."""

    kind: EventKind
    step: str | None
    asset: str | None = None  # "schema/table" for materializations and checks
    check: str | None = None
    passed: bool | None = None  # for checks
    rows: int | None = None  # for materializations that report a row count
    message: str | None = None  # for failures


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str


@dataclass(frozen=True)
class BuildResult:
    run_id: str
    success: bool
    failures: list[StepFailure] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    materialized: int = 0
    checks_evaluated: int = 0


@dataclass(frozen=True)
class BuildPlan:
    """What the job will produce, for a progress bar."""

    assets: int
    checks: int


def error_message(error: SerializableErrorInfo | None) -> str:
    """The innermost cause: the loader's or dbt's own words, not Dagster's wrapper."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def _translate(event: DagsterEvent) -> BuildEvent | None:
    step = event.step_key
    if event.is_step_start:
        return BuildEvent(EventKind.STEP_STARTED, step)
    if event.is_step_success:
        return BuildEvent(EventKind.STEP_SUCCEEDED, step)
    if event.is_step_failure:
        message = error_message(event.step_failure_data.error)
        return BuildEvent(EventKind.STEP_FAILED, step, message=message)
    if event.is_run_failure:
        return BuildEvent(
            EventKind.RUN_FAILED, None, message=error_message(event.event_specific_data.error)
        )
    if event.is_step_materialization:
        materialization = event.step_materialization_data.materialization
        rows = materialization.metadata.get("dagster/row_count")
        return BuildEvent(
            EventKind.MATERIALIZED,
            step,
            asset=materialization.asset_key.to_user_string(),
            rows=int(rows.value) if rows is not None else None,
        )
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        return BuildEvent(
            EventKind.CHECKED,
            step,
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
        )
    return None


def build_plan(settings: Settings) -> BuildPlan:
    """What the build job will materialize and check (the reports have jobs of their own)."""
    asset_graph = build_definitions(settings).resolve_asset_graph()
    selection = build_warehouse_job.selection
    return BuildPlan(
        assets=len(selection.resolve(asset_graph)),
        checks=len(selection.resolve_checks(asset_graph)),
    )


def run_build(
    settings: Settings,
    *,
    instance: DagsterInstance,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> BuildResult:
    """Materialize every asset of `settings`' environment; never raises on a failed step."""
    job = build_definitions(settings).resolve_job_def(BUILD_WAREHOUSE_JOB)
    run_id = str(uuid.uuid4())
    failures: list[StepFailure] = []
    failed_checks: list[str] = []
    materialized = checks_evaluated = 0

    def listen(entry: EventLogEntry) -> None:
        nonlocal materialized, checks_evaluated
        if entry.dagster_event is None:
            return
        event = _translate(entry.dagster_event)
        if event is None:
            return
        if event.kind is EventKind.STEP_FAILED:
            failures.append(StepFailure(event.step or "?", event.message or ""))
        elif event.kind is EventKind.RUN_FAILED and not failures:
            # a failure outside any step (e.g. resources), else the step failures say it all
            failures.append(StepFailure("run", event.message or ""))
        elif event.kind is EventKind.CHECKED:
            checks_evaluated += 1
            if not event.passed:
                failed_checks.append(f"{event.asset}: {event.check}")
        elif event.kind is EventKind.MATERIALIZED:
            materialized += 1
        if on_event is not None:
            on_event(event)

    # Events reach the listener as the instance stores them, i.e. while the step runs.
    instance.add_event_listener(run_id, listen)
    result = job.execute_in_process(
        run_config=_QUIET_CONSOLE, instance=instance, run_id=run_id, raise_on_error=False
    )
    return BuildResult(
        run_id, result.success, failures, failed_checks, materialized, checks_evaluated
    )
