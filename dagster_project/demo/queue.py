"""Multi-window FIFO queue simulation of service halls, vectorised across hall-days.

Waits are a consequence of load against open windows: each ticket goes to the window that
frees first; a consultation customer leaves when the wait exceeds their patience. Every
hall-day of a month is simulated at once, stepping through the k-th ticket of each day
together, so a month costs one short Python loop over ticket positions, not one per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QueueOutcome:
    called_minute: np.ndarray  # minutes after midnight; nan when abandoned
    start_minute: np.ndarray  # nan unless served
    end_minute: np.ndarray
    window: np.ndarray  # 1-based window number; 0 when never called
    outcome: np.ndarray  # "served", "no_show", "abandoned"


def simulate_queues(
    hall_day: np.ndarray,
    arrival_minute: np.ndarray,
    service_minutes: np.ndarray,
    patience_minutes: np.ndarray,
    no_show: np.ndarray,
    windows_by_hall_day: np.ndarray,
) -> QueueOutcome:
    """Simulate every hall-day. Arrays are per ticket except windows_by_hall_day (per
    hall-day index). patience = inf for customers who never leave (they have a case)."""
    n = len(hall_day)
    called = np.full(n, np.nan)
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)
    window = np.zeros(n, dtype=np.int32)
    outcome = np.full(n, "served", dtype=object)
    if n == 0:
        return QueueOutcome(called, start, end, window, outcome)

    order = np.lexsort((arrival_minute, hall_day))
    days = hall_day[order]
    boundaries = np.flatnonzero(np.diff(days)) + 1
    day_starts = np.concatenate([[0], boundaries])
    day_sizes = np.diff(np.concatenate([day_starts, [n]]))
    day_ids = days[day_starts]
    max_windows = int(windows_by_hall_day.max())
    # free[d, w]: minute window w of day d is free; windows not open that day never free
    open_windows = windows_by_hall_day[day_ids]
    free = np.where(np.arange(max_windows)[None, :] < open_windows[:, None], 0.0, np.inf)

    for position in range(int(day_sizes.max())):
        active = np.flatnonzero(day_sizes > position)
        tickets = order[day_starts[active] + position]
        arrival = arrival_minute[tickets]
        best = np.argmin(free[active], axis=1)
        window_free = free[active, best]
        call = np.maximum(arrival, window_free)
        leaves = (call - arrival) > patience_minutes[tickets]
        stays = ~leaves
        absent = stays & no_show[tickets]
        busy = np.where(absent, 1.0, service_minutes[tickets])  # a no-show costs a minute
        free[active[stays], best[stays]] = call[stays] + busy[stays]

        called[tickets[stays]] = call[stays]
        window[tickets[stays]] = best[stays] + 1
        served = stays & ~absent
        start[tickets[served]] = call[served] + 0.5  # walking to the window
        end[tickets[served]] = call[served] + 0.5 + service_minutes[tickets[served]]
        outcome[tickets[leaves]] = "abandoned"
        outcome[tickets[absent]] = "no_show"
    return QueueOutcome(called, start, end, window, outcome)
