"""Stable UUIDs for assets: the same file always gets the same uuid, so imports overwrite."""

from __future__ import annotations

import uuid

GOVWH_NAMESPACE = uuid.UUID("6f1d3c52-8a4e-5b7a-9c61-2d0e7f4a9b10")


def asset_uuid(kind: str, key: str) -> str:
    """The uuid of asset `key` of `kind` (database, dataset, chart, dashboard)."""
    return str(uuid.uuid5(GOVWH_NAMESPACE, f"govwh:{kind}:{key}"))
