"""The daily cycle's sensors and the failure notice.

Each job starts on the success of what it needs (govwh.operations.cycle.next_runs), for the
business day of the cycle (a tag passed along from the daily build); the run queue runs them
one at a time. A failed run of any job writes a notice in the outbox (and the event log, and
a webhook or e-mail when configured) naming the step and the reason and what readers still see.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorDefinition,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
)

from dagster_project.operations.errors import error_message
from dagster_project.operations.policy import BUSINESS_DAY_TAG
from govwh.operations.cycle import next_runs
from govwh.operations.notices import (
    FailureNotice,
    StepFailure,
    send_failure_notice,
    serving_as_of,
    write_failure_notice,
)
from govwh.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# a job object as define_asset_job returns it (resolved when the Definitions are built)
AnyJob = Any


def business_day(tags: dict[str, str], started: float | None) -> dt.date:
    """The cycle's day: the tag the daily build set, else the day the run started (Shanghai)."""
    if tag := tags.get(BUSINESS_DAY_TAG):
        return dt.date.fromisoformat(tag)
    moment = dt.datetime.fromtimestamp(started, SHANGHAI) if started else dt.datetime.now(SHANGHAI)
    return moment.date()


def _run_start(context: RunStatusSensorContext) -> float | None:
    record = context.instance.get_run_record_by_id(context.dagster_run.run_id)
    return record.start_time if record else None


def cycle_sensor(
    upstream: AnyJob,
    downstream: list[AnyJob],
    status: DagsterRunStatus = DagsterRunStatus.SUCCESS,
) -> SensorDefinition:
    """Start the jobs that follow `upstream` in the daily cycle when its run ends in `status`
    (success; failure where the cycle goes on: the outbox does not need the forecasts, and
    a failed outbox still has the serving job publish)."""
    suffix = "" if status == DagsterRunStatus.SUCCESS else f"_{status.value.lower()}"

    @run_status_sensor(
        name=f"after_{upstream.name}{suffix}",
        run_status=status,
        monitored_jobs=[upstream],
        request_jobs=downstream,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"When {upstream.name} ends in {status.value}: "
        + ", ".join(job.name for job in downstream)
        + " (govwh.operations.cycle).",
    )
    def start_next(context: RunStatusSensorContext) -> list[RunRequest] | SkipReason:
        day = business_day(context.dagster_run.tags, _run_start(context))
        runs = next_runs(upstream.name, day, succeeded=status == DagsterRunStatus.SUCCESS)
        if not runs:
            return SkipReason(f"nothing follows {upstream.name} on {day}")
        return [
            RunRequest(
                run_key=run.run_key,
                job_name=run.job,
                tags={BUSINESS_DAY_TAG: day.isoformat()},
                run_config=(
                    {"ops": {"weekly_bulletin": {"config": {"week": run.week}}}} if run.week else {}
                ),
            )
            for run in runs
        ]

    return start_next


def failure_notice_sensor(settings: Settings) -> SensorDefinition:
    """A notice for every failed run of the code location, written to the outbox."""

    @run_failure_sensor(
        name="failure_notice",
        default_status=DefaultSensorStatus.STOPPED,
        description="Writes a failure notice (outbox/failures, the event log; webhook or e-mail "
        "when configured) naming the failed step and why, and the as-of date readers still see.",
    )
    def notify(context: RunFailureSensorContext) -> None:
        notice = failure_notice(context, settings.serving_path)
        path = write_failure_notice(settings.outbox_dir, notice)
        context.log.error(f"{notice.job} failed: notice written to {path}\n{notice.text()}")
        for channel in send_failure_notice(notice):
            context.log.info(f"failure notice sent by {channel}")

    return notify


def failure_notice(context: RunFailureSensorContext, serving: Path) -> FailureNotice:
    run = context.dagster_run
    failures = [
        StepFailure(
            event.step_key or "run",
            (error_message(event.step_failure_data.error) if event.step_failure_data else "")
            or event.message
            or "",
        )
        for event in context.get_step_failure_events()
    ]
    if not failures and context.failure_event.message:
        failures = [StepFailure("run", context.failure_event.message)]
    record = context.instance.get_run_record_by_id(run.run_id)
    failed_at = (
        dt.datetime.fromtimestamp(record.end_time, SHANGHAI)
        if record and record.end_time
        else dt.datetime.now(SHANGHAI)
    )
    return FailureNotice(
        job=run.job_name,
        run_id=run.run_id,
        failed_at=failed_at,
        failures=failures,
        serving_as_of=serving_as_of(serving),
        business_day=business_day(run.tags, record.start_time if record else None),
    )
