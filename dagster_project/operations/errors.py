"""The words of a failure: the innermost cause of Dagster's error chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo


def error_message(error: SerializableErrorInfo | None) -> str:
    """The innermost cause: the loader's or dbt's own words, not Dagster's wrapper."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()
