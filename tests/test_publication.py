"""政务公开: the public release, written from marts.mart_public_release of the built tiny city.

The files validate against the schemas they ship with, no published figure is over fewer
cases (items, ratings, tickets) than the threshold, no identifier of a case, applicant or
ticket reaches them, their figures are the warehouse's (mart_metric_values), and the page
renders in headless Chromium with its Chinese text.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import jsonschema
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from govwh.cli import app
from govwh.jobs import PUBLIC_RELEASE_JOB, WEEKLY_BULLETIN_JOB
from govwh.operations.cycle import next_runs
from govwh.reports.bulletin.pdf import find_chromium
from govwh.reports.publication import (
    PublicRelease,
    ReleaseNotAvailableError,
    parse_month,
    write_public_release,
)
from govwh.reports.publication.fields import FIELD_NAMES, FIELDS, json_schema, table_schema
from govwh.settings import REPO_ROOT, Settings

RELEASE_YAML = REPO_ROOT / "models" / "marts" / "publication" / "_public_release.yml"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WITHHELD_REASONS = ("no_data", "below_min_cell_size", "complementary")
PUBLISHED_AT = dt.datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)
# What a personal identifier looks like, whatever column it came from: an 18-character
# resident ID or unified credit code, a mainland mobile number, a 64-hex keyed hash.
IDENTIFIER_PATTERNS = {
    "resident ID / credit code": re.compile(r"(?<![0-9A-Z])[0-9A-Z]{17}[0-9X](?![0-9A-Z])"),
    "mobile number": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "keyed hash": re.compile(r"[0-9a-f]{64}"),
}


# ---- fast: the schemas and the schedule, no warehouse ---------------------------------------


def test_month_parsing() -> None:
    assert parse_month("2019-06") == dt.date(2019, 6, 1)
    for bad in ("2019-6-1", "2019-13", "June"):
        with pytest.raises(ValueError, match="2019-06"):
            parse_month(bad)


def test_published_fields_are_documented_columns_of_the_mart() -> None:
    models = yaml.safe_load(RELEASE_YAML.read_text(encoding="utf-8"))["models"]
    (mart,) = [model for model in models if model["name"] == "mart_public_release"]
    documented = {column["name"] for column in mart["columns"]}
    assert set(FIELD_NAMES) <= documented
    assert [field["name"] for field in table_schema()["fields"]] == FIELD_NAMES
    assert all(field.title and field.description for field in FIELDS)


def test_json_schema_is_a_valid_schema_that_holds_the_suppression_rule() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(10))
    validator = jsonschema.Draft202012Validator(json_schema(10))
    record = {
        "period_grain": "month",
        "period_label": "2019-06",
        "period_start": "2019-06-01",
        "period_end": "2019-06-30",
        "scope_type": "county",
        "scope_code": "411902",
        "scope_name": "嵩阳区",
        "metric_code": "on_time_rate",
        "metric_name_zh": "按时办结率",
        "metric_name_en": "On-time completion rate",
        "numerator": 9,
        "denominator": 10,
        "value": 0.9,
        "is_suppressed": False,
        "suppression_reason": None,
        "suppression_reason_zh": None,
        "min_cell_size": 10,
        "data_as_of": "2019-07-02",
    }
    document = {
        "title": "t",
        "period_grain": "month",
        "period_label": "2019-06",
        "data_as_of": "2019-07-02",
        "published_at": "2019-07-08T07:00:00+08:00",
        "min_cell_size": 10,
        "suppression_note": "n",
        "records": [record],
    }
    assert validator.is_valid(document)
    small = {**record, "numerator": 8, "denominator": 9, "value": 8 / 9}
    fractional = {**record, "numerator": 9.5}
    half_withheld = {**record, "is_suppressed": True, "suppression_reason": "below_min_cell_size"}
    withheld = {**half_withheld, "numerator": None, "denominator": None, "value": None}
    assert not validator.is_valid({**document, "records": [small]})
    assert not validator.is_valid({**document, "records": [fractional]})
    assert not validator.is_valid({**document, "records": [half_withheld]})
    assert validator.is_valid({**document, "records": [withheld]})
    assert not validator.is_valid({**document, "records": [{**record, "case_id": "C1"}]})


def test_release_follows_the_bulletin() -> None:
    """The daily cycle starts the release when the Monday bulletin succeeds."""
    (release,) = next_runs(WEEKLY_BULLETIN_JOB, dt.date(2019, 6, 10))
    assert (release.job, release.run_key) == (PUBLIC_RELEASE_JOB, "public-release-2019-06-10")


# ---- slow: the release of the built tiny city -----------------------------------------------


@pytest.fixture(scope="module")
def release(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> PublicRelease:
    return write_public_release(
        built_warehouse.warehouse_path,
        tmp_path_factory.mktemp("public"),
        now=PUBLISHED_AT,
    )


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _check_csv_value(field: dict, text: str) -> None:
    """One CSV cell against its Frictionless field (types, required, enum, range)."""
    constraints = field.get("constraints", {})
    if text == "":
        assert not constraints.get("required"), field["name"]
        return
    kind = field["type"]
    if kind == "number":
        number = float(text)
        assert constraints.get("minimum", number) <= number <= constraints.get("maximum", number)
    elif kind == "integer":
        int(text)
    elif kind == "date":
        dt.date.fromisoformat(text)
    elif kind == "boolean":
        assert text in ("true", "false"), (field["name"], text)
    if "enum" in constraints:
        assert text in constraints["enum"], (field["name"], text)


@pytest.mark.slow
def test_files_validate_against_their_schemas(release: PublicRelease) -> None:
    assert {period.grain for period in release.periods} == {"month", "week"}
    package = json.loads(release.package_path.read_text(encoding="utf-8"))
    schema = json.loads(release.schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [r["path"] for r in package["resources"]] == [p.csv_path.name for p in release.periods]
    for period, resource in zip(release.periods, package["resources"], strict=True):
        # JSON: the whole document against kpi.schema.json
        document = json.loads(period.json_path.read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
        assert document["period_label"] == period.label
        assert len(document["records"]) == period.records > 0
        # CSV: UTF-8 with a BOM, the schema's fields in its order, every cell of its type
        raw = period.csv_path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header, rows = _csv_rows(period.csv_path)
        fields = resource["schema"]["fields"]
        assert header == [field["name"] for field in fields]
        assert len(rows) == period.records
        for row in rows:
            for field in fields:
                _check_csv_value(field, row[field["name"]])
        key = resource["schema"]["primaryKey"]
        assert len({tuple(row[k] for k in key) for row in rows}) == len(rows)


@pytest.mark.slow
def test_no_published_figure_is_over_fewer_than_the_threshold(release: PublicRelease) -> None:
    published = 0
    groups: dict[tuple[str, str, str], list[str]] = {}
    for period in release.periods:
        _, rows = _csv_rows(period.csv_path)
        for row in rows:
            threshold = int(row["min_cell_size"])
            if row["is_suppressed"] == "true":
                assert row["numerator"] == row["denominator"] == row["value"] == ""
                assert row["suppression_reason"] in WITHHELD_REASONS
            else:
                published += 1
                # counts print as counts, not 65.0
                assert row["numerator"].isdigit() and row["denominator"].isdigit(), row
                assert int(row["denominator"]) >= threshold > 0, row
                assert row["suppression_reason"] == ""
            if row["scope_type"] != "city":
                key = (row["period_label"], row["metric_code"], row["scope_type"])
                groups.setdefault(key, []).append(row["suppression_reason"] or "published")
    assert published > 0
    # no small figure is recoverable as the city minus the published parts of its group
    lone = {
        key: reasons
        for key, reasons in groups.items()
        if reasons.count("below_min_cell_size") == 1
        and "published" in reasons
        and "complementary" not in reasons
    }
    assert not lone, lone


def _identifiers(settings: Settings) -> set[str]:
    """Every case id, applicant id (keyed hash) and ticket id in the warehouse."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return {
            value
            for sql in (
                "select distinct case_id from marts.fct_cases",
                "select distinct applicant_id from marts.fct_cases where applicant_id is not null",
                "select distinct ticket_id from marts.fct_hall_tickets",
            )
            for (value,) in connection.execute(sql).fetchall()
            if value
        }


