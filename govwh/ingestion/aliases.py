"""What other systems call our canonical columns and vocabulary words, for onboarding drafts.

`govwh mapping suggest` (suggest.py) looks a new export's headers up in these dictionaries
before it falls back on fuzzy matching, and translates a vocabulary column's values by the
keywords below. Chinese and English spellings side by side; compared without case, blanks,
underscores or hyphens. Order matters: the first alias present wins, and the first keyword
contained in a value decides its translation (so "不予受理" is tried before "受理").
"""

from __future__ import annotations

# fmt: off
# Canonical column -> headers meaning exactly that column (any source).
ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": (
        "办件编号", "办件号", "申报号", "申办流水号", "受理编号", "业务流水号", "流水号",
        "case_enquiry_id", "case id", "case number", "case no", "request id", "request number",
        "service request id", "ticket number", "application id", "application number",
    ),
    "ticket_id": (
        "取号编号", "排队号", "取号号码", "票号", "ticket id", "ticket no", "queue number",
    ),
    "item_code": (
        "事项实施编码", "实施编码", "事项编码", "事项代码", "itemcode", "item code", "item id",
        "service code", "task code", "taskcode",
    ),
    "catalogue_code": ("基本编码", "目录编码", "catalogue code", "catalog code", "basic code"),
    "item_name": (
        "事项名称", "实施清单名称", "事项名", "name", "item name", "service name", "task name",
    ),
    "item_type": ("事项类型", "权力类型", "tasktype", "task type", "item type", "service type"),
    "audience": ("服务对象", "面向对象", "audience", "target group"),
    "department_code": (
        "实施部门编码", "受理部门编码", "部门编码", "部门代码", "机构编码", "deptcode",
        "dept code", "department code", "department id", "agency code",
    ),
    "department_name": (
        "实施部门", "实施主体", "受理部门", "部门名称", "部门", "department", "dept",
        "department name", "agency",
    ),
    "region_code": (
        "行政区划代码", "区划代码", "区划编码", "行政区划编码", "areacode", "area code",
        "region code", "district code",
    ),
    "admin_level": ("行使层级", "层级", "admin level", "level"),
    "depth_level": ("网上办理深度", "办理深度", "depth", "online depth"),
    "unsuitable_online": ("不适宜网办", "unsuitable online"),
    "required_trips": ("到办事现场次数", "到现场次数", "跑动次数", "required trips", "visits"),
    "legal_limit_days": ("法定办结时限", "法定时限", "legal limit", "legal time limit"),
    "promised_limit_days": ("承诺办结时限", "承诺时限", "promised limit", "promised days"),
    "is_cross_department": ("是否联办", "联办", "cross department"),
    "applicant_type": ("申请人类型", "申请主体类型", "applicant type"),
    "applicant_id": ("证件号码", "身份证号", "统一社会信用代码", "applicant id", "id number"),
    "applicant_name": ("申请人名称", "申请人", "申请人姓名", "applicant name", "applicant"),
    "applicant_phone": ("联系电话", "手机号码", "电话", "applicant phone", "phone"),
    "channel": (
        "申报渠道", "办理渠道", "渠道", "申报方式", "来源渠道", "channel", "source",
        "intake channel", "submission channel",
    ),
    "assisted_online": ("是否帮办代办", "帮办代办", "assisted online", "assisted"),
    "hall_code": ("受理大厅编码", "大厅编码", "大厅代码", "hall code", "hall id"),
    "submitted_at": (
        "申报时间", "申请时间", "提交时间", "申办时间", "创建时间", "open_dt", "opened",
        "open date", "opened at", "created", "created at", "created date", "submitted",
        "submitted at", "submission date", "requested at", "request date",
    ),
    "accepted_at": ("受理时间", "accepted", "accepted at", "acceptance date"),
    "completed_at": (
        "办结时间", "完成时间", "办结日期", "closed_dt", "closed", "closed at", "closed date",
        "completed", "completed at", "completion date", "resolved at",
    ),
    "withdrawn_at": ("撤件时间", "撤回时间", "withdrawn", "withdrawn at"),
    "due_at": (
        "承诺办结时间", "承诺办结日期", "办理时限", "截止时间", "target_dt", "due date", "due",
        "due at", "target date", "deadline", "sla date",
    ),
    "status": (
        "办件状态", "办理状态", "状态", "事项状态", "case_status", "status", "case status",
        "state",
    ),
    "decision": ("办理结果", "审批结果", "decision", "result", "outcome decision"),
    "suspended_days": ("特别程序时长", "中止天数", "suspended days"),
    "trips": ("跑动次数", "trips", "visits"),
    "result_delivery": ("结果送达方式", "送达方式", "result delivery", "delivery"),
    "rating": ("评价等级", "好差评", "评价", "rating", "satisfaction"),
    "rating_at": ("评价时间", "rated at", "rating date"),
    "rating_is_default": ("是否默认评价", "默认评价", "default rating"),
    "rectified_at": ("整改回复时间", "整改时间", "rectified at"),
    "updated_at": (
        "更新时间", "最后更新时间", "修改时间", "updated", "updated at", "last updated",
        "last modified", "modified at",
    ),
    "business_type": ("业务类型", "队列", "business type", "queue"),
    "ticket_taken_at": ("取号时间", "ticket taken at", "ticket time"),
    "called_at": ("叫号时间", "called at"),
    "left_at": ("离开时间", "离队时间", "放弃时间", "left at", "abandoned at"),
    "service_start_at": ("开始办理时间", "service start", "service start at"),
    "service_end_at": ("办理结束时间", "service end", "service end at"),
    "window_no": ("窗口号", "窗口", "window", "window no", "counter"),
    "outcome": ("办理状态", "outcome"),
    "snapshot_date": ("目录发布日期", "发布日期", "snapshot date", "published", "publish date"),
    # consultations and complaints (12345 work orders) and hotline calls
    "order_id": (
        "工单编号", "工单号", "诉求编号", "留言编号", "order id", "work order id",
        "case_enquiry_id", "case id", "request id", "service request id", "ticket number",
    ),
    "kind": ("诉求类型", "工单类型", "诉求性质", "kind", "request kind", "case kind"),
    "subject": ("诉求分类", "诉求标题", "标题", "subject", "case_title", "title", "category"),
    "citizen_name": ("诉求人姓名", "诉求人", "来电人", "citizen name", "caller name"),
    "citizen_phone": ("来电号码", "联系电话", "手机号码", "citizen phone", "caller phone"),
    "received_at": (
        "受理时间", "登记时间", "来电时间", "留言时间", "open_dt", "opened", "received",
        "received at", "created", "created at", "created date",
    ),
    "assigned_at": ("派单时间", "交办时间", "assigned at", "assigned", "dispatched at"),
    "first_reply_at": ("首次答复时间", "答复时间", "回复时间", "first reply", "replied at"),
    "closed_at": ("办结时间", "结案时间", "closed_dt", "closed", "closed at", "resolved at"),
    "callback_at": ("回访时间", "callback at", "follow up at"),
    "transfers": ("转办次数", "transfers", "reassignments"),
    "reply_due_at": ("答复期限", "答复截止时间", "reply due", "reply due at"),
    "reply_limit_days": ("答复时限", "reply limit", "reply limit days"),
    "close_due_at": ("办结期限", "办理期限", "target_dt", "due date", "target date", "sla date"),
    "close_limit_days": ("办结时限", "close limit", "close limit days"),
    "callback_reached": ("回访是否联系上", "callback reached"),
    "solved": ("是否解决", "解决情况", "solved", "resolved"),
    "call_id": ("通话编号", "呼叫编号", "call id", "call uuid"),
    "line": ("热线号码", "技能组", "line", "queue", "skill group"),
    "offered_at": ("进线时间", "呼入时间", "offered at", "call start", "arrival time"),
    "answered_at": ("接听时间", "应答时间", "answered at", "answer time"),
    "ended_at": ("挂机时间", "结束时间", "ended at", "hang up time", "end time"),
    "agent_id": ("坐席工号", "工号", "agent id", "agent"),
    # service guides (办事指南) and their materials
    "guide_version": ("指南版本", "版本号", "版本", "guide version", "version"),
    "published_date": ("指南发布日期", "发布日期", "发布时间", "published date", "published"),
    "process_steps": ("办理流程", "办事流程", "流程", "process", "steps", "process steps"),
    "fee": ("收费标准", "收费情况", "是否收费", "fee", "fees", "charge"),
    "contact_phone": ("咨询电话", "咨询方式", "contact phone", "enquiry phone", "contact"),
    "complaint_phone": ("监督投诉电话", "投诉电话", "监督电话", "complaint phone"),
    "legal_basis": ("设定依据", "法律依据", "实施依据", "legal basis"),
    "handling_place": ("办理地点", "受理地点", "handling place", "address"),
    "handling_hours": ("办理时间", "受理时间段", "handling hours", "opening hours"),
    "material_no": ("材料序号", "序号", "material no", "no"),
    "material_name": ("材料名称", "申请材料", "material name", "material"),
    "format_requirement": (
        "材料形式", "材料要求", "材料格式", "份数要求", "format requirement", "format",
    ),
    "form_url": ("空表下载", "表格下载", "空白表格", "form url", "form download"),
    "sample_url": ("样表下载", "示例样表", "样表", "sample url", "sample"),
    "filling_instructions": ("填报须知", "填写说明", "填报说明", "filling instructions"),
    "is_required": ("是否必要", "必要性", "必须", "required"),
}

