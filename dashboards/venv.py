"""Superset's own virtualenv, installed from the pinned constraints file and reused after."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from dashboards.settings import CONSTRAINTS_FILE

STAMP_NAME = ".govwh-constraints.sha256"
PYTHON_VERSION = "3.11"


def _digest(constraints: Path) -> str:
    return hashlib.sha256(constraints.read_bytes()).hexdigest()


def _uv() -> str:
    beside_python = Path(sys.executable).with_name("uv")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is needed to install Superset's virtualenv (pip install uv)")
    return found


def is_current(venv: Path, constraints: Path = CONSTRAINTS_FILE) -> bool:
    stamp = venv / STAMP_NAME
    return stamp.exists() and stamp.read_text().strip() == _digest(constraints)


def ensure_venv(venv: Path, constraints: Path = CONSTRAINTS_FILE) -> bool:
    """Install Superset into `venv` unless the same constraints are installed; True if it did.

    The constraints file is a complete lock (uv pip compile), so it is installed as it is.
    """
    if is_current(venv, constraints):
        return False
    uv = _uv()
    if not (venv / "bin" / "python").exists():
        subprocess.run([uv, "venv", "--python", PYTHON_VERSION, str(venv)], check=True)
    subprocess.run(
        [uv, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(constraints)],
        check=True,
    )
    (venv / STAMP_NAME).write_text(_digest(constraints) + "\n")
    return True