@pytest.mark.slow
def test_no_identifier_reaches_the_files(built_warehouse: Settings, release: PublicRelease) -> None:
    identifiers = _identifiers(built_warehouse)
    assert identifiers
    for path in release.files:
        text = path.read_text(encoding="utf-8-sig")
        tokens = set(re.split(r"[\s,;:\"'<>=/(){}\[\]]+", text))
        assert not tokens & identifiers, (path.name, sorted(tokens & identifiers)[:5])
        # figures (0.1357913579...) are no identifiers: the patterns look at the rest
        words = re.sub(r"\d+\.\d+", " ", text)
        for name, pattern in IDENTIFIER_PATTERNS.items():
            assert not pattern.search(words), (path.name, name, pattern.search(words))
    # and the mart itself holds aggregates only: no column of a case, applicant or ticket
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        columns = {
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'mart_public_release'"
            ).fetchall()
        }
    assert columns and not {c for c in columns if re.search(r"case_id|applicant|ticket", c)}


@pytest.mark.slow
def test_published_figures_are_the_warehouse_figures(
    built_warehouse: Settings, release: PublicRelease
) -> None:
    published = pl.concat(
        [pl.read_csv(p.csv_path, infer_schema_length=0, encoding="utf8") for p in release.periods]
    ).filter(pl.col("is_suppressed") == "false")
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        expected = connection.sql(
            """
            select metric_code, period_grain, period_start, scope_type, scope_code,
                   numerator, denominator, metric_value
            from marts.mart_metric_values
            where period_grain in ('week', 'month')
            """
        ).pl()
        latest = connection.sql(
            "select period_grain, period_label, period_start from marts.mart_public_release "
            "where is_latest group by all"
        ).pl()
        suppressed_in_mart = connection.execute(
            "select count(*) from marts.mart_public_release where is_latest and is_suppressed"
        ).fetchone()
    assert suppressed_in_mart is not None
    assert sum(p.suppressed for p in release.periods) == suppressed_in_mart[0]
    # the default release is the latest complete month and ISO week of the mart
    assert sorted(p.label for p in release.periods) == sorted(latest["period_label"])
    compared = 0
    for row in published.iter_rows(named=True):
        match = expected.filter(
            (pl.col("metric_code") == row["metric_code"])
            & (pl.col("period_grain") == row["period_grain"])
            & (pl.col("period_start") == dt.date.fromisoformat(row["period_start"]))
            & (pl.col("scope_type") == row["scope_type"])
            & (pl.col("scope_code") == row["scope_code"])
        )
        assert match.height == 1, row
        numerator, denominator, value = match.row(0)[5:]
        assert float(row["numerator"]) == pytest.approx(numerator)
        assert float(row["denominator"]) == pytest.approx(denominator)
        assert float(row["value"]) == pytest.approx(value)
        compared += 1
    assert compared == published.height > 0


