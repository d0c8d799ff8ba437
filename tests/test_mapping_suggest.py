"""`govwh mapping suggest` on the two real exports (tests/fixtures/realdata) and on made-up
ones: the key columns found, values translated by keyword, formats detected, the draft
loadable by load_mapping and usable as it is by the loader's column resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from govwh.cli import app
from govwh.ingestion.mapping import load_mapping
from govwh.ingestion.schemas import SOURCES
from govwh.ingestion.suggest import (
    guess_value,
    match_headers,
    render_yaml,
    suggest_mapping,
)

REALDATA = Path(__file__).parent / "fixtures" / "realdata"
BOSTON = REALDATA / "boston311_2022-01_sample.csv"
GUANGAN = REALDATA / "guangan_511602_item_catalogue.csv"


def _draft(path: Path, source: str, tmp_path: Path) -> tuple[str, Path]:
    text = render_yaml(suggest_mapping(path, source))
    out = tmp_path / f"{path.stem}.yaml"
    out.write_text(text, encoding="utf-8")
    return text, out


def test_boston_key_columns_found(tmp_path: Path) -> None:
    suggestion = suggest_mapping(BOSTON, "case_logs")
    found = {m.column: m.header for m in suggestion.found}
    assert found == {
        "case_id": "case_enquiry_id",
        "submitted_at": "open_dt",
        "completed_at": "closed_dt",
        "status": "case_status",
        "department_code": "department",
        "item_code": "type",
        "channel": "source",
        "due_at": "target_dt",
    }
    assert {m.column for m in suggestion.missing_required} == {"updated_at"}
    text, out = _draft(BOSTON, "case_logs", tmp_path)
    mapping = load_mapping(out, "case_logs")
    with BOSTON.open(encoding="utf-8") as handle:
        headers = handle.readline().strip().split(",")
    resolved = mapping.resolve(headers)
    assert {c: resolved[c] for c in found if c in SOURCES["case_logs"].columns} == {
        c: h for c, h in found.items() if c in SOURCES["case_logs"].columns
    }
    assert mapping.values["status"] == {"Closed": "completed", "Open": "in_progress"}
    assert mapping.values["channel"] == {
        "Citizens Connect App": "mobile_app",
        "Constituent Call": "other",
        "City Worker App": "mobile_app",
        "Self Service": "self_service",
    }
    assert "# trips" not in text  # optional: a log without trips gets no trip rates
    assert "updated_at: {coalesce: [closed_dt, open_dt]}" in text
    assert "due_at: target_dt" in text
    # request types with blanks are codes as they are: nothing to note
    item = next(m for m in suggestion.found if m.column == "item_code")
    assert item.note is None


def test_guangan_key_columns_found(tmp_path: Path) -> None:
    suggestion = suggest_mapping(GUANGAN, "service_items")
    found = {m.column: m.header for m in suggestion.found}
    assert found == {
        "item_code": "itemCode",
        "item_name": "name",
        "item_type": "taskType",
        "department_code": "deptCode",
        "department_name": "department",
        "region_code": "areaCode",
    }
    assert "snapshot_date" in {m.column for m in suggestion.missing_required}
    text, out = _draft(GUANGAN, "service_items", tmp_path)
    mapping = load_mapping(out, "service_items")
    assert mapping.values == {"item_type": {}}  # numeric item types: TODO comments
    assert '# "1": TODO  # 536 rows' in text
    assert "# headers no canonical column takes (ignored by a load): main_item, link" in text


def test_headers_taken_once_and_fuzzy_fallback() -> None:
    columns = list(SOURCES["case_logs"].columns)
    matches = {
        m.column: (m.header, m.found_by)
        for m in match_headers(
            ["申请人证件号码", "办件编号", "Submited At", "办结时间", "状态", "状态 "],
            columns,
        )
        if m.header
    }
    assert matches["case_id"] == ("办件编号", "alias")
    assert matches["completed_at"] == ("办结时间", "alias")
    assert matches["status"] == ("状态", "alias")
    assert matches["submitted_at"][0] == "Submited At"  # a typo, found by difflib
    assert matches["submitted_at"][1].startswith("fuzzy")
    assert matches["applicant_id"][0] == "申请人证件号码"  # a Chinese header holding an alias
    assert list(matches.values()).count(("状态", "alias")) == 1


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        ("已办结", "status", "completed"),
        ("未办结", "status", "in_progress"),
        ("不予受理", "status", "not_accepted"),
        ("待受理", "status", "pending_acceptance"),
        ("Reopened", "status", None),
        ("网上办事大厅", "channel", "online_web"),
        ("Walk-in", "channel", "hall_window"),
        ("电话", "channel", "other"),
        ("Web Portal", "channel", "online_web"),
        ("Application form", "channel", None),
    ],
)
def test_value_guesses(value: str, column: str, expected: str | None) -> None:
    from govwh.ingestion.aliases import KEYWORDS

    assert guess_value(value, KEYWORDS["case_logs"][column]) == expected


def test_us_timestamps_get_a_format_gb18030_and_title_rows(tmp_path: Path) -> None:
    """A Chinese export in GB18030 with a title line above its headers, US timestamps."""
    export = tmp_path / "办件.csv"
    lines = [
        "某市办件导出,,,,",
        "办件编号,事项编码,申请时间,办件状态,渠道",
        "A1,X-1,01/21/2022 01:47:00 PM,已办结,网上申报",
        "A2,X-2,01/22/2022 11:05:09 AM,在办,窗口",
        "A3,X-3,12/31/2021 09:00:00 AM,神秘状态,窗口",
    ]
    export.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    suggestion = suggest_mapping(export, "case_logs")
    assert suggestion.staged.header_row == 2
    submitted = next(m for m in suggestion.found if m.column == "submitted_at")
    assert (submitted.header, submitted.timestamp_format) == ("申请时间", "%m/%d/%Y %I:%M:%S %p")
    text = render_yaml(suggestion)
    out = tmp_path / "draft.yaml"
    out.write_text(text, encoding="utf-8")
    mapping = load_mapping(out, "case_logs")
    assert mapping.header_row == 2
    if suggestion.column_dicts:
        assert '{header: 申请时间, format: "%m/%d/%Y %I:%M:%S %p"}' in text
    else:  # today's mapping language: the format for the whole section
        assert mapping.timestamp_formats == ("%m/%d/%Y %I:%M:%S %p",)
        assert mapping.resolve(lines[1].split(","))["submitted_at"] == "申请时间"
    assert mapping.values["status"] == {"已办结": "completed", "在办": "in_progress"}
    assert mapping.values["channel"] == {"网上申报": "online_web", "窗口": "hall_window"}
    assert "# 神秘状态: TODO" in text
    assert yaml.safe_load(text)["sources"]["case_logs"]["columns"]["case_id"] == "办件编号"


def test_cli_suggest_writes_the_draft_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "boston.yaml"
    result = CliRunner().invoke(
        app,
        ["mapping", "suggest", str(BOSTON), "--source", "case_logs", "--out", str(out)],
        catch_exceptions=False,
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "case_enquiry_id" in result.output and "MISSING" in result.output
    assert "1 required missing (updated_at" in result.output
    # no update time: the draft takes a case's latest event instead
    assert "updated_at: {coalesce: [closed_dt, open_dt]}" in out.read_text(encoding="utf-8")
    assert load_mapping(out, "case_logs").mapping_name == "boston311_2022_01_sample"


def test_a_complete_draft_loads_as_it_is(tmp_path: Path) -> None:
    """Suggest, then check the untouched draft: US timestamps parsed, values translated; only
    the value left as a TODO is rejected."""
    from govwh.ingestion.check import check_file
    from govwh.ingestion.pseudonymise import PseudonymisationKey

    export = tmp_path / "cases.tsv"
    rows = [
        "办件编号\t事项编码\t申报渠道\t申请时间\t办件状态\t跑动次数\t最后更新时间",
        "A1\tX-1\t网上办事大厅\t1/21/2022 1:47:00 PM\t已办结\t0\t1/22/2022 9:00:00 AM",
        "A2\tX-2\t窗口\t1/22/2022 11:05:09 AM\t在办\t1\t1/22/2022 11:05:09 AM",
        "A3\tX-3\tApp\t12/31/2021 9:00:00 AM\t挂起\t0\t12/31/2021 9:00:00 AM",
    ]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    draft.write_text(render_yaml(suggest_mapping(export, "case_logs")), encoding="utf-8")

    key = PseudonymisationKey.from_secret("test")
    result = check_file(export, "case_logs", draft, tmp_path / "none.duckdb", key)

    loaded = result.file
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected) == (3, 2, 1)
    assert loaded.dry_run is not None
    rejected = [i for i in loaded.dry_run.issues if i.action == "rejected"]
    assert [(i.reason_code, i.column, i.example) for i in rejected] == [
        ("not_in_vocabulary", "status", "挂起")
    ]
    # no region or department in the export: loaded, flagged, counted in the unknown ones
    flagged = {i.reason_code for i in loaded.dry_run.issues if i.action == "flagged"}
    assert flagged == {"missing_region", "missing_department"}
    sample = loaded.dry_run.sample
    assert str(sample["submitted_at"][0]) == "2022-01-21 13:47:00"
    assert sample["channel"].to_list() == ["online_web", "hall_window", "mobile_app"]
    assert not (tmp_path / "none.duckdb").exists()
