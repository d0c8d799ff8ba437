"""The fields of the public release and their two schemas: a Frictionless Table Schema for the
CSV files (inside datapackage.json) and a JSON Schema for the JSON files (kpi.schema.json).

The fields are columns of marts.mart_public_release (documented in
models/marts/publication/_public_release.yml), published under their own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING_VALUES = [""]


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless type: string, date, number, integer, boolean
    title: str  # Chinese title, as the portal page heads the column
    description: str
    required: bool = False  # never empty
    values: tuple[str, ...] | None = None  # the only values allowed (enum)

    def table_schema(self) -> dict[str, Any]:
        field: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "date":
            field["format"] = "default"  # ISO 8601, 2019-06-30
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.values:
            constraints["enum"] = list(self.values)
        if self.type == "number" and self.name == "value":
            constraints.update(minimum=0, maximum=1)
        if constraints:
            field["constraints"] = constraints
        return field

    def json_schema(self) -> dict[str, Any]:
        types = {"string": "string", "date": "string", "number": "number"}
        types |= {"integer": "integer", "boolean": "boolean"}
        schema: dict[str, Any] = {
            "type": types[self.type] if self.required else [types[self.type], "null"],
            "title": self.title,
            "description": self.description,
        }
        if self.type == "date":
            schema["format"] = "date"
            schema["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
        if self.values:
            schema["enum"] = [*self.values, *([] if self.required else [None])]
        if self.name == "value":
            schema.update(minimum=0, maximum=1)
        elif self.type == "number":
            schema["minimum"] = 0
        return schema


FIELDS: tuple[Field, ...] = (
    Field(
        "period_grain",
        "string",
        "统计周期类型",
        "week (ISO week, Monday–Sunday) or month.",
        required=True,
        values=("week", "month"),
    ),
    Field("period_label", "string", "统计周期", "2019-06 or 2019-W23 (ISO year and week).", True),
    Field("period_start", "date", "起始日期", "First day of the period.", True),
    Field("period_end", "date", "截止日期", "Last day of the period.", True),
    Field(
        "scope_type",
        "string",
        "统计范围类型",
        "city (全市), county (a county or district, 县(市、区)) or department (部门).",
        required=True,
        values=("city", "county", "department"),
    ),
    Field(
        "scope_code",
        "string",
        "范围代码",
        "Region code (GB/T 2260) of the city or county, or the department's code.",
        True,
    ),
    Field("scope_name", "string", "范围名称", "Name of the city, county or department.", True),
    Field("metric_code", "string", "指标代码", "Code of the metric (govwh metric registry).", True),
    Field("metric_name_zh", "string", "指标名称", "Chinese name of the metric.", True),
    Field("metric_name_en", "string", "指标英文名称", "English name of the metric.", True),
    Field(
        "numerator",
        "integer",
        "分子",
        "Numerator of the rate (empty when the figure is withheld).",
    ),
    Field(
        "denominator",
        "integer",
        "分母",
        "Denominator of the rate: the items, cases, ratings or tickets it is over (empty when "
        "the figure is withheld).",
    ),
    Field(
        "value",
        "number",
        "指标值",
        "numerator / denominator, a share between 0 and 1 (empty when the figure is withheld).",
    ),
    Field(
        "is_suppressed",
        "boolean",
        "是否不予公开",
        "true when the figure is withheld: no data in the period, a denominator below "
        "min_cell_size, or the complement of such a figure.",
        True,
    ),
    Field(
        "suppression_reason",
        "string",
        "不予公开原因",
        "no_data, below_min_cell_size, or complementary (withheld so that the city minus the "
        "published counties or departments does not reveal a small one); empty when the figure "
        "is published.",
        values=("no_data", "below_min_cell_size", "complementary"),
    ),
    Field("suppression_reason_zh", "string", "不予公开说明", "The reason in Chinese."),
    Field(
        "min_cell_size",
        "integer",
        "最小公开基数",
        "Figures over fewer items, cases, ratings or tickets than this are withheld.",
        True,
    ),
    Field("data_as_of", "date", "数据截至", "Last day the data reaches.", True),
)

FIELD_NAMES: list[str] = [field.name for field in FIELDS]


def table_schema() -> dict[str, Any]:
    """Frictionless Table Schema of the CSV files."""
    return {
        "fields": [field.table_schema() for field in FIELDS],
        "missingValues": MISSING_VALUES,
        "primaryKey": ["period_grain", "period_start", "scope_type", "scope_code", "metric_code"],
    }


def json_schema(min_cell_size: int) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the JSON files: the release's header and its records. A
    withheld record has no figure but a reason; a published one a denominator of at least
    `min_cell_size` (the release's threshold)."""
    withheld = {"properties": {"is_suppressed": {"const": True}}}
    withheld_whole = {
        "properties": {
            "numerator": {"type": "null"},
            "denominator": {"type": "null"},
            "value": {"type": "null"},
            "suppression_reason": {"type": "string"},
        }
    }
    published_whole = {
        "properties": {
            "numerator": {"type": "integer"},
            "denominator": {"type": "integer", "minimum": max(min_cell_size, 1)},
            "value": {"type": "number"},
            "suppression_reason": {"type": "null"},
        }
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "互联网+政务服务 主要指标公开数据 Government service KPIs, open data",
        "type": "object",
        "required": [
            "title",
            "period_grain",
            "period_label",
            "data_as_of",
            "published_at",
            "min_cell_size",
            "suppression_note",
            "records",
        ],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string"},
            "period_grain": {"enum": ["week", "month"]},
            "period_label": {"type": "string", "pattern": r"^\d{4}-(W\d{2}|\d{2})$"},
            "data_as_of": {"type": "string", "format": "date"},
            "published_at": {"type": "string", "format": "date-time"},
            "min_cell_size": {"const": min_cell_size},
            "suppression_note": {"type": "string"},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": FIELD_NAMES,
                    "additionalProperties": False,
                    "properties": {field.name: field.json_schema() for field in FIELDS},
                    "if": withheld,
                    "then": withheld_whole,
                    "else": published_whole,
                },
            },
        },
    }
