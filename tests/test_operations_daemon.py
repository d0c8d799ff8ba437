"""The daily jobs as the daemon runs them: a real dagster-daemon on a temporary instance with
govwh's run queue, on a copy of the built tiny city.

1. The build (tagged as the schedule's: it leaves the serving copy to the day's last writer),
   forecast, bulletin and supervision jobs are fired at the same moment (bulletin first, build
   last): they run one at a time, in the cycle's order, all succeed, and the bulletin reads
   the serving copy the outbox published (there is none before it).
2. A corrupt source file fails the next build: the failure sensor writes a notice naming the
   file, and the serving copy readers see is untouched.
3. With the file removed the next build succeeds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from dagster_project.operations.policy import CYCLE_BUILD_TAGS
from govwh.jobs import (
    BUILD_WAREHOUSE_JOB,
    DAILY_SUPERVISION_JOB,
    FORECAST_JOB,
    WEEKLY_BULLETIN_JOB,
)
from govwh.operations.instance import ensure_instance_config, write_workspace
from govwh.operations.notices import serving_as_of
from govwh.settings import REPO_ROOT, Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

BIN = Path(sys.executable).parent
RUN_WAIT_SECONDS = 900
NOTICE_WAIT_SECONDS = 180


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Site:
    """A copy of the built tiny city with its own Dagster home, outbox and reports."""

    def __init__(self, built: Settings, root: Path) -> None:
        shutil.copytree(built.landing_dir, root / "landing")
        (root / "warehouse").mkdir()
        shutil.copyfile(built.warehouse_path, root / "warehouse" / "govwh.duckdb")
        self.settings = Settings(
            warehouse_path=root / "warehouse" / "govwh.duckdb",
            landing_dir=root / "landing",
            serving_path=root / "warehouse" / "serving" / "govwh.duckdb",
            outbox_dir=root / "outbox",
            bulletin_dir=root / "bulletins",
            public_dir=root / "public",
            backup_dir=root / "backups",
            city_dir=built.city_dir,
        )
        self.home = root / "dagster_home"
        ensure_instance_config(self.home)
        self.workspace = write_workspace(self.home, REPO_ROOT)
        self.env = {
            **os.environ,
            **self.settings.environment(),
            "DAGSTER_HOME": str(self.home),
        }
        self.daemon: subprocess.Popen | None = None

    def dagster(self, *arguments: str) -> None:
        subprocess.run(
            [str(BIN / "dagster"), *arguments, "-w", str(self.workspace)],
            cwd=REPO_ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def launch(
        self, job: str, config: dict | None = None, tags: dict | None = None
    ) -> subprocess.Popen:
        command = [str(BIN / "dagster"), "job", "launch", "-j", job, "-w", str(self.workspace)]
        if config:
            command += ["--config-json", json.dumps(config)]
        if tags:
            command += ["--tags", json.dumps(tags)]
        return subprocess.Popen(
            command, cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def start_daemon(self) -> None:
        log = (self.home / "daemon.log").open("a")
        self.daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(self.workspace)],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_daemon(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            os.killpg(self.daemon.pid, signal.SIGTERM)
            try:
                self.daemon.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.daemon.pid, signal.SIGKILL)

    def runs(self, instance: DagsterInstance) -> list:
        return sorted(
            instance.get_run_records(RunsFilter()),
            key=lambda record: record.create_timestamp,
        )

    def wait_for_runs(self, instance: DagsterInstance, count: int) -> list:
        deadline = time.monotonic() + RUN_WAIT_SECONDS
        while time.monotonic() < deadline:
            records = self.runs(instance)
            if len(records) >= count and all(r.dagster_run.is_finished for r in records):
                return records
            assert self.daemon is not None and self.daemon.poll() is None, self.daemon_log()
            time.sleep(3)
        pytest.fail(f"runs did not finish in {RUN_WAIT_SECONDS} s:\n{self.daemon_log()}")

    def daemon_log(self) -> str:
        path = self.home / "daemon.log"
        return path.read_text()[-4000:] if path.exists() else ""


@pytest.fixture
def site(built_warehouse: Settings, tmp_path: Path) -> Iterator[Site]:
    site = Site(built_warehouse, tmp_path)
    try:
        yield site
    finally:
        site.stop_daemon()


def _submitted_together(
    site: Site, jobs: list[tuple[str, dict | None]], tags: dict[str, dict] | None = None
) -> None:
    """Launch `jobs` (name, run config) at once; `tags`: extra run tags by job name."""
    launches = [site.launch(job, config, (tags or {}).get(job)) for job, config in jobs]
    for launch in launches:
        output, _ = launch.communicate(timeout=300)
        assert launch.returncode == 0, output.decode()


def test_the_daemon_runs_the_daily_jobs_one_at_a_time_and_reports_failures(site: Site) -> None:
    instance = DagsterInstance.from_config(str(site.home))
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        site.dagster("sensor", "start", "failure_notice")
        # 1. fired together, the bulletin first and the build last; no serving copy yet, and
        # the build tagged as the schedule tags it: the outbox, the last writer, publishes
        assert not site.settings.serving_path.exists()
        bulletin = {"ops": {"weekly_bulletin": {"config": {"week": "2018-W52"}}}}
        _submitted_together(
            site,
            [
                (WEEKLY_BULLETIN_JOB, bulletin),
                (DAILY_SUPERVISION_JOB, None),
                (FORECAST_JOB, None),
                (BUILD_WAREHOUSE_JOB, None),
            ],
            tags={BUILD_WAREHOUSE_JOB: CYCLE_BUILD_TAGS},
        )
        queued = site.runs(instance)
        assert {r.dagster_run.status for r in queued} == {DagsterRunStatus.QUEUED}
        site.start_daemon()
        records = site.wait_for_runs(instance, 4)
        assert [r.dagster_run.status for r in records] == [DagsterRunStatus.SUCCESS] * 4, [
            (r.dagster_run.job_name, r.dagster_run.status) for r in records
        ]
        by_start = sorted(records, key=lambda record: record.start_time)
        started = [r.dagster_run.job_name for r in by_start]
        # the bulletin reads the serving copy, so it comes after the outbox that publishes it
        assert started == [
            BUILD_WAREHOUSE_JOB,
            FORECAST_JOB,
            DAILY_SUPERVISION_JOB,
            WEEKLY_BULLETIN_JOB,
        ], started
        for earlier, later in itertools.pairwise(by_start):
            assert later.start_time >= earlier.end_time, "two warehouse runs overlapped"
        # the bulletin read the serving copy the outbox published (the build, tagged as the
        # schedule's, published none): its as-of date is the data's
        as_of = serving_as_of(site.settings.serving_path)
        assert as_of is not None and as_of >= dt.date(2018, 12, 29)  # W52's last working day
        page = (site.settings.bulletin_dir / "bulletin_2018-W52.html").read_text()
        assert f"数据截至 data as of {as_of}" in page
        assert list((site.settings.outbox_dir).glob("*/汇总_部门.*"))

        # 2. a corrupt export fails the next build; readers keep yesterday's copy
        served = _sha256(site.settings.serving_path)
        corrupt = site.settings.landing_dir / "case_logs" / "case_logs_corrupt.parquet"
        corrupt.write_bytes(b"PAR1 this is not a parquet file PAR1")
        _submitted_together(site, [(BUILD_WAREHOUSE_JOB, None)])
        records = site.wait_for_runs(instance, 5)
        assert records[-1].dagster_run.status == DagsterRunStatus.FAILURE
        notices = _wait_for_notice(site.settings.outbox_dir / "failures")
        text = notices[0].read_text(encoding="utf-8")
        assert BUILD_WAREHOUSE_JOB in text and "case_logs_corrupt.parquet" in text, text
        assert f"数据截至 {as_of}" in text, text
        assert _sha256(site.settings.serving_path) == served

        # 3. the file fixed (removed), the next build succeeds
        corrupt.unlink()
        _submitted_together(site, [(BUILD_WAREHOUSE_JOB, None)])
        records = site.wait_for_runs(instance, 6)
        assert records[-1].dagster_run.status == DagsterRunStatus.SUCCESS
        assert serving_as_of(site.settings.serving_path) == as_of
        assert len(list((site.settings.outbox_dir / "failures").glob("*.txt"))) == 1
    finally:
        instance.dispose()


def _wait_for_notice(folder: Path) -> list[Path]:
    deadline = time.monotonic() + NOTICE_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.txt")) if folder.exists() else []
        if found:
            return found
        time.sleep(3)
    pytest.fail(f"no failure notice in {folder} after {NOTICE_WAIT_SECONDS} s")
