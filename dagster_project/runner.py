"""The one job runner: run a job in this process against the persistent Dagster instance.

`python -m dagster_project.runner run <job> [--asset schema/table ...] [--run-config JSON]`
is how the CLI and the benchmark run jobs (govwh.jobs.run_job starts it): the run is recorded
in $DAGSTER_HOME, so `dagster dev` shows it, and every step, materialization and check is
printed as it happens, one JSON object per line (govwh.jobs.JobEvent), then the result.
`python -m dagster_project.runner last-run <job>` prints the job's latest recorded run.
Tests call `run_job` in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterEvent,
    DagsterInstance,
    EventLogEntry,
    JobDefinition,
    RunsFilter,
)

from dagster_project.definitions import build_definitions
from dagster_project.operations.errors import error_message
from govwh.jobs import (
    BUILD_WAREHOUSE_JOB,
    EventKind,
    JobEvent,
    JobResult,
    StepFailure,
)
from govwh.operations.instance import ensure_instance_config
from govwh.settings import Settings, dagster_home

# Only errors reach the console logger: progress is shown from the events themselves.
_QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def open_instance(home: Path | None = None) -> DagsterInstance:
    """The persistent instance at `home`, created (with its dagster.yaml) if missing."""
    home = home or dagster_home()
    ensure_instance_config(home)
    return DagsterInstance.from_config(str(home))


def _translate(event: DagsterEvent) -> JobEvent | None:
    step = event.step_key
    if event.is_step_start:
        return JobEvent(EventKind.STEP_STARTED, step)
    if event.is_step_success:
        return JobEvent(EventKind.STEP_SUCCEEDED, step)
    if event.is_step_failure:
        message = error_message(event.step_failure_data.error)
        return JobEvent(EventKind.STEP_FAILED, step, message=message)
    if event.is_run_failure:
        return JobEvent(
            EventKind.RUN_FAILED,
            step,
            message=error_message(event.event_specific_data.error)
            if event.event_specific_data is not None
            else event.message,
        )
    if event.is_step_materialization:
        materialization = event.step_materialization_data.materialization
        rows = materialization.metadata.get("dagster/row_count")
        parts = materialization.metadata.get("seconds")
        skipped = materialization.metadata.get("skipped")
        return JobEvent(
            EventKind.MATERIALIZED,
            step,
            asset=materialization.asset_key.to_user_string(),
            rows=int(rows.value) if rows is not None else None,
            parts_seconds=parts.value if parts is not None else None,
            skipped=str(skipped.value) if skipped is not None else None,
        )
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        return JobEvent(
            EventKind.CHECKED,
            step,
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
            severity=evaluation.severity.value if evaluation.severity is not None else None,
            message=evaluation.description,
        )
    return None


def _plan(job: JobDefinition, selection: list[AssetKey] | None) -> JobEvent:
    layer = (job.get_subset(asset_selection=set(selection)) if selection else job).asset_layer
    return JobEvent(
        EventKind.PLAN,
        assets=len(layer.selected_asset_keys),
        checks=len(layer.asset_graph.asset_check_keys),
    )


def job_plan(
    settings: Settings, job_name: str = BUILD_WAREHOUSE_JOB, assets: list[str] | None = None
) -> JobEvent:
    """What a run of `job_name` will materialize and check (a PLAN event)."""
    job = build_definitions(settings).resolve_job_def(job_name)
    return _plan(job, [AssetKey.from_user_string(a) for a in assets] if assets else None)


def run_job(
    settings: Settings,
    job_name: str = BUILD_WAREHOUSE_JOB,
    *,
    instance: DagsterInstance,
    assets: list[str] | None = None,
    asset_groups: list[str] | None = None,
    run_config: dict[str, Any] | None = None,
    on_event: Callable[[JobEvent], None] | None = None,
) -> JobResult:
    """Run `job_name` (only `assets`, "schema/table" keys, and the assets of `asset_groups`,
    when given) for the environment of
    `settings`; never raises on a failed step. The first event is the plan (how many assets
    and checks the run produces)."""
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(job_name)
    selection = [AssetKey.from_user_string(asset) for asset in assets or []]
    if asset_groups:
        graph = definitions.resolve_asset_graph()
        selection += sorted(AssetSelection.groups(*asset_groups).resolve(graph))
    selection = selection or None
    if on_event is not None:
        on_event(_plan(job, selection))
    run_id = str(uuid.uuid4())
    failures: list[StepFailure] = []
    failed_checks: list[str] = []
    warned_checks: list[str] = []
    check_messages: dict[str, str] = {}
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
            name = f"{event.asset}: {event.check}"
            if event.message:
                check_messages[name] = event.message
            if not event.passed:
                (warned_checks if event.severity == "WARN" else failed_checks).append(name)
        elif event.kind is EventKind.MATERIALIZED:
            materialized += 1
        if on_event is not None:
            on_event(event)

    # Events reach the listener as the instance stores them, i.e. while the step runs.
    instance.add_event_listener(run_id, listen)
    began = time.perf_counter()
    result = job.execute_in_process(
        run_config={**_QUIET_CONSOLE, **(run_config or {})},
        instance=instance,
        run_id=run_id,
        asset_selection=selection,
        raise_on_error=False,
    )
    return JobResult(
        run_id,
        result.success,
        failures,
        failed_checks,
        warned_checks,
        check_messages,
        materialized,
        checks_evaluated,
        seconds=time.perf_counter() - began,
    )


def last_run(job_name: str, home: Path) -> dict[str, Any] | None:
    """The latest run of `job_name` recorded at `home` (no instance is created there)."""
    if not (home / "dagster.yaml").exists() and not home.is_dir():
        return None
    instance = DagsterInstance.from_config(str(home))
    try:
        records = instance.get_run_records(filters=RunsFilter(job_name=job_name), limit=1)
    finally:
        instance.dispose()
    if not records:
        return None
    record = records[0]
    return {
        "run_id": record.dagster_run.run_id,
        "job_name": record.dagster_run.job_name,
        "status": record.dagster_run.status.value,
        "start_time": record.start_time,
        "end_time": record.end_time,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.runner")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a job, printing its events as JSON lines")
    run.add_argument("job")
    run.add_argument("--asset", action="append", default=[], help="schema/table (repeatable)")
    run.add_argument("--asset-group", action="append", default=[], help="asset group (repeatable)")
    run.add_argument("--run-config", default="", help="Dagster run config as JSON")
    latest = commands.add_parser("last-run", help="print the job's latest recorded run (JSON)")
    latest.add_argument("job")
    arguments = parser.parse_args(argv)

    if arguments.command == "last-run":
        summary = last_run(arguments.job, dagster_home())
        if summary is not None:
            print(json.dumps(summary))
        return 0

    # Our events own stdout; whatever else is printed (dagster-dbt echoes dbt's log) goes
    # to stderr, which the caller sends to a log file.
    events = sys.stdout

    def emit(event: JobEvent) -> None:
        events.write(event.to_json() + "\n")
        events.flush()

    with contextlib.redirect_stdout(sys.stderr):
        result = run_job(
            Settings.from_env(),
            arguments.job,
            instance=open_instance(),
            assets=arguments.asset or None,
            asset_groups=arguments.asset_group or None,
            run_config=json.loads(arguments.run_config) if arguments.run_config else None,
            on_event=emit,
        )
    events.write(result.to_json() + "\n")
    events.flush()
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
