"""Multi-window FIFO queue simulation of service halls, vectorised across hall-days.

Waits are the consequence of load against the windows open in each half hour: each ticket,
in order of arrival, goes to the window that can start it first (a window is only usable in
the slots it is staffed; service in progress runs on past a slot end); a customer whose wait
would exceed their patience leaves (abandoned, never called); a no-show is called and costs
the window a minute. All hall-days of a batch are simulated together, stepping through the
k-th ticket of every hall-day at once, grouped by window count so that small halls do not pay
for the big one: a month costs a short Python loop over ticket positions, not one per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OUTCOMES = ("served", "no_show", "abandoned")


@dataclass(frozen=True)
class QueueOutcome:
    called_minute: np.ndarray  # minutes after midnight; nan when abandoned
    start_minute: np.ndarray  # nan unless served
    end_minute: np.ndarray
    window: np.ndarray  # 1-based window number; 0 when never called
    outcome_code: np.ndarray  # index into OUTCOMES

    @property
    def outcome(self) -> np.ndarray:
        return np.asarray(OUTCOMES, dtype=object)[self.outcome_code]

    @property
    def wait_minutes(self) -> np.ndarray:
        return self.called_minute


def _next_open_slot(staffing: np.ndarray, windows: int) -> np.ndarray:
    """[q, s, w] → first slot >= s in which window w is staffed (n_slots = never)."""
    n_slots = staffing.shape[1]
    slots = np.arange(n_slots)[None, :, None]
    open_slot = np.where(staffing[:, :, None] > np.arange(windows)[None, None, :], slots, n_slots)
    return np.minimum.accumulate(open_slot[:, ::-1, :], axis=1)[:, ::-1, :]


def _simulate_group(
    order: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    queue_ids: np.ndarray,
    arrival: np.ndarray,
    service: np.ndarray,
    patience: np.ndarray,
    no_show: np.ndarray,
    staffing: np.ndarray,
    open_minute: np.ndarray,
    slot_minutes: float,
    out: dict[str, np.ndarray],
) -> None:
    windows = max(int(staffing[queue_ids].max()), 1)
    staff = staffing[queue_ids]
    next_open = _next_open_slot(staff, windows)
    n_slots = staff.shape[1]
    opening = open_minute[queue_ids]
    free = np.repeat(opening[:, None], windows, axis=1).astype(float)
    rank = np.argsort(-sizes, kind="stable")  # biggest days first: the active set is a prefix
    starts, sizes, free_rows = starts[rank], sizes[rank], rank
    w_index = np.arange(windows)[None, :]
    for position in range(int(sizes.max())):
        active = int(np.searchsorted(-sizes, -position, side="left"))
        rows = free_rows[:active]
        tickets = order[starts[:active] + position]
        arrive = arrival[tickets]
        ready = np.maximum(arrive[:, None], free[rows])
        slot = np.clip(
            ((ready - opening[rows, None]) // slot_minutes).astype(np.int64), 0, n_slots - 1
        )
        nxt = next_open[rows[:, None], slot, w_index]
        begin = np.where(
            nxt == slot,
            ready,
            np.where(nxt >= n_slots, np.inf, opening[rows, None] + nxt * slot_minutes),
        )
        best = np.argmin(begin, axis=1)
        call = begin[np.arange(active), best]
        leaves = (call - arrive) > patience[tickets]
        stays = ~leaves
        absent = stays & no_show[tickets]
        busy = np.where(absent, 1.0, 0.5 + service[tickets])
        free[rows[stays], best[stays]] = call[stays] + busy[stays]
        out["called"][tickets[stays]] = call[stays]
        out["window"][tickets[stays]] = best[stays] + 1
        served = stays & ~absent
        out["start"][tickets[served]] = call[served] + 0.5  # walking to the window
        out["end"][tickets[served]] = call[served] + 0.5 + service[tickets[served]]
        out["outcome"][tickets[leaves]] = 2
        out["outcome"][tickets[absent]] = 1


def simulate_queues(
    queue: np.ndarray,
    arrival_minute: np.ndarray,
    service_minutes: np.ndarray,
    patience_minutes: np.ndarray,
    no_show: np.ndarray,
    staffing: np.ndarray,
    open_minute: np.ndarray,
    slot_minutes: float = 30.0,
) -> QueueOutcome:
    """Simulate every queue (hall-day). Arrays are per ticket except ``staffing`` (queues ×
    slots: windows open in each slot from ``open_minute``; the last slot lasts until the
    queue is empty) and ``open_minute`` (per queue). patience = inf: never leaves."""
    n = queue.size
    out = {
        "called": np.full(n, np.nan),
        "start": np.full(n, np.nan),
        "end": np.full(n, np.nan),
        "window": np.zeros(n, dtype=np.int32),
        "outcome": np.zeros(n, dtype=np.int8),
    }
    if n:
        staffing = np.maximum(staffing, 0)
        staffing[:, -1] = np.maximum(staffing[:, -1], 1)
        order = np.lexsort((arrival_minute, queue))
        sorted_queue = queue[order]
        starts = np.flatnonzero(np.r_[True, np.diff(sorted_queue) != 0])
        sizes = np.diff(np.r_[starts, n])
        queue_ids = sorted_queue[starts]
        width = staffing.max(axis=1)[queue_ids]
        for low, high in ((0, 4), (4, 8), (8, 16), (16, 32), (32, 10**6)):
            pick = (width > low) & (width <= high) if low else width <= high
            if pick.any():
                _simulate_group(
                    order,
                    starts[pick],
                    sizes[pick],
                    queue_ids[pick],
                    arrival_minute,
                    service_minutes,
                    patience_minutes,
                    no_show,
                    staffing,
                    open_minute,
                    slot_minutes,
                    out,
                )
    return QueueOutcome(out["called"], out["start"], out["end"], out["window"], out["outcome"])
