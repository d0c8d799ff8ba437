"""Which queue each business type of a hall waits in, and what that queue's tickets tell.

A hall either queues per business zone (分区叫号: each zone's windows call only its own
business types) or shares its windows among all business types (one queue). The tickets
say which: a window serves the business types that make at least ``min_share`` of its
calls, and each business type is served by the window calling it most; business types
linked by a window they share are one queue (the connected
components of the window–business-type graph). A zoned hall thus gets one queue per zone,
a hall whose windows call everyone one queue for all, and a hall with an integrated zone
and specialised ones a mix. Business types never called (all left) get a queue of their own.

Per queue: the handle time (call to end of service, the window's time per customer; a
no-show costs a minute), the customers' patience (censored estimate, ``forecasting.patience``)
where enough of them leave, and the target wait of its business types.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from forecasting.patience import estimate_patience

SHARED_SEPARATOR = "+"


@dataclass(frozen=True)
class QueueProfile:
    hall_code: str
    queue_key: str  # business types of the queue, joined with "+"
    handle_minutes: float  # mean window time per called customer
    handle_cv: float
    patience_minutes: float | None  # None: (almost) nobody leaves, Erlang C
    abandoned_share: float
    tickets: int


def _components(edges: list[tuple[str, str]], types: list[str]) -> dict[str, str]:
    """business type -> queue key, the connected components of window–type edges."""
    parent = {t: t for t in types}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    by_window: dict[str, list[str]] = {}
    for window, business in edges:
        by_window.setdefault(window, []).append(business)
    for served in by_window.values():
        for other in served[1:]:
            parent[find(other)] = find(served[0])
    groups: dict[str, list[str]] = {}
    for t in types:
        groups.setdefault(find(t), []).append(t)
    return {
        t: SHARED_SEPARATOR.join(sorted(members)) for members in groups.values() for t in members
    }


def queue_keys(tickets: pl.DataFrame, min_share: float = 0.1) -> pl.DataFrame:
    """(hall_code, business_type, queue_key, zoned): the queue each business type waits in.
    ``zoned`` = the hall has more than one queue."""
    called = tickets.filter(pl.col("window_no").is_not_null())
    calls = called.group_by("hall_code", "window_no", "business_type").len()
    # a window serves the types that make min_share of its calls, and every type is served
    # by the window that calls it most (a rare type of a shared hall is no zone of its own)
    shares = calls.filter(
        (pl.col("len") / pl.col("len").sum().over("hall_code", "window_no") >= min_share)
        | (pl.col("len") == pl.col("len").max().over("hall_code", "business_type"))
    )
    types = tickets.select("hall_code", "business_type").unique()
    rows = []
    for (hall,), part in types.group_by("hall_code"):
        names = sorted(part["business_type"].to_list())
        hall_edges = shares.filter(pl.col("hall_code") == hall)
        mapping = _components(
            list(zip(hall_edges["window_no"], hall_edges["business_type"], strict=True)), names
        )
        zoned = len(set(mapping.values())) > 1
        rows += [
            {"hall_code": hall, "business_type": t, "queue_key": q, "zoned": zoned}
            for t, q in mapping.items()
        ]
    return pl.DataFrame(
        rows,
        schema={
            "hall_code": pl.String,
            "business_type": pl.String,
            "queue_key": pl.String,
            "zoned": pl.Boolean,
        },
    )


def with_queue(tickets: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    return tickets.join(
        keys.select("hall_code", "business_type", "queue_key"),
        on=["hall_code", "business_type"],
        how="left",
    ).with_columns(pl.col("queue_key").fill_null(pl.col("business_type")))


def handle_minutes() -> pl.Expr:
    """A called customer's time at the window: call to end of service, 1 minute for a no-show
    (service minutes where the log has no call or end time)."""
    from_call = (pl.col("service_ended_at") - pl.col("called_at")).dt.total_seconds() / 60.0
    return (
        pl.when(pl.col("is_served"))
        .then(pl.coalesce(from_call, pl.col("service_minutes")))
        .when(pl.col("called_at").is_not_null())
        .then(pl.lit(1.0))
    )


def queue_profiles(
    tickets: pl.DataFrame, keys: pl.DataFrame, abandonment_threshold: float = 0.02
) -> dict[tuple[str, str], QueueProfile]:
    """Profile of every (hall, queue) of ``tickets`` (the weeks the model learns from)."""
    log = with_queue(tickets, keys)
    patience = estimate_patience(log, ["hall_code", "queue_key"])
    stats = (
        log.with_columns(handle=handle_minutes())
        .group_by("hall_code", "queue_key")
        .agg(
            pl.col("handle").drop_nulls().mean().alias("handle_minutes"),
            (pl.col("handle").drop_nulls().std() / pl.col("handle").drop_nulls().mean()).alias(
                "handle_cv"
            ),
            pl.col("is_abandoned").mean().alias("abandoned_share"),
            pl.len().alias("tickets"),
        )
        .join(patience, on=["hall_code", "queue_key"], how="left")
    )
    fallback = float(log.with_columns(handle=handle_minutes())["handle"].drop_nulls().mean() or 8.0)
    out = {}
    for row in stats.iter_rows(named=True):
        leaves = row["abandoned_share"] >= abandonment_threshold and row["patience_minutes"]
        handle = row["handle_minutes"]
        out[(row["hall_code"], row["queue_key"])] = QueueProfile(
            row["hall_code"],
            row["queue_key"],
            float(handle) if handle and np.isfinite(handle) else fallback,
            float(row["handle_cv"]) if row["handle_cv"] is not None else 1.0,
            max(float(row["patience_minutes"]), 1.0) if leaves else None,
            float(row["abandoned_share"]),
            int(row["tickets"]),
        )
    return out
