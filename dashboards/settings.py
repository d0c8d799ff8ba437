"""Where the local Superset lives and who logs in: resolved from the environment, once."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govwh.settings import REPO_ROOT, Settings

PORT_ENV = "GOVWH_SUPERSET_PORT"
HOME_ENV = "GOVWH_SUPERSET_HOME"
VENV_ENV = "GOVWH_SUPERSET_VENV"
ADMIN_USER_ENV = "GOVWH_SUPERSET_ADMIN_USER"
ADMIN_PASSWORD_ENV = "GOVWH_SUPERSET_ADMIN_PASSWORD"
DEMO_ENV = "GOVWH_DEMO"

DEFAULT_PORT = 8088
DEFAULT_HOME = ".superset"
DEFAULT_VENV = ".venv-superset"
DEFAULT_ADMIN_USER = "admin"
HOST = "127.0.0.1"
DEMO_PASSWORD_FILE = "admin_password.txt"

PACKAGE_DIR = Path(__file__).resolve().parent
CONSTRAINTS_FILE = PACKAGE_DIR / "superset" / "constraints.txt"
ASSETS_DIR = PACKAGE_DIR / "assets"


class MissingPasswordError(RuntimeError):
    """No admin password in the environment, outside the demo."""


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class SupersetSettings:
    """One local Superset: its virtualenv, home (metadata, config, logs), port and admin."""

    venv: Path
    home: Path
    port: int
    admin_user: str
    admin_password_env: str | None
    demo: bool
    serving_path: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SupersetSettings:
        env = os.environ if environ is None else environ
        return cls(
            venv=_resolve(env.get(VENV_ENV, DEFAULT_VENV)),
            home=_resolve(env.get(HOME_ENV, DEFAULT_HOME)),
            port=int(env.get(PORT_ENV, DEFAULT_PORT)),
            admin_user=env.get(ADMIN_USER_ENV, DEFAULT_ADMIN_USER),
            admin_password_env=env.get(ADMIN_PASSWORD_ENV) or None,
            demo=env.get(DEMO_ENV, "") not in ("", "0", "false"),
            serving_path=Settings.from_env(dict(env)).serving_path,
        )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def superset_bin(self) -> Path:
        return self.venv / "bin" / "superset"

    @property
    def config_file(self) -> Path:
        return self.home / "superset_config.py"

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "superset.log"

    @property
    def demo_password_file(self) -> Path:
        return self.home / DEMO_PASSWORD_FILE

    def admin_password(self) -> str:
        """The admin password: from the env; in the demo, generated once and kept in a file."""
        if self.admin_password_env:
            return self.admin_password_env
        if not self.demo:
            raise MissingPasswordError(
                f"set {ADMIN_PASSWORD_ENV} (or {DEMO_ENV}=1 for a generated demo password)"
            )
        if self.demo_password_file.exists():
            return self.demo_password_file.read_text(encoding="utf-8").strip()
        self.home.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(12)
        self.demo_password_file.write_text(password + "\n", encoding="utf-8")
        self.demo_password_file.chmod(0o600)
        return password
