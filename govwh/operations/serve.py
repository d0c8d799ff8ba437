"""The local production stack: the Dagster webserver and daemon (the run queue, schedules and
sensors on) beside Superset, on loopback, each in its own process group with a pid file, their
logs in one folder (`govwh serve up|status|down`, `make serve` / `make serve-stop`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from govwh.operations.instance import ensure_instance_config, write_workspace
from govwh.settings import REPO_ROOT

HOST = "127.0.0.1"
DEFAULT_PORT = 3000
LOG_DIR_ENV = "GOVWH_LOG_DIR"
DEFAULT_LOG_DIR = REPO_ROOT / "logs" / "serve"


@dataclass(frozen=True)
class DagsterStack:
    home: Path  # DAGSTER_HOME: run history, the queue's config, the schedules' state
    logs: Path
    port: int = DEFAULT_PORT

    @property
    def bin(self) -> Path:
        return Path(sys.executable).parent

    @property
    def workspace(self) -> Path:
        return self.home / "workspace.yaml"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def pid_file(self, name: str) -> Path:
        return self.home / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "DAGSTER_HOME": str(self.home)}

    def commands(self) -> dict[str, list[str]]:
        workspace = ["-w", str(self.workspace)]
        return {
            "dagster-webserver": [
                str(self.bin / "dagster-webserver"),
                "-h",
                HOST,
                "-p",
                str(self.port),
                *workspace,
            ],
            "dagster-daemon": [str(self.bin / "dagster-daemon"), "run", *workspace],
        }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    return True


def running_pid(stack: DagsterStack, name: str) -> int | None:
    path = stack.pid_file(name)
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    return pid if _alive(pid) else None


def webserver_answers(stack: DagsterStack) -> bool:
    try:
        with urllib.request.urlopen(f"{stack.url}/server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_dagster(stack: DagsterStack, wait_seconds: float = 120.0) -> dict[str, int]:
    """Start the webserver and the daemon (unless running), switch the schedules and sensors
    on, and wait until the webserver answers. Returns the pids."""
    ensure_instance_config(stack.home)
    write_workspace(stack.home, REPO_ROOT)
    stack.logs.mkdir(parents=True, exist_ok=True)
    pids = {}
    started = False
    for name, command in stack.commands().items():
        pid = running_pid(stack, name)
        if pid is None:
            if not started:
                prepare_storage(stack)
            started = True
            with stack.log_file(name).open("a", encoding="utf-8") as log:
                process = subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=stack.environment(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            pid = process.pid
            stack.pid_file(name).write_text(f"{pid}\n")
        pids[name] = pid
    for kind in ("schedule", "sensor") if started else ():
        switch_on(stack, kind)
    deadline = time.monotonic() + wait_seconds
    while not webserver_answers(stack):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the Dagster webserver did not answer within {wait_seconds:.0f} s; "
                f"see {stack.log_file('dagster-webserver')}"
            )
        for name in pids:
            if running_pid(stack, name) is None:
                raise RuntimeError(f"{name} exited at start; see {stack.log_file(name)}")
        time.sleep(1.0)
    return pids


def prepare_storage(stack: DagsterStack) -> None:
    """Create (or migrate) the instance's SQLite storage once, before the webserver, the daemon
    and the schedule switch open it side by side: three processes creating it at the same
    moment race on its schema version (alembic "CommandError"), seen on a loaded machine."""
    with stack.log_file("dagster-cli").open("a", encoding="utf-8") as log:
        subprocess.run(
            [str(stack.bin / "dagster"), "instance", "migrate"],
            cwd=REPO_ROOT,
            env=stack.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def switch_on(stack: DagsterStack, kind: str) -> None:
    """`dagster schedule|sensor start --start-all`: their state lives in the instance."""
    with stack.log_file("dagster-cli").open("a", encoding="utf-8") as log:
        subprocess.run(
            [str(stack.bin / "dagster"), kind, "start", "--start-all", "-w", str(stack.workspace)],
            cwd=REPO_ROOT,
            env=stack.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def stop_dagster(stack: DagsterStack, wait_seconds: float = 30.0) -> list[str]:
    """Stop what start_dagster started (each process group); returns what was running."""
    stopped = []
    for name in stack.commands():
        pid = running_pid(stack, name)
        stack.pid_file(name).unlink(missing_ok=True)
        if pid is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_seconds
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.3)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        stopped.append(name)
    return stopped