# Headers that stand for a column only where nothing closer was found: a source without
# department names takes "department" as the code (Boston's 311 "PWDx"), a case log without
# an item code takes the request type ("type") as its item.
FALLBACK_ALIASES: dict[str, tuple[str, ...]] = {
    "department_code": ("部门", "department", "dept", "agency"),
    "item_code": ("事项名称", "type", "request type", "case type", "service type", "subject"),
    "item_type": ("type",),
    "region_code": ("行政区划", "区划", "region", "district"),
}

# Vocabulary column -> (keywords, canonical value), tried in order; a value containing a
# keyword (without case) gets that canonical value. Per source where the words differ.
KEYWORDS: dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]] = {
    "case_logs": {
        "status": (
            (("不予受理", "not accepted", "rejected"), "not_accepted"),
            (("待受理", "预审", "待审", "pending", "submitted"), "pending_acceptance"),
            (("撤件", "撤回", "撤销", "withdrawn", "cancel"), "withdrawn"),
            (
                (
                    "未办结", "在办", "办理中", "已受理", "受理", "open", "in progress",
                    "progress", "assigned", "processing",
                ),
                "in_progress",
            ),
            (
                (
                    "办结", "已完成", "完成", "不予许可", "closed", "completed", "resolved",
                    "done", "finished",
                ),
                "completed",
            ),
        ),
        "channel": (
            (("自助", "self service", "self-service", "kiosk"), "self_service"),
            (("app", "移动", "手机", "小程序", "微信", "mobile"), "mobile_app"),
            (("网上", "网办", "网站", "web", "internet", "online", "portal"), "online_web"),
            (("窗口", "大厅", "现场", "walk-in", "walk in", "counter", "in person"), "hall_window"),
            (("邮寄", "mail", "post"), "mail"),
            (("电话", "热线", "12345", "call", "phone", "hotline", "其他", "other"), "other"),
        ),
        "applicant_type": (
            (("自然人", "个人", "person", "individual", "citizen"), "person"),
            (
                ("法人", "企业", "单位", "enterprise", "company", "organisation", "organization"),
                "enterprise",
            ),
        ),
        "decision": (
            (("不予", "不同意", "不通过", "驳回", "denied", "refused", "rejected"), "denied"),
            (("准予", "同意", "通过", "批准", "approved", "granted"), "approved"),
        ),
        "result_delivery": (
            (("邮寄", "快递", "post", "mail", "courier"), "post"),
            (("电子", "网上", "electronic", "online", "email"), "electronic"),
            (("窗口", "自取", "现场", "领取", "window", "pickup", "pick up"), "window"),
        ),
    },
    "service_items": {
        "status": (
            (("取消", "停用", "废止", "无效", "inactive", "cancel", "revoked"), "inactive"),
            (("在用", "有效", "启用", "正常", "active", "valid"), "active"),
        ),
        "item_type": (
            (("许可", "licen", "permit"), "licence"),
            (("确认", "confirm"), "confirmation"),
            (("给付", "benefit"), "benefit"),
            (("裁决", "adjudicat"), "adjudication"),
            (("奖励", "award"), "award"),
            (("公共服务", "public service"), "public_service"),
            (("其他", "other"), "other"),
        ),
        "audience": (
            (("自然人和法人", "自然人、法人", "both", "all"), "both"),
            (("自然人", "个人", "citizen", "person"), "citizen"),
            (("法人", "企业", "enterprise", "company"), "enterprise"),
        ),
        "admin_level": (
            (("村", "社区", "village"), "village"),
            (("乡", "镇", "街道", "township"), "township"),
            (("县", "区", "county", "district"), "county"),
            (("市", "city"), "city"),
        ),
    },
    "consultations": {
        "channel": (
            (("12345", "热线", "电话", "phone", "call", "hotline", "constituent call"), "hotline"),
            (("小程序", "mini program", "wechat", "微信"), "mini_program"),
            (("app", "移动", "手机", "mobile", "citizens connect"), "app"),
            (("网站", "网上", "留言", "web", "internet", "online", "self service"), "web"),
            (("窗口", "大厅", "现场", "walk-in", "walk in", "counter"), "hall"),
            (("其他", "other", "employee", "city worker"), "other"),
        ),
        "kind": (
            (("投诉", "complaint"), "complaint"),
            (("举报", "report"), "report"),
            (("建议", "suggest"), "suggestion"),
            (("表扬", "感谢", "praise", "thanks"), "praise"),
            (("咨询", "求助", "consult", "request", "enquiry", "inquiry"), "consultation"),
        ),
        "status": (
            (("撤销", "撤回", "无效", "withdrawn", "cancel"), "withdrawn"),
            (("办结", "已完成", "结案", "closed", "resolved", "completed"), "closed"),
            (("已答复", "已回复", "replied", "answered"), "replied"),
            (("办理中", "已派单", "转办", "assigned", "in progress", "open"), "assigned"),
            (("已受理", "待派单", "received", "new"), "received"),
        ),
    },
    "hotline_calls": {
        "outcome": (
            (("呼损", "放弃", "未接", "abandon", "missed", "lost"), "abandoned"),
            (("接通", "已接", "answered", "handled"), "answered"),
        ),
    },
    "hall_tickets": {
        "outcome": (
            (("过号", "no show", "no-show", "missed"), "no_show"),
            (("弃号", "abandon", "left", "cancel"), "abandoned"),
            (("已办理", "办理", "served", "done", "completed"), "served"),
        ),
    },
}

