"""Drive headless Chromium against the local Superset (from the warehouse venv).

Selenium lives in Superset's virtualenv, so the check runs there as a subprocess
(`browser_check.py`); Chromium and chromedriver come from Debian, installed when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dashboards.settings import PACKAGE_DIR, SupersetSettings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DEBIAN_PACKAGES = ("chromium", "chromium-driver", "fonts-wqy-zenhei")


@dataclass(frozen=True)
class DashboardCheck:
    slug: str
    charts: int
    errors: list[str]
    empty: list[str]
    # each chart's visible text (title, numbers, labels), in layout order
    texts: list[str]
    seconds: float
    screenshot: Path
    # page loads that drew no chart grid in time and were reloaded: where the browser was, the
    # page's text and console errors, so a stall is seen in the result, not hidden by the reload
    stalls: tuple[dict[str, object], ...] = ()
    # the same, for a dashboard that still had no chart grid at the end
    page: dict[str, object] | None = None


@dataclass(frozen=True)
class BrowserSession:
    """What one login saw: the interface language and menu, then each dashboard."""

    user: str
    locale: str | None
    menu: str
    dashboards: list[DashboardCheck]
    # on the dashboard list after login: images the page has from other hosts, the requests it
    # made to them (refused ones too), and what the content security policy refused
    images_elsewhere: tuple[str, ...] = ()
    asked_elsewhere: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


def ensure_chromium() -> None:
    """Install Debian's Chromium and chromedriver when missing (nothing else is downloaded)."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES], check=True, env=env
    )
    if shutil.which("chromedriver") is None:
        raise RuntimeError("chromedriver is still missing after apt-get install")


def check_dashboards(
    settings: SupersetSettings, username: str, password: str, slugs: list[str], out_dir: Path
) -> BrowserSession:
    """Log in, open each dashboard, screenshot it to out_dir/<slug>.png, collect chart errors."""
    ensure_chromium()
    completed = subprocess.run(
        [
            str(settings.python),
            str(PACKAGE_DIR / "browser_check.py"),
            settings.url,
            username,
            str(out_dir),
            *slugs,
        ],
        env={**os.environ, "GOVWH_BROWSER_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=120 + 120 * len(slugs),
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"browser check failed:\n{completed.stderr[-4000:]}")
    checks = []
    interface: dict[str, object] = {}
    for line in completed.stdout.splitlines():
        if not line.startswith("{"):
            continue
        state = json.loads(line)
        if "interface" in state:
            interface = state["interface"]
            continue
        checks.append(
            DashboardCheck(
                slug=state["slug"],
                charts=int(state["charts"]),
                errors=list(state["errors"]),
                empty=list(state["empty"]),
                texts=list(state["texts"]),
                seconds=float(state["seconds"]),
                screenshot=Path(state["screenshot"]),
                stalls=tuple(state.get("stalls", ())),
                page=state.get("page"),
            )
        )
    return BrowserSession(
        user=username,
        locale=interface.get("locale"),  # type: ignore[arg-type]
        menu=str(interface.get("menu") or ""),
        dashboards=checks,
        images_elsewhere=tuple(interface.get("images_elsewhere") or ()),  # type: ignore[arg-type]
        asked_elsewhere=tuple(interface.get("asked_elsewhere") or ()),  # type: ignore[arg-type]
        refused=tuple(interface.get("refused") or ()),  # type: ignore[arg-type]
    )
