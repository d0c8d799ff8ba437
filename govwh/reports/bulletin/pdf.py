"""Print the bulletin's HTML to PDF with headless Chromium (Debian's package)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


class ChromiumNotFoundError(RuntimeError):
    """No Chromium binary to print with."""


def find_chromium() -> str:
    for name in CHROMIUM_CANDIDATES:
        if path := shutil.which(name):
            return path
    raise ChromiumNotFoundError(
        "Chromium is needed to print the bulletin to PDF: apt-get install chromium fonts-wqy-zenhei"
    )


def print_to_pdf(html_path: Path, pdf_path: Path, *, timeout_seconds: int = 120) -> Path:
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="govwh-chromium-") as profile:
        # The flags keep Chromium off the network and out of first-run work on a closed machine.
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf_path}",
                html_path.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout_seconds,
        )
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path}")
    return pdf_path
