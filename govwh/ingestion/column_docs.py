"""What each canonical column means and what a city loses without it.

docs/canonical-columns.md is generated from this and from schemas.py (`python -m
govwh.ingestion.column_docs`); tests/test_column_docs.py fails when a column of a schema has
no entry here or the document is out of date, so the two cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govwh.ingestion.parsing import DUCKDB_TYPES
from govwh.ingestion.rules import VOCABULARIES
from govwh.ingestion.schemas import SOURCES

DOCUMENT = Path(__file__).parents[2] / "docs" / "canonical-columns.md"

# column -> (meaning, what a city without it loses); per source
COLUMN_DOCS: dict[str, dict[str, tuple[str, str]]] = {
    "service_items": {
        "snapshot_date": (
            "The date the catalogue was published (目录发布日期).",
            "Nothing: the catalogue is taken as of the day it is loaded.",
        ),
        "item_code": ("Implementation code (实施编码), unique per region.", "Required."),
        "catalogue_code": (
            "Basic code (基本编码), the same item across regions.",
            "Cross-region comparison of the same item.",
        ),
        "item_name": ("Item name.", "Names in reports (codes are shown instead)."),
        "item_type": (
            "Kind of item: licence, confirmation, benefit, … (事项类型).",
            "Required: it decides which items the supply metrics count.",
        ),
        "audience": ("Citizens, enterprises or both (服务对象).", "Breakdowns by audience."),
        "department_code": ("Implementing department.", "Required."),
        "department_name": (
            "Implementing department's name.",
            "Names of departments not in the city's departments.csv (their codes are shown).",
        ),
        "region_code": (
            "Implementing region, GB/T 2260 (6 digits, 9 below county; 12-digit statistics "
            "codes are read as such).",
            "Required.",
        ),
        "admin_level": (
            "Administrative level of the implementing region (行使层级).",
            "Required: targets are set per level.",
        ),
        "depth_level": (
            "Online-handling depth 1–4 (网上办理深度).",
            "The online-available and full-online rates (the item is 'unassessed'; "
            "depth_assessment_coverage shows the share assessed).",
        ),
        "unsuitable_online": (
            "Flagged unsuitable for online handling (不适宜网办).",
            "Variant B of the online-available rate counts no such items.",
        ),
        "required_trips": (
            "Trips the applicant must make (承诺跑动次数).",
            "The one-trip and zero-trip item shares, and the zero-trip promise rate.",
        ),
        "legal_limit_days": (
            "Legal time limit in working days (法定时限).",
            "The time-limit compression metric.",
        ),
        "promised_limit_days": (
            "Promised time limit in working days, 0 = instant item (承诺时限).",
            "The catalogue deadline of cases (a case then needs its own due date or limit "
            "for an on-time verdict) and the instant-item share.",
        ),
        "is_cross_department": (
            "Decided jointly by several departments (联办).",
            "Breakdowns by joint handling.",
        ),
        "status": ("Active or inactive in this snapshot.", "Required."),
    },
    "case_logs": {
        "case_id": ("Case number (办件编号).", "Required."),
        "item_code": (
            "The item applied for; a code not in the catalogue is kept (flagged).",
            "Required.",
        ),
        "department_code": (
            "Handling department.",
            "Department breakdowns: cases count in the unknown department (flagged).",
        ),
        "region_code": (
            "Handling region, GB/T 2260.",
            "County and township breakdowns: cases count in the unknown region (flagged).",
        ),
        "applicant_type": ("Person or enterprise.", "Breakdowns by applicant type."),
        "applicant_id": (
            "ID card number or credit code; pseudonymised at ingestion.",
            "Repeat-applicant analysis.",
        ),
        "applicant_name": ("Applicant's name; pseudonymised at ingestion.", "Nothing reported."),
        "applicant_phone": ("Applicant's phone; pseudonymised at ingestion.", "Nothing reported."),
        "channel": ("Submission channel (申报渠道).", "Required: the online case share needs it."),
        "assisted_online": (
            "Filed online with help at a hall (帮办代办).",
            "Assisted filings count as offline.",
        ),
        "hall_code": ("The hall of a hall-window case.", "Hall-level case counts."),
        "submitted_at": ("When the application was submitted.", "Required."),
        "accepted_at": (
            "When it was accepted (受理); the deadline clock starts here.",
            "Working-day limits cannot be placed: a completed case without it gets no "
            "on-time verdict unless it has its own due_at or a calendar-day limit; instant "
            "completion (same working day) is not measured.",
        ),
        "completed_at": ("When it was decided (办结).", "Completion metrics (needed in practice)."),
        "withdrawn_at": ("When the applicant withdrew it.", "Withdrawal dates in the backlog."),
        "status": ("Case status (办件状态).", "Required."),
        "decision": ("Approved or denied, for completed cases.", "Approval-rate breakdowns."),
        "suspended_days": (
            "Working days of legal suspension (时限中止).",
            "Deadlines are not moved by suspensions.",
        ),
        "due_at": (
            "The case's own deadline (承诺办结时间), to the minute or second; a date alone is "
            "due by the end of that day.",
            "Deadlines come from limit_days, else the catalogue's promised limit.",
        ),
        "limit_days": (
            "The case's own time limit in days, from acceptance.",
            "Deadlines come from the catalogue's promised limit.",
        ),
        "limit_day_kind": (
            "Whether limit_days counts working (default) or calendar days.",
            "limit_days counts working days.",
        ),
        "trips": (
            "In-person trips the applicant made (跑动次数).",
            "The one-trip and zero-trip rates (no rate rather than an invented one).",
        ),
        "result_delivery": ("How the result was delivered.", "Delivery breakdowns."),
        "rating": ("Satisfaction rating 1–5 (好差评).", "Satisfaction and bad-rating metrics."),
        "rating_at": ("When the rating was given.", "Rectification deadlines of bad ratings."),
        "rating_is_default": (
            "The system's automatic default rating (系统默认好评).",
            "Default ratings count as ratings.",
        ),
        "rectified_at": (
            "When a bad rating was rectified and answered.",
            "The on-time rectification rate.",
        ),
        "updated_at": (
            "Version time of the record; the latest version wins. An export without one maps "
            "the latest event: `{coalesce: [completed, withdrawn, accepted, submitted]}`.",
            "Required.",
        ),
    },
    "hall_tickets": {
        "ticket_id": ("Queue ticket number.", "Required."),
        "hall_code": ("Service hall.", "Required."),
        "business_type": ("Queue / business line of the ticket.", "Breakdowns by business."),
        "department_code": ("Department serving the ticket.", "Department breakdowns."),
        "ticket_taken_at": ("When the ticket was taken.", "Required."),
        "called_at": (
            "When it was called; empty when the customer left before.",
            "Waiting times and the service level.",
        ),
        "left_at": (
            "When a customer left without being called (离开时间); abandoned tickets only.",
            "Patience is estimated with censoring: the abandoned left before they would have "
            "been called.",
        ),
        "service_start_at": ("When service began.", "Service times and window occupancy."),
        "service_end_at": ("When service ended.", "Service times and window occupancy."),
        "window_no": ("Window that served it.", "Window-level occupancy."),
        "outcome": ("Served, no-show or abandoned.", "Required."),
        "case_id": ("The case this visit served, when known.", "Visit-to-case linkage."),
    },
    "consultations": {
        "order_id": ("Work order or message number (工单编号).", "Required."),
        "channel": ("How the citizen reached the platform.", "Required."),
        "kind": ("Consultation, complaint, suggestion, praise or report.", "Required."),
        "item_code": ("The service item the order concerns, when known.", "Item breakdowns."),
        "department_code": (
            "The department it was assigned to (承办单位).",
            "Counted in the unknown department (the row is flagged).",
        ),
        "region_code": ("Where the matter lies.", "Counted in the unknown region."),
        "subject": ("The order's subject or category as exported (诉求分类).", "Nothing."),
        "citizen_name": ("The citizen's name (pseudonymised at ingestion).", "Nothing."),
        "citizen_phone": ("The citizen's phone (pseudonymised at ingestion).", "Nothing."),
        "received_at": ("When the order was registered (受理时间).", "Required."),
        "assigned_at": ("When it was first assigned to a department.", "Assignment delays."),
        "first_reply_at": (
            "The first reply to the citizen (首次答复).",
            "Every reply metric: an order without one counts as unanswered.",
        ),
        "closed_at": ("When the order was closed (办结).", "Closure metrics."),
        "callback_at": ("The follow-up call or message (回访).", "The callback rate."),
        "transfers": ("Reassignments between departments (转办).", "Transfers per order."),
        "status": ("Where the order stands.", "Required."),
        "reply_due_at": (
            "The order's own reply deadline, when exported; wins over reply_limit_days.",
            "reply_limit_days, else the city's default (var consultation_reply_limit_days).",
        ),
        "reply_limit_days": (
            "The order's own reply limit in working days after the received day.",
            "The city's default reply limit.",
        ),
        "close_due_at": (
            "The order's own closure deadline (e.g. Boston's target_dt); wins over "
            "close_limit_days.",
            "close_limit_days, else the city's default (var consultation_close_limit_days).",
        ),
        "close_limit_days": (
            "The order's own closure limit in working days after the received day.",
            "The city's default closure limit.",
        ),
        "rating": ("The citizen's rating of the answer, 1..5.", "The satisfaction rate."),
        "callback_reached": ("Whether the callback reached the citizen.", "Nothing."),
        "solved": ("已解决 / 未解决, as the citizen said.", "The solved rate."),
        "updated_at": (
            "Version time of the record; the latest version wins. An export without one maps "
            "the latest event: `{coalesce: [closed, replied, received]}`.",
            "Required.",
        ),
    },
    "hotline_calls": {
        "call_id": ("Call identifier.", "Required."),
        "line": ("The hotline or queue the call came in on.", "Breakdowns by line."),
        "offered_at": ("When the call reached the queue (进线).", "Required."),
        "answered_at": ("When an agent answered; empty when abandoned.", "Speed of answer."),
        "ended_at": ("When the call ended.", "Talk times."),
        "outcome": ("Answered or abandoned.", "Required."),
        "agent_id": ("The agent who answered (工号).", "Nothing."),
        "order_id": ("The work order the call opened, when known.", "Call-to-order linkage."),
    },
    "service_guides": {
        "item_code": (
            "Implementation code (实施编码) of the item the guide describes.",
            "Required.",
        ),
        "guide_version": (
            "Version of the guide (版本号); the latest published version is current.",
            "Required.",
        ),
        "published_date": ("When this version was published (发布日期).", "Required."),
        "item_name": ("Item name as the guide shows it.", "The catalogue's name is used."),
        "department_code": (
            "Department responsible for the item.",
            "The guide counts in the unknown department.",
        ),
        "department_name": ("Department name.", "Names come from the city configuration."),
        "region_code": ("Region implementing the item.", "The guide counts in the unknown region."),
        "process_steps": (
            "The process (办理流程), one step a line, `步骤名称：说明`; a line with nothing "
            "after the colon names the step only.",
            "Every guide trips the steps-by-name-only check.",
        ),
        "legal_limit_days": ("Legal time limit as the guide states it.", "Nothing."),
        "promised_limit_days": (
            "Promised time limit as the guide states it (承诺办结时限).",
            "Every guide trips the no-limit/fee/contact check; no limit comparison.",
        ),
        "fee": (
            "Fee as the guide states it (收费标准); 不收费 is a stated fee.",
            "Every guide trips the no-limit/fee/contact check.",
        ),
        "contact_phone": (
            "Enquiry phone (咨询电话).",
            "Every guide trips the no-limit/fee/contact check.",
        ),
        "complaint_phone": ("Complaint phone (监督投诉电话).", "Nothing."),
        "legal_basis": ("Legal basis (设定依据).", "Nothing."),
        "handling_place": ("Where the item is handled (办理地点).", "Nothing."),
        "handling_hours": ("When it is handled (办理时间).", "Nothing."),
    },
    "service_guide_materials": {
        "item_code": ("Item of the guide the material belongs to.", "Required."),
        "guide_version": ("Guide version the material belongs to.", "Required."),
        "published_date": ("The guide version's publication date.", "Nothing."),
        "material_no": ("Position in the guide's material list (序号).", "Required."),
        "material_name": (
            "Material name (材料名称); vague phrases (其他材料, 相关材料, ...) trip the "
            "vague-materials check.",
            "Required.",
        ),
        "format_requirement": (
            "Format requirement (材料形式: 原件, 复印件, 份数, 纸质, 电子...).",
            "Every guide trips the no-format-requirements check.",
        ),
        "form_url": ("Blank form download (空表下载).", "Every guide trips the no-form check."),
        "sample_url": ("Filled-in sample download (样表下载).", "Counts as no sample."),
        "filling_instructions": (
            "Filling instructions (填报须知).",
            "Counts as no instructions.",
        ),
        "is_required": ("Whether the material is required (必要性).", "Nothing."),
    },
}


def render() -> str:
    """docs/canonical-columns.md: every canonical column of every source."""
    lines = [
        "# Canonical columns of the sources",
        "",
        "Generated from `govwh/ingestion/schemas.py` and `govwh/ingestion/column_docs.py` by",
        "`python -m govwh.ingestion.column_docs`; do not edit by hand. A mapping",
        "(docs/ingestion.md) maps an export onto these columns; a required column must be",
        "found (or be a constant or default), an optional one may be absent and the last",
        "column says what the city then does without. Timestamps are naive Asia/Shanghai",
        "time (a mapping's `timezone` converts). docs/onboarding.md walks a new city through.",
    ]
    for name, source in SOURCES.items():
        lines += [
            "",
            f"## {name} → `{source.raw_table}`",
            "",
            f"Key: ({', '.join(source.key)}).",
            "",
            "| column | type | required | meaning | without it |",
            "|---|---|---|---|---|",
        ]
        vocabularies = VOCABULARIES[name]
        for column, dtype in source.columns.items():
            meaning, without = COLUMN_DOCS[name][column]
            if column in vocabularies:
                meaning += " Values: " + ", ".join(f"`{v}`" for v in vocabularies[column]) + "."
            required = "yes" if column in source.required else "no"
            if column == source.load_date_column:
                required = "no (the load day)"
            kind = DUCKDB_TYPES[type(dtype)].lower()
            lines.append(f"| `{column}` | {kind} | {required} | {meaning} | {without} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    DOCUMENT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCUMENT}\n")


if __name__ == "__main__":
    main()
