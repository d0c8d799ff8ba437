"""Validation rules of each source, as SQL over the typed relation.

Each rule yields the rows that break it, with the column, the value and a reason. A rejected
row goes to the quarantine table instead of the raw table; a flagged row is loaded and its
problem recorded in the quarantine table too (action = 'flagged'). Rules are set operations
over the whole file, never a loop over its rows. docs/ingestion.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.landing import schemas
from dagster_project.landing.parsing import DUCKDB_TYPES, TYPED, sql_string
from dagster_project.landing.schemas import SourceSchema

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
    },
    "hall_tickets": {"outcome": schemas.TICKET_OUTCOMES},
}
CODE_FORMATS: dict[str, str] = {
    "region_code": "[0-9]{6}([0-9]{3}){0,2}",  # GB/T 2260, plus township and village suffixes
    "item_code": "[0-9A-Za-z][0-9A-Za-z_.-]{0,63}",
    "catalogue_code": "[0-9A-Za-z][0-9A-Za-z_.-]{0,63}",
    "department_code": "[0-9A-Za-z][0-9A-Za-z_.-]{0,31}",
    "case_id": "[0-9A-Za-z][0-9A-Za-z_.-]{0,63}",
    "ticket_id": "[0-9A-Za-z][0-9A-Za-z_.-]{0,63}",
    "hall_code": "[0-9A-Za-z][0-9A-Za-z_.-]{0,31}",
}
RANGES: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "service_items": {
        "depth_level": (1, 4),
        "required_trips": (0, None),
        "legal_limit_days": (0, None),
        "promised_limit_days": (0, None),
    },
    "case_logs": {"trips": (0, None), "suspended_days": (0, None), "rating": (1, 5)},
    "hall_tickets": {},
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
        ("service_start_at", "ticket_taken_at", "served_before_taken"),
        ("service_end_at", "service_start_at", "negative_duration"),
    ),
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


def _order_rules(source: SourceSchema) -> list[Rule]:
    return [
        Rule(
            later,
            code,
            f"{_quoted(later)} < {_quoted(earlier)}",
            f"'before {earlier} (' || cast({_quoted(earlier)} as varchar) || ')'",
        )
        for later, earlier, code in ORDER[source.name]
    ]


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


def row_rules(source: SourceSchema, with_text: tuple[str, ...], pii: tuple[str, ...]) -> list[Rule]:
    """Every rule that judges a row on its own values."""
    return [
        *_parse_rules(source, with_text),
        *_required_rules(source, with_text),
        *_vocabulary_rules(source),
        *_format_rules(source, pii),
        *_range_rules(source),
        *_order_rules(source),
        *_future_rules(source),
    ]


def rule_sql(rule: Rule) -> str:
    value = rule.value or _quoted(rule.column)
    return (
        f"select _row_number, {sql_string(rule.column)} as column_name, "
        f"cast({value} as varchar) as value, {sql_string(rule.code)} as reason_code, "
        f"{rule.reason} as reason, {sql_string(rule.action)} as action "
        f"from {TYPED} where {rule.violated}"
    )


def duplicate_sql(source: SourceSchema) -> str:
    """Rows repeating the key of an earlier row of the same file (the first one is kept)."""
    key = ", ".join(_quoted(c) for c in source.key)
    label = ", ".join(source.key)
    return f"""
        select _row_number, {sql_string(label)} as column_name,
            concat_ws(' | ', {key}) as value, 'duplicate_row' as reason_code,
            'same ({label}) as row ' || cast(first_row as varchar) || ' of this file' as reason,
            '{REJECTED}' as action
        from (
            select _row_number, {key},
                min(_row_number) over (partition by {key}) as first_row
            from {TYPED}
            where _row_number not in (
                select _row_number from {ISSUES} where action = '{REJECTED}'
            )
        )
        where _row_number > first_row
    """


def already_loaded_sql(source: SourceSchema) -> str:
    """Rows whose key is already in the raw table (an earlier file delivered them)."""
    key = source.key
    join = " and ".join(f"loaded.{_quoted(c)} = typed.{_quoted(c)}" for c in key)
    label = ", ".join(key)
    period = key[-1] if source.name == "case_logs" else key[0]
    return f"""
        select typed._row_number, {sql_string(label)} as column_name,
            concat_ws(' | ', {", ".join(f"typed.{_quoted(c)}" for c in key)}) as value,
            'already_loaded' as reason_code,
            'same ({label}) already loaded from ' || any_value(loaded._source_file) as reason,
            '{REJECTED}' as action
        from {TYPED} as typed
        join (
            select {", ".join(_quoted(c) for c in key)}, _source_file from {source.raw_table}
            where {_quoted(period)} between (select min({_quoted(period)}) from {TYPED})
                and (select max({_quoted(period)}) from {TYPED})
        ) as loaded on {join}
        where typed._row_number not in (
            select _row_number from {ISSUES} where action = '{REJECTED}'
        )
        group by all
    """


def unknown_item_sql() -> str:
    """Cases whose item code is in no catalogue snapshot: loaded, and flagged."""
    return f"""
        select _row_number, 'item_code' as column_name, item_code as value,
            'unknown_item_code' as reason_code,
            'item code not in any catalogue snapshot (raw.service_items)' as reason,
            '{FLAGGED}' as action
        from {TYPED}
        where item_code not in (select distinct item_code from raw.service_items)
            and _row_number not in (select _row_number from {ISSUES} where action = '{REJECTED}')
    """
