"""Log in with headless Chromium, screenshot dashboards, report charts that show an error.

Runs under Superset's virtualenv python (selenium lives there, not in the warehouse venv):

    .venv-superset/bin/python dashboards/browser_check.py URL USER OUT_DIR slug [slug ...]

with the password in GOVWH_BROWSER_PASSWORD. Prints one JSON line per dashboard. Chromium and
chromedriver are Debian's (/usr/bin); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CHROMIUM = os.environ.get("GOVWH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("GOVWH_CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTH, HEIGHT = 1400, 1000
LOAD_TIMEOUT = 90.0
# A dashboard that has not drawn its chart grid by then is a page load that stalled (seen once
# in CI on a loaded 2-core machine): it is reloaded once, as a person would, and the first
# attempt's page text and console errors are reported with the result.
GRID_TIMEOUT = 45.0
SHOT_WIDTH = 1100
SHOT_COLOURS = 96

# Inside each chart holder: spinners while loading, and Superset's error alerts after.
STATE_SCRIPT = """
const holders = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
const loading = document.querySelectorAll('.loading, [aria-label="Loading"]').length;
const errors = holders.filter(h => h.querySelector(
    '.ant-alert-error, [data-test="error-alert"], .alert-danger, [role="alert"]'))
  .map(h => (h.innerText || '').slice(0, 300));
const empty = holders.filter(h => /No results|No data|暂无数据|没有数据/.test(h.innerText || ''))
  .map(h => (h.innerText || '').slice(0, 120));
const texts = holders.map(h => (h.innerText || '').slice(0, 400));
return {charts: holders.length, loading: loading, errors: errors, empty: empty, texts: texts,
        height: document.body.scrollHeight};
"""
# What the browser shows when there is no chart grid: where it is and the page's own words.
PAGE_SCRIPT = """
return {url: location.href, title: document.title,
        text: (document.body ? document.body.innerText || '' : '').slice(0, 600)};
"""
# The interface language Superset chose for the session, and the text of its menu bar.
INTERFACE_SCRIPT = """
const app = document.getElementById('app');
const bootstrap = app ? JSON.parse(app.getAttribute('data-bootstrap') || '{}') : {};
const menu = document.querySelector('header, [role="menubar"], .ant-menu');
const here = u => u.startsWith(location.origin) || /^(data|blob):/.test(u);
return {locale: (bootstrap.common || {}).locale || null,
        menu: menu ? (menu.innerText || '').slice(0, 400) : '',
        images_elsewhere: Array.from(document.images).map(i => i.src).filter(u => u && !here(u)),
        asked_elsewhere: performance.getEntriesByType('resource').map(e => e.name)
          .filter(u => !here(u))};
"""


def _driver(profile: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}", "--lang=zh-CN",
        # Only the local Superset: Superset 6's pages also ask for a telemetry pixel (scarf.sh)
        # and its error pages for Google Fonts, and a name lookup on a machine without outside
        # network may hang instead of failing. Refused at once, they cannot slow a page down.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _login(driver: webdriver.Chrome, url: str, user: str, password: str) -> None:
    # Superset 6's login page is React: on a busy machine the form can re-render after the
    # fields first appear and drop what was typed, so a login that stays on /login is retried.
    for _ in range(3):
        driver.get(f"{url}/login/")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            fields = driver.find_elements(By.CSS_SELECTOR, "input[name='username'], #username")
            if fields:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("no login form")
        fields[0].clear()
        fields[0].send_keys(user)
        secret = driver.find_element(By.CSS_SELECTOR, "input[name='password'], #password")
        secret.clear()
        secret.send_keys(password)
        secret.send_keys(Keys.ENTER)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "/login" in driver.current_url:
            time.sleep(0.5)
        if "/login" not in driver.current_url:
            return
    raise RuntimeError(f"login as {user} failed three times (still on {driver.current_url})")


def _interface(driver: webdriver.Chrome, url: str) -> dict[str, object]:
    driver.get(f"{url}/dashboard/list/")
    state: dict[str, object] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = driver.execute_script(INTERFACE_SCRIPT)
        if state.get("menu"):
            break
        time.sleep(0.5)
    time.sleep(1.0)  # the menu's images have been asked for
    state = driver.execute_script(INTERFACE_SCRIPT)
    # what the page's content security policy refused to load (Chromium logs each refusal)
    state["refused"] = [
        entry.get("message", "")[:300]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry.get("message", "")
    ]
    return state


def _check(driver: webdriver.Chrome, url: str, slug: str, out_dir: Path) -> dict[str, object]:
    # a slug may carry URL parameters, e.g. preselected native filters (native_filters=…)
    path, _, query = slug.partition("?")
    started = time.monotonic()
    driver.set_window_size(WIDTH, HEIGHT)
    address = f"{url}/superset/dashboard/{path}/?standalone=1" + (f"&{query}" if query else "")
    stalls: list[dict[str, object]] = []
    state = _settle(driver, address, GRID_TIMEOUT)
    if not state["charts"]:
        stalls.append(_stall(driver, started))
        state = _settle(driver, address, LOAD_TIMEOUT)
    state["seconds"] = round(time.monotonic() - started, 1)
    state["stalls"] = stalls
    if not state["charts"]:
        state["page"] = _stall(driver, started)
    driver.set_window_size(WIDTH, min(int(state.get("height") or HEIGHT) + 40, 4000))
    time.sleep(1.5)
    shot = out_dir / f"{path}{'_filtered' if query else ''}.png"
    driver.save_screenshot(str(shot))
    _shrink(shot)
    state.update(slug=slug, screenshot=str(shot))
    return state


def _settle(driver: webdriver.Chrome, address: str, grid_timeout: float) -> dict[str, object]:
    """Open the dashboard and wait until its charts have stopped loading for three seconds
    (at most LOAD_TIMEOUT); a page with no chart grid after `grid_timeout` is returned as it is."""
    started = time.monotonic()
    driver.get(address)
    state: dict[str, object] = {}
    settled = 0
    while (elapsed := time.monotonic() - started) < LOAD_TIMEOUT:
        time.sleep(1.0)
        state = driver.execute_script(STATE_SCRIPT)
        settled = settled + 1 if state["charts"] and not state["loading"] else 0
        if settled >= 3 or (not state["charts"] and elapsed >= grid_timeout):
            break
    return state


def _stall(driver: webdriver.Chrome, started: float) -> dict[str, object]:
    page = driver.execute_script(PAGE_SCRIPT)
    page["after_seconds"] = round(time.monotonic() - started, 1)
    page["console"] = [entry.get("message", "")[:300] for entry in driver.get_log("browser")]
    return page


def _shrink(path: Path) -> None:
    """Keep committed screenshots small: narrower, and a palette of a few dozen colours."""
    with Image.open(path) as image:
        ratio = SHOT_WIDTH / image.width
        small = image.convert("RGB").resize(
            (SHOT_WIDTH, round(image.height * ratio)), Image.LANCZOS
        )
    small.quantize(colors=SHOT_COLOURS).save(path, optimize=True)


def main(argv: list[str]) -> int:
    url, user, out_dir, *slugs = argv
    password = os.environ["GOVWH_BROWSER_PASSWORD"]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govwh-chromium-") as profile:
        driver = _driver(profile)
        try:
            _login(driver, url, user, password)
            print(json.dumps({"interface": _interface(driver, url)}, ensure_ascii=False))
            for slug in slugs:
                print(json.dumps(_check(driver, url, slug, Path(out_dir)), ensure_ascii=False))
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
