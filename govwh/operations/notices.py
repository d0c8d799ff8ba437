"""Failure notices: when a run fails, a file in the outbox says which job, which step (asset)
and why, and what the dashboards and reports still show (the serving copy's as-of date), so
that yesterday's data is never mistaken for today's. A webhook (JSON POST) and an e-mail can
carry the same notice; both are off unless configured.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path

import duckdb

from govwh.warehouse.connection import connect

WEBHOOK_ENV = "GOVWH_ALERT_WEBHOOK"
SMTP_HOST_ENV = "GOVWH_ALERT_SMTP_HOST"
EMAIL_TO_ENV = "GOVWH_ALERT_EMAIL_TO"
EMAIL_FROM_ENV = "GOVWH_ALERT_EMAIL_FROM"
NOTICE_FOLDER = "failures"


@dataclass(frozen=True)
class StepFailure:
    step: str
    reason: str


@dataclass(frozen=True)
class FailureNotice:
    job: str
    run_id: str
    failed_at: dt.datetime
    failures: list[StepFailure]
    serving_as_of: dt.date | None
    run_url: str = ""
    business_day: dt.date | None = None

    def text(self) -> str:
        lines = [
            f"govwh: 运行失败 run failed — {self.job}",
            f"run {self.run_id} failed at {self.failed_at:%Y-%m-%d %H:%M:%S %Z}",
        ]
        if self.business_day:
            lines.append(f"business day {self.business_day}")
        lines.append("")
        for failure in self.failures or [StepFailure("run", "no step failed: see the run log")]:
            lines.append(f"- {failure.step}: {failure.reason}")
        lines.append("")
        if self.serving_as_of is None:
            lines.append("dashboards and reports: no serving copy yet")
        else:
            lines.append(
                f"dashboards and reports still show the data as of {self.serving_as_of} "
                f"(数据截至 {self.serving_as_of}): the last successful build"
            )
        if self.run_url:
            lines.append(f"run log: {self.run_url}")
        lines.append("what to do: docs/operations.md, “When a build fails”")
        return "\n".join(lines) + "\n"


def serving_as_of(serving: Path) -> dt.date | None:
    """The as-of date readers see (the serving copy's mart_data_freshness), None without one."""
    if not serving.is_file():
        return None
    try:
        with connect(serving, read_only=True) as connection:
            (as_of,) = connection.execute(
                "select max(as_of_date) from marts.mart_data_freshness"
            ).fetchone()
    except duckdb.Error:
        return None
    return as_of


def write_failure_notice(outbox: Path, notice: FailureNotice) -> Path:
    """`<outbox>/failures/<time>_<job>_<run>.txt` beside a .json of the same; returns the .txt.
    One file per failed run: a rerun that fails again writes another."""
    folder = outbox / NOTICE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{notice.failed_at:%Y%m%dT%H%M%S}_{notice.job}_{notice.run_id[:8]}"
    text_path = folder / f"{stem}.txt"
    text_path.write_text(notice.text(), encoding="utf-8")
    document = asdict(notice)
    document["failed_at"] = notice.failed_at.isoformat()
    for key in ("serving_as_of", "business_day"):
        value = getattr(notice, key)
        document[key] = value.isoformat() if value else None
    (folder / f"{stem}.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return text_path


def send_failure_notice(notice: FailureNotice, environ: dict[str, str] | None = None) -> list[str]:
    """Send the notice by webhook and/or e-mail when configured; returns where it went."""
    env = dict(os.environ) if environ is None else environ
    sent = []
    if url := env.get(WEBHOOK_ENV):
        body = json.dumps({"text": notice.text(), "job": notice.job, "run_id": notice.run_id})
        request = urllib.request.Request(
            url, data=body.encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10):
            pass
        sent.append(f"webhook {url}")
    if (host := env.get(SMTP_HOST_ENV)) and (to := env.get(EMAIL_TO_ENV)):
        message = EmailMessage()
        message["Subject"] = f"govwh: {notice.job} failed"
        message["From"] = env.get(EMAIL_FROM_ENV, "govwh@localhost")
        message["To"] = to
        message.set_content(notice.text())
        with smtplib.SMTP(host, timeout=10) as smtp:
            smtp.send_message(message)
        sent.append(f"e-mail {to}")
    return sent
