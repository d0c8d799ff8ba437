"""Validation rules of each source, as SQL over the typed relation.

Each rule yields the rows that break it, with the column, the value and a reason. A rejected
row goes to the quarantine table instead of the raw table; a flagged row is loaded and its
problem recorded in the quarantine table too (action = 'flagged'). Rules are set operations
over a whole batch of files (`_file` tells them apart), never a loop over its rows: one pass
finds the rows breaking any row rule, and only those are examined rule by rule; duplicates
are looked for by grouping a hash of the key, and only repeated keys are ranked.
docs/ingestion.md lists the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from govwh.ingestion import schemas
from govwh.ingestion.parsing import DUCKDB_TYPES, TYPED, sql_string
from govwh.ingestion.schemas import SourceSchema

ISSUES = "_landing_issues"
REJECTED = "rejected"
FLAGGED = "flagged"


@dataclass(frozen=True)
class Rule:
    column: str
    code: str
    violated: str  # SQL condition over TYPED, true for a bad row
    reason: str  # SQL expression of the message
    value: str | None = None  # SQL expression of the reported value (default: the column)
    action: str = REJECTED


VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "service_items": {
        "item_type": schemas.ITEM_TYPES,
        "audience": schemas.AUDIENCES,
        "admin_level": schemas.ADMIN_LEVELS,
        "status": schemas.ITEM_STATUSES,
    },
    "case_logs": {
        "applicant_type": schemas.APPLICANT_TYPES,
        "channel": schemas.CHANNELS,
        "status": schemas.CASE_STATUSES,
        "decision": schemas.DECISIONS,
        "result_delivery": schemas.RESULT_DELIVERIES,
        "limit_day_kind": schemas.LIMIT_DAY_KINDS,
    },
    "hall_tickets": {"outcome": schemas.TICKET_OUTCOMES},
    "consultations": {
        "channel": schemas.CONSULTATION_CHANNELS,
        "kind": schemas.CONSULTATION_KINDS,
        "status": schemas.CONSULTATION_STATUSES,
    },
    "hotline_calls": {"outcome": schemas.CALL_OUTCOMES},
    "service_guides": {},
    "service_guide_materials": {},
}
# Region codes follow GB/T 2260. Other codes and identifiers are whatever the source system
# uses: real request types and department names carry blanks and Chinese characters, so any
# text without control characters is accepted (`code: hash` in a mapping makes short codes).
ANY_CODE = "[^[:cntrl:]]{1,128}"
CODE_FORMATS: dict[str, str] = {
    "region_code": "[0-9]{6}([0-9]{3}){0,2}",  # GB/T 2260, plus township and village suffixes
    "item_code": ANY_CODE,
    "catalogue_code": ANY_CODE,
    "department_code": ANY_CODE,
    "case_id": ANY_CODE,
    "ticket_id": ANY_CODE,
    "hall_code": ANY_CODE,
    "order_id": ANY_CODE,
    "call_id": ANY_CODE,
}
RANGES: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "service_items": {
        "depth_level": (1, 4),
        "required_trips": (0, None),
        "legal_limit_days": (0, None),
        "promised_limit_days": (0, None),
    },
    "case_logs": {
        "trips": (0, None),
        "suspended_days": (0, None),
        "rating": (1, 5),
        "limit_days": (0, None),
    },
    "hall_tickets": {},
    "consultations": {
        "transfers": (0, None),
        "rating": (1, 5),
        "reply_limit_days": (0, None),
        "close_limit_days": (0, None),
    },
    "hotline_calls": {},
    "service_guides": {"legal_limit_days": (0, None), "promised_limit_days": (0, None)},
    "service_guide_materials": {"material_no": (1, None)},
}
# (later, earlier, reason code): the later timestamp may not come before the earlier one
ORDER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "service_items": (),
    "case_logs": (
        ("accepted_at", "submitted_at", "accepted_before_submitted"),
        ("completed_at", "accepted_at", "negative_duration"),
        ("withdrawn_at", "submitted_at", "withdrawn_before_submitted"),
        ("updated_at", "submitted_at", "updated_before_submitted"),
    ),
    "hall_tickets": (
        ("called_at", "ticket_taken_at", "called_before_taken"),
        ("left_at", "ticket_taken_at", "left_before_taken"),
        ("service_start_at", "ticket_taken_at", "served_before_taken"),
        ("service_end_at", "service_start_at", "negative_duration"),
    ),
    "consultations": (
        ("assigned_at", "received_at", "assigned_before_received"),
        ("first_reply_at", "received_at", "replied_before_received"),
        ("closed_at", "received_at", "closed_before_received"),
        ("callback_at", "received_at", "callback_before_received"),
        ("updated_at", "received_at", "updated_before_received"),
    ),
    "hotline_calls": (
        ("answered_at", "offered_at", "answered_before_offered"),
        ("ended_at", "offered_at", "ended_before_offered"),
        ("ended_at", "answered_at", "ended_before_answered"),
    ),
    "service_guides": (),
    "service_guide_materials": (),
}


def _quoted(column: str) -> str:
    return f'"{column}"'


def _parse_rules(source: SourceSchema, with_text: tuple[str, ...]) -> list[Rule]:
    return [
        Rule(
            column,
            "invalid_value",
            f'"_raw_{column}" is not null and {_quoted(column)} is null',
            sql_string(f"not a valid {DUCKDB_TYPES[type(source.columns[column])].lower()}"),
            value=f'"_raw_{column}"',
        )
        for column in with_text
    ]


def _required_rules(source: SourceSchema, with_text: tuple[str, ...]) -> list[Rule]:
    rules = []
    for column in source.required:
        has_text = f' and "_raw_{column}" is null' if column in with_text else ""
        rules.append(
            Rule(
                column,
                "missing_required",
                f"{_quoted(column)} is null{has_text}",
                sql_string("required value missing"),
            )
        )
    return rules


def _vocabulary_rules(source: SourceSchema) -> list[Rule]:
    return [
        Rule(
            column,
            "not_in_vocabulary",
            f"{_quoted(column)} not in ({', '.join(sql_string(v) for v in allowed)})",
            sql_string(f"not one of {', '.join(allowed)} (translate it in the mapping's values)"),
        )
        for column, allowed in VOCABULARIES[source.name].items()
    ]


def _format_rules(source: SourceSchema, pii: tuple[str, ...]) -> list[Rule]:
    return [
        Rule(
            column,
            "bad_code_format",
            f"not regexp_full_match({_quoted(column)}, {sql_string(pattern)})",
            sql_string(f"code does not match {pattern}"),
        )
        for column, pattern in CODE_FORMATS.items()
        if column in source.columns and column not in pii
    ]


def _range_rules(source: SourceSchema) -> list[Rule]:
    rules = []
    for column, (low, high) in RANGES[source.name].items():
        bounds = [
            f"{_quoted(column)} < {low}" if low is not None else None,
            f"{_quoted(column)} > {high}" if high is not None else None,
        ]
        text = f"between {low} and {high}" if high is not None else f"at least {low}"
        code = "negative_value" if high is None else "out_of_range"
        rules.append(
            Rule(column, code, " or ".join(b for b in bounds if b), sql_string(f"must be {text}"))
        )
    return rules


def _order_rules(source: SourceSchema, clock_skew_seconds: int) -> list[Rule]:
    """A reversal beyond the clock skew tolerance rejects the row; a smaller one (two systems'
    clocks a few seconds apart) loads it, flagged `clock_skew`."""
    rules = []
    for later, earlier, code in ORDER[source.name]:
        tolerated = f"{_quoted(earlier)} - to_seconds({clock_skew_seconds})"
        before = f"'before {earlier} (' || cast({_quoted(earlier)} as varchar) || ')'"
        rules.append(Rule(later, code, f"{_quoted(later)} < {tolerated}", before))
        if clock_skew_seconds > 0:
            rules.append(
                Rule(
                    later,
                    "clock_skew",
                    f"{_quoted(later)} < {_quoted(earlier)} and {_quoted(later)} >= {tolerated}",
                    f"{before} || ', within the clock skew tolerance of "
                    f"{clock_skew_seconds} s: loaded'",
                    action=FLAGGED,
                )
            )
    return rules


def _future_rules(source: SourceSchema) -> list[Rule]:
    rules = []
    for column, dtype in source.columns.items():
        if DUCKDB_TYPES[type(dtype)] in ("TIMESTAMP", "DATE"):
            rules.append(
                Rule(
                    column,
                    "future_date",
                    f"{_quoted(column)} > $loaded_at",
                    "'after the load time (' || cast($loaded_at as varchar) || ')'",
                )
            )
    return rules


# Dimensions a case should name but may not: the row loads, flagged, and the warehouse counts
# it in the unknown member of that dimension (dim_region, dim_department), never drops it.
FLAGGED_WHEN_MISSING: dict[str, tuple[str, ...]] = {
    "case_logs": ("region_code", "department_code"),
    "consultations": ("department_code",),
    "service_guides": ("region_code", "department_code"),
}


# (column, condition true for a bad row, reason code, message): a value that contradicts
# another column of the same row
CONSISTENCY: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "hall_tickets": (
        (
            "left_at",
            '"left_at" is not null and "outcome" <> \'abandoned\'',
            "left_but_not_abandoned",
            "a time the customer left on a ticket whose outcome is not abandoned",
        ),
    ),
}


def _consistency_rules(source: SourceSchema) -> list[Rule]:
    return [
        Rule(column, code, violated, sql_string(message))
        for column, violated, code, message in CONSISTENCY.get(source.name, ())
    ]


def _missing_dimension_rules(source: SourceSchema) -> list[Rule]:
    return [
        Rule(
            column,
            f"missing_{column.removesuffix('_code')}",
            f"{_quoted(column)} is null",
            sql_string(f"no {column.removesuffix('_code')}: counted in the unknown one"),
            action=FLAGGED,
        )
        for column in FLAGGED_WHEN_MISSING.get(source.name, ())
    ]


def row_rules(
    source: SourceSchema,
    with_text: tuple[str, ...],
    pii: tuple[str, ...],
    clock_skew_seconds: int = 0,
) -> list[Rule]:
    """Every rule that judges a row on its own values (never a personal identifier's)."""
    rules = [
        *_parse_rules(source, with_text),
        *_required_rules(source, with_text),
        *_vocabulary_rules(source),
        *_format_rules(source, pii),
        *_range_rules(source),
        *_order_rules(source, clock_skew_seconds),
        *_future_rules(source),
        *_missing_dimension_rules(source),
        *_consistency_rules(source),
    ]
    assert not any(rule.column in pii for rule in rules), "a rule would report clear PII"
    return rules


def any_violation_sql(rules: list[Rule]) -> str:
    """SQL true for a row breaking at least one of `rules` (one pass over the batch)."""
    return " or ".join(f"coalesce({rule.violated}, false)" for rule in rules) or "false"


def rule_sql(rule: Rule, relation: str = TYPED) -> str:
    value = rule.value or _quoted(rule.column)
    return (
        f"select _file, _row_number, {sql_string(rule.column)} as column_name, "
        f"cast({value} as varchar) as value, {sql_string(rule.code)} as reason_code, "
        f"{rule.reason} as reason, {sql_string(rule.action)} as action "
        f"from {relation} where {rule.violated}"
    )


def _not_rejected(alias: str) -> str:
    return (
        f"not exists (select 1 from {ISSUES} as issue where issue.action = '{REJECTED}' "
        f"and issue._file = {alias}._file and issue._row_number = {alias}._row_number)"
    )


def key_candidates_sql(source: SourceSchema) -> str:
    """Rows (not rejected so far) whose key repeats within the batch or is already in the
    raw table: the few rows the exact duplicate logic has to look at. Repeats are found by
    grouping a 64-bit hash of the key (cheap); a hash collision only adds a candidate. The raw
    rows are narrowed to the batch's period range, then to the batch's keys (a semi join,
    whose hash table holds the batch's keys, not the table's: a range of ticket ids spans
    every hall, and grouping the 52 M tickets in range took 13 s of a province's daily load,
    the semi join 8 s)."""
    key = ", ".join(_quoted(c) for c in source.key)
    typed_key = ", ".join(f"typed.{_quoted(c)}" for c in source.key)
    join = " and ".join(f"loaded.{_quoted(c)} = typed.{_quoted(c)}" for c in source.key)
    # versioned sources are keyed (id, updated_at): their range is the version time's
    period = _quoted(source.key[-1] if "updated_at" in source.key else source.key[0])
    return f"""
        with repeated as (
            select hash({key}) as key_hash from {TYPED} group by key_hash having count(*) > 1
        ),
        batch_keys as (
            select distinct {key} from {TYPED}
        ),
        loaded as (
            select {key}, any_value(_source_file) as loaded_from
            from {source.raw_table} semi join batch_keys using ({key})
            where {period} between (select min({period}) from {TYPED})
                and (select max({period}) from {TYPED})
            group by all
        )
        select typed._file, typed._row_number, {typed_key}, loaded.loaded_from
        from {TYPED} as typed
        left join loaded on {join}
        where (loaded.loaded_from is not null
                or hash({typed_key}) in (select key_hash from repeated))
            and {_not_rejected("typed")}
    """


def duplicate_sql(source: SourceSchema, candidates: str, file_names: str) -> str:
    """Duplicates and re-deliveries among the key candidates, exactly as if the batch's
    files were loaded one after the other: a row repeating the key of an earlier row of its
    own file is a `duplicate_row` (the first is kept); the first row of a key in a file is
    `already_loaded` when the raw table, or an earlier file of the batch, holds that key.
    `file_names` is an SQL list of the batch's file names, by `_file`."""
    key = ", ".join(_quoted(c) for c in source.key)
    label = ", ".join(source.key)
    return f"""
        with ranked as (
            select *,
                min(_row_number) over (partition by _file, {key}) as first_in_file,
                min(_file) over (partition by {key}) as first_file
            from {candidates}
        )
        select _file, _row_number, {sql_string(label)} as column_name,
            concat_ws(' | ', {key}) as value,
            case when _row_number > first_in_file then 'duplicate_row'
                else 'already_loaded' end as reason_code,
            case when _row_number > first_in_file
                    then 'same ({label}) as row ' || cast(first_in_file as varchar)
                        || ' of this file'
                else 'same ({label}) already loaded from '
                    || coalesce(loaded_from, {file_names}[first_file]) end as reason,
            '{REJECTED}' as action
        from ranked
        where _row_number > first_in_file or loaded_from is not null or _file > first_file
    """


def unknown_item_sql() -> str:
    """Cases whose item code is in no catalogue snapshot: loaded, and flagged."""
    return f"""
        select _file, _row_number, 'item_code' as column_name, item_code as value,
            'unknown_item_code' as reason_code,
            'item code not in any catalogue snapshot (raw.service_items)' as reason,
            '{FLAGGED}' as action
        from {TYPED} as typed
        where item_code not in (select distinct item_code from raw.service_items)
            and {_not_rejected("typed")}
    """


def guide_missing_sql() -> str:
    """Materials of a guide version that is in no loaded guide (raw.service_guides): loaded,
    and flagged (the guide may come in a later delivery; until then the material is counted
    nowhere, since fct_service_guides starts from the guides)."""
    return f"""
        select _file, _row_number, 'guide_version' as column_name,
            item_code || ' | ' || guide_version as value,
            'unknown_guide' as reason_code,
            'no guide (item_code, guide_version) in raw.service_guides' as reason,
            '{FLAGGED}' as action
        from {TYPED} as typed
        where not exists (
                select 1 from raw.service_guides as guides
                where guides.item_code = typed.item_code
                    and guides.guide_version = typed.guide_version
            )
            and {_not_rejected("typed")}
    """
