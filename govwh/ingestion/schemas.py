"""Canonical schemas of the sources: the contract between exports and the warehouse.

Every source system's export is mapped onto these columns (English names, our vocabularies)
before it reaches the ``raw`` schema. The demo generator writes them directly. Timestamps are
naive Asia/Shanghai local time, as the platforms export them.

See ``../shared/domain.md`` for the meaning of each field.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Vocabularies --------------------------------------------------------------------------------

ITEM_TYPES = (
    # handled on application (依申请): the default scope of item metrics
    "licence",  # 行政许可
    "confirmation",  # 行政确认
    "benefit",  # 行政给付
    "adjudication",  # 行政裁决
    "award",  # 行政奖励
    "other",  # 其他行政权力
    # public services (公共服务事项): outside the default scope, configurable
    "public_service",
)
AUDIENCES = ("citizen", "enterprise", "both")
ADMIN_LEVELS = ("city", "county", "township", "village")
ITEM_STATUSES = ("active", "inactive")
CHANNELS = ("online_web", "mobile_app", "self_service", "hall_window", "mail", "other")
CASE_STATUSES = (
    "pending_acceptance",  # submitted, not yet accepted (预审中)
    "in_progress",  # accepted, not completed (在办)
    "completed",  # decided: approved or refused (办结, 不予许可 included)
    "not_accepted",  # refused to accept (不予受理)
    "withdrawn",  # withdrawn by the applicant before decision (撤件)
)
DECISIONS = ("approved", "denied")
APPLICANT_TYPES = ("person", "enterprise")
RESULT_DELIVERIES = ("window", "post", "electronic")
TICKET_OUTCOMES = ("served", "no_show", "abandoned")
LIMIT_DAY_KINDS = ("working", "calendar")
# consultations and complaints (咨询投诉): 12345 hotline work orders and message-board messages
CONSULTATION_CHANNELS = ("hotline", "web", "app", "mini_program", "hall", "other")
CONSULTATION_KINDS = ("consultation", "complaint", "suggestion", "praise", "report")
CONSULTATION_STATUSES = (
    "received",  # registered, not yet assigned to a department (已受理/待派单)
    "assigned",  # assigned to a department, no reply yet (已派单/办理中)
    "replied",  # the department replied, not yet closed (已答复)
    "closed",  # closed (办结/已归档)
    "withdrawn",  # withdrawn by the citizen or cancelled as invalid (撤销/无效工单)
)
CALL_OUTCOMES = ("answered", "abandoned")


@dataclass(frozen=True)
class SourceSchema:
    """One source: its landing folder name, raw table and canonical columns."""

    name: str
    raw_table: str
    key: tuple[str, ...]
    columns: dict[str, pl.DataType]
    required: tuple[str, ...]
    # a required date an export may lack, then the day it is loaded (a catalogue export
    # without its publication date is the catalogue as of the day it was loaded)
    load_date_column: str | None = None

    @property
    def polars_schema(self) -> pl.Schema:
        return pl.Schema(self.columns)


SERVICE_ITEMS = SourceSchema(
    name="service_items",
    raw_table="raw.service_items",
    key=("snapshot_date", "item_code"),
    columns={
        "snapshot_date": pl.Date(),  # the catalogue as published on this date
        "item_code": pl.String(),  # implementation code (实施编码), unique per region
        "catalogue_code": pl.String(),  # basic item code (基本编码), same across regions
        "item_name": pl.String(),
        "item_type": pl.String(),  # ITEM_TYPES
        "audience": pl.String(),  # AUDIENCES
        "department_code": pl.String(),
        "department_name": pl.String(),
        "region_code": pl.String(),  # 6-digit GB/T 2260 style, 9 digits below county
        "admin_level": pl.String(),  # ADMIN_LEVELS
        "depth_level": pl.Int8(),  # 1..4 on the domain's scale; null = not assessed
        "unsuitable_online": pl.Boolean(),  # 不适宜网办
        "required_trips": pl.Int8(),  # trips the applicant must make (承诺跑动次数); null = unknown
        "legal_limit_days": pl.Int16(),  # working days; null where the law sets none
        # working days; 0 = instant item (即办件); null = no limit in the catalogue
        "promised_limit_days": pl.Int16(),
        "is_cross_department": pl.Boolean(),
        "status": pl.String(),  # ITEM_STATUSES
    },
    required=(
        "snapshot_date",
        "item_code",
        "item_type",
        "department_code",
        "region_code",
        "admin_level",
        "status",
    ),
    load_date_column="snapshot_date",
)

CASE_LOGS = SourceSchema(
    name="case_logs",
    raw_table="raw.case_logs",
    key=("case_id", "updated_at"),
    columns={
        "case_id": pl.String(),
        "item_code": pl.String(),
        "department_code": pl.String(),
        "region_code": pl.String(),  # where the case is handled
        "applicant_type": pl.String(),  # APPLICANT_TYPES
        "applicant_id": pl.String(),  # ID card number / unified social credit code (PII)
        "applicant_name": pl.String(),  # PII
        "applicant_phone": pl.String(),  # PII
        "channel": pl.String(),  # CHANNELS
        "assisted_online": pl.Boolean(),  # filed online with help at a hall (帮办代办)
        "hall_code": pl.String(),  # the hall for hall_window cases, else null
        "submitted_at": pl.Datetime("us"),
        "accepted_at": pl.Datetime("us"),  # null when never accepted
        "completed_at": pl.Datetime("us"),  # null unless status = completed
        "withdrawn_at": pl.Datetime("us"),
        "status": pl.String(),  # CASE_STATUSES
        "decision": pl.String(),  # DECISIONS, for completed cases
        "suspended_days": pl.Int16(),  # working days of legal suspension (时限中止)
        # the case's own deadline, when the export carries one (承诺办结时间): it wins over
        # limit_days, which wins over the catalogue's promised limit (fct_cases)
        "due_at": pl.Datetime("us"),
        "limit_days": pl.Int16(),  # the case's own limit, counted from acceptance
        "limit_day_kind": pl.String(),  # LIMIT_DAY_KINDS: working (default) or calendar days
        "trips": pl.Int8(),  # in-person trips so far (跑动次数)
        "result_delivery": pl.String(),  # RESULT_DELIVERIES
        "rating": pl.Int8(),  # 好差评 1..5, null when not rated
        "rating_at": pl.Datetime("us"),
        "rating_is_default": pl.Boolean(),  # automatic default rating (系统默认好评)
        "rectified_at": pl.Datetime("us"),  # bad rating rectified and answered
        "updated_at": pl.Datetime("us"),  # version of this record; latest wins
    },
    required=(
        "case_id",
        "item_code",
        "channel",
        "submitted_at",
        "status",
        "updated_at",
    ),
)

HALL_TICKETS = SourceSchema(
    name="hall_tickets",
    raw_table="raw.hall_tickets",
    key=("ticket_id",),
    columns={
        "ticket_id": pl.String(),
        "hall_code": pl.String(),
        "business_type": pl.String(),  # queue / business line of the ticket
        "department_code": pl.String(),
        "ticket_taken_at": pl.Datetime("us"),
        "called_at": pl.Datetime("us"),  # null when the customer left before being called
        # when a customer left without being called (离开时间): abandoned tickets only, and
        # many queue systems never record it (patience is then estimated as censored)
        "left_at": pl.Datetime("us"),
        "service_start_at": pl.Datetime("us"),
        "service_end_at": pl.Datetime("us"),
        "window_no": pl.String(),
        "outcome": pl.String(),  # TICKET_OUTCOMES
        "case_id": pl.String(),  # the case this visit served, when known
    },
    required=("ticket_id", "hall_code", "ticket_taken_at", "outcome"),
)

CONSULTATIONS = SourceSchema(
    name="consultations",
    raw_table="raw.consultations",
    key=("order_id", "updated_at"),
    columns={
        "order_id": pl.String(),  # work order / message number (工单编号)
        "channel": pl.String(),  # CONSULTATION_CHANNELS
        "kind": pl.String(),  # CONSULTATION_KINDS
        "item_code": pl.String(),  # the service item it concerns, when known
        "department_code": pl.String(),  # the department it was assigned to (承办单位)
        "region_code": pl.String(),  # where the matter lies
        "subject": pl.String(),  # the order's subject or category as exported (诉求分类)
        "citizen_name": pl.String(),  # PII
        "citizen_phone": pl.String(),  # PII
        "received_at": pl.Datetime("us"),  # registered (受理/登记时间)
        "assigned_at": pl.Datetime("us"),  # first assigned to a department (派单时间)
        "first_reply_at": pl.Datetime("us"),  # first reply to the citizen (首次答复时间)
        "closed_at": pl.Datetime("us"),  # closed (办结时间)
        "callback_at": pl.Datetime("us"),  # follow-up call or message (回访时间)
        "transfers": pl.Int16(),  # reassignments between departments (转办次数)
        "status": pl.String(),  # CONSULTATION_STATUSES
        # the order's own reply limit: its due timestamp wins over its limit in working days,
        # which wins over the city's default (var consultation_reply_limit_days)
        "reply_due_at": pl.Datetime("us"),
        "reply_limit_days": pl.Int16(),  # working days after the received day
        # the order's own closure limit, the same way (var consultation_close_limit_days)
        "close_due_at": pl.Datetime("us"),
        "close_limit_days": pl.Int16(),
        "rating": pl.Int8(),  # the citizen's rating of the answer 1..5, null when not rated
        "callback_reached": pl.Boolean(),  # the callback reached the citizen
        "solved": pl.Boolean(),  # 已解决 / 未解决, as the citizen said at the callback
        "updated_at": pl.Datetime("us"),  # version of this record; latest wins
    },
    required=("order_id", "channel", "kind", "received_at", "status", "updated_at"),
)

HOTLINE_CALLS = SourceSchema(
    name="hotline_calls",
    raw_table="raw.hotline_calls",
    key=("call_id",),
    columns={
        "call_id": pl.String(),
        "line": pl.String(),  # the hotline or queue (12345, a department's own line, ...)
        "offered_at": pl.Datetime("us"),  # the call reached the queue (进线时间)
        "answered_at": pl.Datetime("us"),  # an agent answered; null when abandoned
        "ended_at": pl.Datetime("us"),  # hung up (either side)
        "outcome": pl.String(),  # CALL_OUTCOMES
        "agent_id": pl.String(),  # the agent who answered (工号), when exported
        "order_id": pl.String(),  # the work order the call opened, when known
    },
    required=("call_id", "offered_at", "outcome"),
)

SERVICE_GUIDES = SourceSchema(
    name="service_guides",
    raw_table="raw.service_guides",
    key=("item_code", "guide_version"),
    columns={
        "item_code": pl.String(),  # implementation code (实施编码) the guide describes
        "guide_version": pl.String(),  # version of the guide (版本号); a new one replaces it
        "published_date": pl.Date(),  # when this version was published (发布日期)
        "item_name": pl.String(),
        "department_code": pl.String(),
        "department_name": pl.String(),
        "region_code": pl.String(),
        # the process, one step a line as portals export it: "步骤名称：说明"; a line without
        # a description (no text after the colon) names the step only
        "process_steps": pl.String(),
        "legal_limit_days": pl.Int16(),  # 法定办结时限 as the guide states it (working days)
        "promised_limit_days": pl.Int16(),  # 承诺办结时限 as the guide states it
        "fee": pl.String(),  # 收费标准 as text; "不收费" is a stated fee
        "contact_phone": pl.String(),  # 咨询电话
        "complaint_phone": pl.String(),  # 监督投诉电话
        "legal_basis": pl.String(),  # 设定依据
        "handling_place": pl.String(),  # 办理地点
        "handling_hours": pl.String(),  # 办理时间
    },
    required=("item_code", "guide_version", "published_date"),
)

SERVICE_GUIDE_MATERIALS = SourceSchema(
    name="service_guide_materials",
    raw_table="raw.service_guide_materials",
    key=("item_code", "guide_version", "material_no"),
    columns={
        "item_code": pl.String(),
        "guide_version": pl.String(),  # the guide version (raw.service_guides) it belongs to
        "published_date": pl.Date(),  # the guide version's publication date
        "material_no": pl.Int16(),  # position in the guide's material list (序号)
        "material_name": pl.String(),  # 材料名称
        "format_requirement": pl.String(),  # 材料形式 / 要求: 原件, 复印件, 份数, 纸质, 电子...
        "form_url": pl.String(),  # 空表下载 (blank form)
        "sample_url": pl.String(),  # 样表下载 (filled-in sample)
        "filling_instructions": pl.String(),  # 填报须知
        "is_required": pl.Boolean(),  # 必要性: required (true) or as applicable (false)
    },
    required=("item_code", "guide_version", "material_no", "material_name"),
)

SOURCES: dict[str, SourceSchema] = {
    s.name: s
    for s in (
        SERVICE_ITEMS,
        CASE_LOGS,
        HALL_TICKETS,
        CONSULTATIONS,
        HOTLINE_CALLS,
        SERVICE_GUIDES,
        SERVICE_GUIDE_MATERIALS,
    )
}
