"""Start, stop and initialise the local Superset (gunicorn on 127.0.0.1, SQLite metadata)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from dashboards.settings import CONSTRAINTS_FILE, HOST, PACKAGE_DIR, SupersetSettings

CONFIG_FILE = PACKAGE_DIR / "superset" / "superset_config.py"
INIT_STAMP = ".govwh-initialised"
PASSWORD_STAMP = ".govwh-admin-password.sha256"
WORKERS = 2
THREADS = 4


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    healthy: bool


def superset_env(settings: SupersetSettings) -> dict[str, str]:
    """The environment of every Superset process: its home and our config file."""
    env = dict(os.environ)
    env.update(
        SUPERSET_HOME=str(settings.home),
        SUPERSET_CONFIG_PATH=str(CONFIG_FILE),
        FLASK_APP="superset.app:create_app()",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run_superset(settings: SupersetSettings, *args: str) -> None:
    with settings.log_file.open("a", encoding="utf-8") as log:
        subprocess.run(
            [str(settings.superset_bin), *args],
            env=superset_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def _secret_key(settings: SupersetSettings) -> None:
    key_file = settings.home / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(42) + "\n", encoding="utf-8")
        key_file.chmod(0o600)


def initialise(settings: SupersetSettings, password: str) -> None:
    """Create or upgrade the metadata, the roles and the admin; cheap when nothing changed."""
    settings.home.mkdir(parents=True, exist_ok=True)
    _secret_key(settings)
    init_stamp = settings.home / INIT_STAMP
    version = hashlib.sha256(CONSTRAINTS_FILE.read_bytes()).hexdigest()
    fresh = not init_stamp.exists() or init_stamp.read_text().strip() != version
    if fresh:
        _run_superset(settings, "db", "upgrade")
        _run_superset(settings, "init")
        _run_superset(
            settings,
            "fab",
            "create-admin",
            "--username",
            settings.admin_user,
            "--firstname",
            "govwh",
            "--lastname",
            "admin",
            "--email",
            f"{settings.admin_user}@govwh.local",
            "--password",
            password,
        )
        init_stamp.write_text(version + "\n")
    password_stamp = settings.home / PASSWORD_STAMP
    digest = hashlib.sha256(f"{settings.admin_user}:{password}".encode()).hexdigest()
    if not password_stamp.exists() or password_stamp.read_text().strip() != digest:
        _run_superset(
            settings,
            "fab",
            "reset-password",
            "--username",
            settings.admin_user,
            "--password",
            password,
        )
        password_stamp.write_text(digest + "\n")
        password_stamp.chmod(0o600)


def _read_pid(settings: SupersetSettings) -> int | None:
    try:
        pid = int(settings.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def is_healthy(settings: SupersetSettings, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{settings.url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def status(settings: SupersetSettings) -> Status:
    pid = _read_pid(settings)
    return Status(
        running=pid is not None, pid=pid, healthy=pid is not None and is_healthy(settings)
    )


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((HOST, port)) == 0


def free_port() -> int:
    """A free TCP port on the loopback interface (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start(settings: SupersetSettings, wait_seconds: float = 180.0) -> int:
    """Start gunicorn in its own session on 127.0.0.1 and wait until /health answers."""
    running = _read_pid(settings)
    if running is not None:
        return running
    if port_in_use(settings.port):
        raise RuntimeError(f"port {settings.port} on {HOST} is taken by another process")
    gunicorn = settings.venv / "bin" / "gunicorn"
    log = settings.log_file.open("a", encoding="utf-8")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--bind",
            f"{HOST}:{settings.port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--timeout",
            "120",
            "--limit-request-line",
            "0",
            "--limit-request-field_size",
            "0",
            "superset.app:create_app()",
        ],
        env=superset_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    settings.pid_file.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            settings.pid_file.unlink(missing_ok=True)
            raise RuntimeError(f"Superset exited at start; see {settings.log_file}")
        if is_healthy(settings):
            return process.pid
        time.sleep(1.0)
    stop(settings)
    raise RuntimeError(
        f"Superset did not answer within {wait_seconds:.0f} s; see {settings.log_file}"
    )


def stop(settings: SupersetSettings, wait_seconds: float = 30.0) -> bool:
    """Stop the gunicorn we started (its process group); True if one was running."""
    pid = _read_pid(settings)
    if pid is None:
        settings.pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.3)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    settings.pid_file.unlink(missing_ok=True)
    return True
