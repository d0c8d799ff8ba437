"""The daily cycle: one clock (the 06:00 build), every other job started by the success of
what it needs, on the working-day calendar; the bulletin on Mondays for the week before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import DagsterInstance, RunRequest, build_schedule_context

from dagster_project.definitions import build_definitions
from dagster_project.operations.policy import (
    BUSINESS_DAY_TAG,
    CYCLE_BUILD_TAGS,
    PUBLISH_BY_LAST_WRITER,
    PUBLISH_TAG,
    WAREHOUSE_TAG,
    instance_config,
)
from dagster_project.operations.sensors import business_day
from dagster_project.warehouse.jobs import daily_build_schedule
from govwh.jobs import (
    BACKUP_JOB,
    BUILD_WAREHOUSE_JOB,
    DAILY_SUPERVISION_JOB,
    FORECAST_JOB,
    PUBLIC_RELEASE_JOB,
    SERVING_JOB,
    WEEKLY_BULLETIN_JOB,
)
from govwh.operations.cycle import PRIORITY, next_runs
from govwh.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _after_forecast(day: dt.date) -> dict[str, str]:
    return {run.job: run.run_key for run in next_runs(FORECAST_JOB, day)}


@pytest.mark.parametrize(
    ("day", "supervision"),
    [
        # Spring Festival 2019: 4–10 February off, Saturday 2 and Sunday 3 February worked.
        (dt.date(2019, 2, 1), True),
        (dt.date(2019, 2, 2), True),  # make-up working Saturday
        (dt.date(2019, 2, 3), True),  # make-up working Sunday
        (dt.date(2019, 2, 4), False),
        (dt.date(2019, 2, 5), False),  # Chinese New Year
        (dt.date(2019, 2, 8), False),
        (dt.date(2019, 2, 9), False),
        (dt.date(2019, 2, 10), False),
        (dt.date(2019, 2, 11), True),
        # National Day 2019: make-up Saturday 12 October, ordinary Sunday 13 October.
        (dt.date(2019, 10, 12), True),
        (dt.date(2019, 10, 13), False),
    ],
)
def test_the_outbox_follows_the_forecasts_on_working_days_only(
    day: dt.date, supervision: bool
) -> None:
    runs = _after_forecast(day)
    assert (DAILY_SUPERVISION_JOB in runs) is supervision
    # the day's last writer publishes the serving copy: the outbox, else the serving job
    assert (SERVING_JOB in runs) is not supervision
    if supervision:
        assert runs[DAILY_SUPERVISION_JOB] == f"supervision-{day}"
    else:
        assert runs[SERVING_JOB] == f"serving-{day}"
    assert runs[BACKUP_JOB] == f"backup-{day}"  # a backup every day


def test_days_outside_the_calendar_are_refused() -> None:
    with pytest.raises(Exception, match="outside the working-day calendar"):
        next_runs(FORECAST_JOB, dt.date(2027, 3, 1))


@pytest.mark.parametrize("publisher", [DAILY_SUPERVISION_JOB, SERVING_JOB])
def test_the_bulletin_follows_the_publication_on_mondays_for_the_previous_iso_week(
    publisher: str,
) -> None:
    """The bulletin reads the serving copy: it follows the day's last writer, which published
    it (the outbox on working days, the serving job on the others), never the forecasts."""
    (bulletin,) = next_runs(publisher, dt.date(2019, 6, 10))
    assert (bulletin.job, bulletin.week) == (WEEKLY_BULLETIN_JOB, "2019-W23")
    # across a year boundary: ISO week 2020-W01 runs from Monday 30 December 2019
    (bulletin,) = next_runs(publisher, dt.date(2020, 1, 6))
    assert bulletin.run_key == "bulletin-2020-W01"
    assert next_runs(publisher, dt.date(2019, 6, 11)) == []
    assert not [r for r in next_runs(FORECAST_JOB, dt.date(2019, 6, 10)) if r.week]
    assert [r.job for r in next_runs(WEEKLY_BULLETIN_JOB, dt.date(2019, 6, 10))] == [
        PUBLIC_RELEASE_JOB
    ]
    assert [r.job for r in next_runs(BUILD_WAREHOUSE_JOB, dt.date(2019, 6, 10))] == [FORECAST_JOB]
    assert next_runs(PUBLIC_RELEASE_JOB, dt.date(2019, 6, 10)) == []


def test_a_failed_outbox_still_publishes_and_a_failed_build_starts_nothing() -> None:
    monday = dt.date(2019, 6, 10)
    assert [(r.job, r.run_key) for r in next_runs(DAILY_SUPERVISION_JOB, monday, False)] == [
        (SERVING_JOB, "serving-2019-06-10")
    ]
    assert next_runs(BUILD_WAREHOUSE_JOB, monday, succeeded=False) == []
    assert next_runs(SERVING_JOB, monday, succeeded=False) == []
    # a failed forecast holds back neither the outbox nor the backup
    assert {r.job for r in next_runs(FORECAST_JOB, monday, succeeded=False)} == {
        BACKUP_JOB,
        DAILY_SUPERVISION_JOB,
    }


def test_one_clock_and_every_job_in_the_single_writer_queue(isolated_settings: Settings) -> None:
    definitions = build_definitions(isolated_settings)
    assert [s.name for s in definitions.schedules] == ["daily_build"]
    request = daily_build_schedule(
        build_schedule_context(
            scheduled_execution_time=dt.datetime(2019, 6, 10, 6, 0, tzinfo=SHANGHAI)
        )
    )
    assert isinstance(request, RunRequest)
    assert request.tags[BUSINESS_DAY_TAG] == "2019-06-10"
    # the cycle's build leaves the serving copy to the day's last writer
    assert request.tags[PUBLISH_TAG] == PUBLISH_BY_LAST_WRITER
    assert business_day(request.tags, None) == dt.date(2019, 6, 10)
    for job in PRIORITY:
        tags = definitions.resolve_job_def(job).tags
        assert tags[WAREHOUSE_TAG] == "exclusive"
        assert tags["dagster/priority"] == str(PRIORITY[job])
    # the cycle's order is the queue's: a job never outranks what it needs
    assert (
        PRIORITY[BUILD_WAREHOUSE_JOB]
        > PRIORITY[FORECAST_JOB]
        > PRIORITY[DAILY_SUPERVISION_JOB]
        > PRIORITY[WEEKLY_BULLETIN_JOB]
        > PRIORITY[PUBLIC_RELEASE_JOB]
    )
    assert PRIORITY[SERVING_JOB] > PRIORITY[WEEKLY_BULLETIN_JOB]
    assert PRIORITY[FORECAST_JOB] > PRIORITY[DAILY_SUPERVISION_JOB] > PRIORITY[BACKUP_JOB]
    assert PRIORITY[FORECAST_JOB] > PRIORITY[SERVING_JOB] > PRIORITY[BACKUP_JOB]
    sensors = {sensor.name for sensor in definitions.sensors}
    assert {
        "after_build_warehouse_job",
        "after_forecast_job",
        "after_forecast_job_failure",
        "after_daily_supervision_job",
        "after_daily_supervision_job_failure",
        "after_serving_job",
        "after_weekly_bulletin_job",
        "failure_notice",
    } <= sensors


def test_the_instance_queue_admits_one_warehouse_run(tmp_path) -> None:
    (tmp_path / "dagster.yaml").write_text(instance_config(tmp_path))
    instance = DagsterInstance.from_config(str(tmp_path))
    try:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    finally:
        instance.dispose()
    assert [(limit["key"], limit["limit"]) for limit in limits] == [(WAREHOUSE_TAG, 1)]


def _sensor_requests(sensor_name: str, day: str, settings: Settings) -> list[RunRequest]:
    """Evaluate a cycle sensor of the Definitions on a finished run of the business day."""
    from dagster import build_run_status_sensor_context, job, op

    @op
    def noop() -> None:
        pass

    @job(tags={BUSINESS_DAY_TAG: day})
    def finished() -> None:
        noop()

    instance = DagsterInstance.ephemeral()
    result = finished.execute_in_process(instance=instance)
    sensor = next(s for s in build_definitions(settings).sensors if s.name == sensor_name)
    context = build_run_status_sensor_context(
        sensor_name=sensor_name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_success_event(),
    )
    requests = sensor(context)
    return list(requests) if isinstance(requests, list) else []


def test_the_sensors_request_the_cycle_with_its_business_day(isolated_settings: Settings) -> None:
    monday = _sensor_requests("after_forecast_job", "2019-06-10", isolated_settings)
    by_job = {request.job_name: request for request in monday}
    assert set(by_job) == {BACKUP_JOB, DAILY_SUPERVISION_JOB}
    assert {r.tags[BUSINESS_DAY_TAG] for r in monday} == {"2019-06-10"}
    assert by_job[DAILY_SUPERVISION_JOB].run_key == "supervision-2019-06-10"
    (bulletin,) = _sensor_requests("after_daily_supervision_job", "2019-06-10", isolated_settings)
    assert bulletin.job_name == WEEKLY_BULLETIN_JOB
    assert bulletin.run_config == {"ops": {"weekly_bulletin": {"config": {"week": "2019-W23"}}}}
    (serving,) = _sensor_requests(
        "after_daily_supervision_job_failure", "2019-06-10", isolated_settings
    )
    assert (serving.job_name, serving.run_key) == (SERVING_JOB, "serving-2019-06-10")
    # a statutory holiday: no outbox; the backup, and the serving job publishes the forecasts
    holiday = _sensor_requests("after_forecast_job_failure", "2019-10-01", isolated_settings)
    assert [r.job_name for r in holiday] == [BACKUP_JOB, SERVING_JOB]
    (forecast,) = _sensor_requests("after_build_warehouse_job", "2019-10-01", isolated_settings)
    assert (forecast.job_name, forecast.run_key) == (FORECAST_JOB, "forecast-2019-10-01")


def test_an_existing_instance_config_keeps_its_settings_and_gains_the_queue(tmp_path) -> None:
    from govwh.operations.instance import ensure_instance_config

    config = tmp_path / "dagster.yaml"
    config.write_text("telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true")
    ensure_instance_config(tmp_path)
    text = config.read_text()
    assert "run_monitoring:\n  enabled: true\n" in text and WAREHOUSE_TAG in text
    instance = DagsterInstance.from_config(str(tmp_path))
    try:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    finally:
        instance.dispose()
    assert [(limit["key"], limit["limit"]) for limit in limits] == [(WAREHOUSE_TAG, 1)]
    ensure_instance_config(tmp_path)
    assert config.read_text() == text  # once only


def test_a_cycle_build_leaves_the_serving_copy_to_the_last_writer(tmp_path: Path) -> None:
    """The schedule's build (govwh/publish = last_writer) copies nothing: the outbox or the
    serving job publishes after the forecasts. A build by hand publishes at its end."""
    import duckdb
    from dagster import AssetKey, DagsterEventType, materialize

    from dagster_project.resources import DuckDBWarehouse, ServingCopy
    from dagster_project.serving.assets import serving_warehouse

    warehouse, serving = tmp_path / "govwh.duckdb", tmp_path / "serving" / "govwh.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table answer as select 42 as value")
    resources = {
        "warehouse": DuckDBWarehouse(path=str(warehouse)),
        "serving": ServingCopy(path=str(serving)),
    }

    cycle = materialize([serving_warehouse], resources=resources, tags=CYCLE_BUILD_TAGS)
    assert cycle.success and not serving.exists()
    assert not cycle.get_asset_materialization_events()
    from dagster._core.storage.tags import PARENT_RUN_ID_TAG

    from dagster_project.serving.assets import REEXECUTION_TAG

    assert REEXECUTION_TAG == PARENT_RUN_ID_TAG
    # a cycle build re-executed by hand publishes: the cycle after it may have run already
    reexecuted = materialize(
        [serving_warehouse], resources=resources, tags={**CYCLE_BUILD_TAGS, REEXECUTION_TAG: "x"}
    )
    assert len(reexecuted.get_asset_materialization_events()) == 1 and serving.exists()
    serving.unlink()
    by_hand = materialize([serving_warehouse], resources=resources)
    (event,) = by_hand.get_asset_materialization_events()
    assert event.event_type == DagsterEventType.ASSET_MATERIALIZATION
    assert event.asset_key == AssetKey("serving_warehouse")
    with duckdb.connect(str(serving), read_only=True) as connection:
        assert connection.execute("select value from answer").fetchall() == [(42,)]
