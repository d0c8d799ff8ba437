"""Failure notices: the file in the outbox names the job, the step and the reason and what
readers still see; the webhook carries the same text when configured, and nothing is sent
when it is not."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from govwh.operations.notices import (
    FailureNotice,
    StepFailure,
    send_failure_notice,
    serving_as_of,
    write_failure_notice,
)
from govwh.warehouse.connection import connect

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _notice(as_of: dt.date | None) -> FailureNotice:
    return FailureNotice(
        job="build_warehouse_job",
        run_id="3f2a9c1e-0000-4000-8000-000000000000",
        failed_at=dt.datetime(2026, 12, 4, 6, 1, 13, tzinfo=SHANGHAI),
        failures=[StepFailure("raw__case_logs", "case_logs_2026-12-03.parquet cannot be read")],
        serving_as_of=as_of,
        business_day=dt.date(2026, 12, 4),
    )


def test_the_notice_file_says_what_failed_and_what_readers_see(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    with connect(serving) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.mart_data_freshness as select date '2026-12-02' as as_of_date"
        )
    as_of = serving_as_of(serving)
    assert as_of == dt.date(2026, 12, 2)
    assert serving_as_of(tmp_path / "missing.duckdb") is None
    path = write_failure_notice(tmp_path / "outbox", _notice(as_of))
    assert path.parent == tmp_path / "outbox" / "failures"
    assert path.name == "20261204T060113_build_warehouse_job_3f2a9c1e.txt"
    text = path.read_text(encoding="utf-8")
    assert "raw__case_logs: case_logs_2026-12-03.parquet cannot be read" in text
    assert "数据截至 2026-12-02" in text and "business day 2026-12-04" in text
    document = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert document["serving_as_of"] == "2026-12-02"
    assert document["failures"][0]["step"] == "raw__case_logs"
    assert "no serving copy yet" in _notice(None).text()


def test_the_webhook_gets_the_notice_only_when_configured() -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert send_failure_notice(_notice(None), environ={}) == []
        url = f"http://127.0.0.1:{server.server_port}/hook"
        sent = send_failure_notice(_notice(None), environ={"GOVWH_ALERT_WEBHOOK": url})
    finally:
        server.shutdown()
    assert sent == [f"webhook {url}"]
    (payload,) = received
    assert payload["job"] == "build_warehouse_job" and "raw__case_logs" in payload["text"]
