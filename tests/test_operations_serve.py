"""`govwh serve up|status|down` (without Superset here: the Superset tests start it): the
Dagster webserver and daemon start on loopback with the daily cycle switched on, logs in one
folder, and one command stops them."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance
from dagster._core.scheduler.instigation import InstigatorStatus
from typer.testing import CliRunner

from dashboards.server import free_port
from govwh.cli import app
from govwh.operations.serve import DagsterStack, running_pid

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_serve_starts_the_daily_cycle_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, logs = tmp_path / "dagster_home", tmp_path / "logs"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("GOVWH_LOG_DIR", str(logs))
    # `serve down` stops Superset too: never a developer's own one
    monkeypatch.setenv("GOVWH_SUPERSET_HOME", str(tmp_path / "superset_home"))
    port = str(free_port())
    runner = CliRunner()
    stack = DagsterStack(home=home, logs=logs, port=int(port))
    try:
        started = runner.invoke(app, ["serve", "up", "--no-superset", "--port", port])
        assert started.exit_code == 0, started.output
        assert f"http://127.0.0.1:{port}" in started.output
        pids = {name: running_pid(stack, name) for name in stack.commands()}
        assert all(pids.values()), pids
        assert "govwh/warehouse" in (home / "dagster.yaml").read_text()
        instance = DagsterInstance.from_config(str(home))
        try:
            states = {s.name: s.status for s in instance.all_instigator_state()}
        finally:
            instance.dispose()
        for name in ("daily_build", "after_build_warehouse_job", "failure_notice"):
            assert states.get(name) == InstigatorStatus.RUNNING, states
        assert {p.name for p in logs.iterdir()} >= {"dagster-webserver.log", "dagster-daemon.log"}
        # up twice: the running processes are kept, not doubled
        again = runner.invoke(app, ["serve", "up", "--no-superset", "--port", port])
        assert again.exit_code == 0, again.output
        assert {name: running_pid(stack, name) for name in stack.commands()} == pids
    finally:
        stopped = runner.invoke(app, ["serve", "down", "--port", port])
    assert stopped.exit_code == 0, stopped.output
    assert "dagster-webserver" in stopped.output and "dagster-daemon" in stopped.output
    assert all(running_pid(stack, name) is None for name in stack.commands())
    status = runner.invoke(app, ["serve", "status", "--port", port])
    assert status.exit_code == 1 and "not running" in status.output