@pytest.mark.slow
def test_period_labels_are_iso_weeks_and_months(built_warehouse: Settings) -> None:
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        periods = connection.execute(
            "select distinct period_grain, period_label, period_start, period_end, data_as_of "
            "from marts.mart_public_release"
        ).fetchall()
    assert periods
    for grain, label, start, end, as_of in periods:
        if grain == "week":
            year, week, weekday = start.isocalendar()
            assert (label, weekday, end) == (f"{year}-W{week:02d}", 1, start + dt.timedelta(6))
        else:
            assert (label, start.day) == (f"{start:%Y-%m}", 1)
        assert start <= as_of


@pytest.mark.slow
def test_publish_command_and_an_earlier_month(built_warehouse: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["publish", "--out", str(tmp_path / "latest")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "latest" / "index.html").exists()
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        months = [
            start
            for (start,) in connection.execute(
                "select distinct period_start from marts.mart_public_release "
                "where period_grain = 'month' order by 1"
            ).fetchall()
        ]
    earlier = write_public_release(built_warehouse.warehouse_path, tmp_path / "m", month=months[0])
    month_period, *week_periods = earlier.periods
    assert month_period.label == f"{months[0]:%Y-%m}"
    for week_period in week_periods:  # the last ISO week that ended by the month's end
        document = json.loads(week_period.json_path.read_text(encoding="utf-8"))
        week_end = dt.date.fromisoformat(document["records"][0]["period_end"])
        month_end = (months[0] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        assert month_end - dt.timedelta(days=6) < week_end <= month_end
    refused = runner.invoke(app, ["publish", "--month", "2031-01", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 1 and "not a complete month" in refused.output
    assert not (tmp_path / "x").exists()
    with pytest.raises(ReleaseNotAvailableError):
        write_public_release(
            built_warehouse.warehouse_path, tmp_path / "y", month=dt.date(2031, 1, 1)
        )


def _chromium(*arguments: str) -> None:
    with tempfile.TemporaryDirectory(prefix="govwh-chromium-") as profile:
        subprocess.run(
            [
                find_chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *arguments,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


@pytest.mark.slow
def test_page_is_offline_and_renders_chinese_in_chromium(
    release: PublicRelease, tmp_path: Path
) -> None:
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is required (make test installs it from Debian)")
    html = release.page_path.read_text(encoding="utf-8")
    # works offline: nothing fetched from anywhere (no script, stylesheet, font or image)
    assert not re.search(r"<script|<link|<img|@import|url\(|src=", html, re.IGNORECASE)
    assert not re.search(r"(href)=\"(https?:)?//", html)
    assert "数据截至" in html and "不予公开" in html
    page = release.page_path.resolve().as_uri()
    screenshot = tmp_path / "public_release.png"
    _chromium("--window-size=1280,1600", "--hide-scrollbars", f"--screenshot={screenshot}", page)
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
    # the Chinese text is rendered as text (a CJK font was found): print it and read it back
    if shutil.which("pdftotext"):
        pdf = tmp_path / "public_release.pdf"
        _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        for phrase in ("主要指标公开", "数据截至", "按时办结率", "不予公开"):
            assert phrase in text, phrase