# fmt: on

# What to do about a required column the export lacks (a TODO line of the draft).
MISSING_ADVICE: dict[str, str] = {
    "snapshot_date": "the date the catalogue was published: {constant: 'YYYY-MM-DD'}",
    "admin_level": "one level for the whole file? {constant: county} (city/county/township)",
    "depth_level": "the online depth 1..4; if the export has none, {constant: N} after checking",
    "required_trips": "trips the applicant must make; {constant: N} if the export has none",
    "promised_limit_days": "promised working days (0 = instant item); {constant: N} if absent",
    "status": "the item's status: {constant: active} for a catalogue of items in use",
    "item_type": "the item's kind; {constant: licence} or a header whose values you translate",
    "department_code": "a department code column, or {coalesce: [code, name]} if only names",
    "region_code": "the 6/9/12-digit region code: {constant: 'NNNNNN'} for one region",
    "trips": "in-person trips per case; {constant: 0} for an online or call-centre system",
    "updated_at": "the record's version time: {coalesce: [<last change>, <closed>, <opened>]}",
    "channel": "the intake channel; {constant: other} if the system has only one",
    "item_code": "the item (service type) of each case",
    "hall_code": "the hall: {constant: <hall code>} for an export of one hall",
    "outcome": "served / no_show / abandoned, translated in values",
    "guide_version": "the guide's version: {constant: '1'} for an export of one version",
    "published_date": "the date the guide was published: {constant: 'YYYY-MM-DD'}",
    "material_no": "the material's position in the guide's list (序号)",
    "material_name": "the material's name (材料名称)",
}
