"""Rosters: the shifts per hall and working day that staff the plan at least cost.

The staffing plan says how many staff each opening hour needs; people work shifts. For each
hall and working day (the plan has rows only on working days of the calendar, make-up
weekends included) an integer programme chooses how many people work each shift template so
that, in every half hour the hall is open, the staff on duty (not on their break) are at
least the plan's staff for that hour, at the fewest paid hours. It is solved with OR-Tools'
CP-SAT, one worker and a fixed seed (the same plan gives the same roster), within a time
limit; the solver's status and bound are kept with the roster.

Rules, each checked on the result by :func:`rule_violations` independently of the solver:

- a shift lies within the hall's opening hours;
- the lunch break is covered: a person on a break is not on duty, so the staff on duty in
  the lunch half hours must still meet the plan (other shifts cover);
- a person works at most ``max_paid_hours`` a day and a shift of more than
  ``break_after_hours`` has a break of at least ``min_break_minutes``;
- one shift per person and day. The hall is closed at night, so the daily rest between two
  days' shifts (15.5 hours with the default timetable) needs no rule of its own; rules across
  days for named people (days in a row, weekly hours) need a per-person roster, which this
  is not: it gives headcounts per shift.

Cost bound: the trivial roster that puts the day's peak staff on the first full-day shift
and the same number on lunch cover meets every half hour, so the optimum costs at most
``peak staff × (full-day paid hours + lunch-cover hours)``; it costs at least the plan's
staff-hours (nobody can be paid for less than the time on duty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

import polars as pl
from ortools.sat.python import cp_model

from forecasting.hall_traffic import OpeningHours

SLOT_MINUTES = 30


@dataclass(frozen=True)
class ShiftTemplate:
    name: str
    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None

    def minutes(self) -> tuple[int, int, int | None, int | None]:
        def m(t: time | None) -> int | None:
            return None if t is None else t.hour * 60 + t.minute

        return m(self.start), m(self.end), m(self.break_start), m(self.break_end)  # type: ignore[return-value]

    @property
    def paid_hours(self) -> float:
        start, end, break_start, break_end = self.minutes()
        pause = (break_end - break_start) if break_start is not None else 0
        return (end - start - pause) / 60.0

    def on_duty(self, slot_start: int) -> bool:
        """Whether someone on this shift works the whole half hour from ``slot_start``."""
        start, end, break_start, break_end = self.minutes()
        slot_end = slot_start + SLOT_MINUTES
        if slot_start < start or slot_end > end:
            return False
        return break_start is None or slot_end <= break_start or slot_start >= break_end


def default_templates(hours: OpeningHours) -> tuple[ShiftTemplate, ...]:
    """Two full days with staggered one-hour lunch breaks, a morning and an afternoon that
    overlap the lunch, and a lunch cover (the shifts Chinese service halls commonly run)."""
    lunch_start, lunch_end = hours.lunch_start, hours.lunch_end
    first_break_end = _add(lunch_start, 60)
    second_break_start = _add(lunch_end, -60)
    return (
        ShiftTemplate(
            "全天A full day A", hours.open_time, hours.close_time, lunch_start, first_break_end
        ),
        ShiftTemplate(
            "全天B full day B", hours.open_time, hours.close_time, second_break_start, lunch_end
        ),
        ShiftTemplate("上午 morning", hours.open_time, lunch_end),
        ShiftTemplate("下午 afternoon", lunch_start, hours.close_time),
        ShiftTemplate("午间 lunch cover", lunch_start, lunch_end),
    )


def _add(t: time, minutes: int) -> time:
    total = t.hour * 60 + t.minute + minutes
    return time(total // 60, total % 60)


@dataclass(frozen=True)
class RosterRules:
    max_paid_hours: float = 8.0
    break_after_hours: float = 6.0
    min_break_minutes: int = 60
    time_limit_seconds: float = 10.0
    seed: int = 0
    templates: tuple[ShiftTemplate, ...] | None = None  # None: default_templates(hours)
    hours: OpeningHours = field(default_factory=OpeningHours)

    def shift_templates(self) -> tuple[ShiftTemplate, ...]:
        templates = self.templates or default_templates(self.hours)
        for template in templates:
            broken = _template_violations(template, self)
            if broken:
                raise ValueError(f"shift template {template.name!r} breaks the rules: {broken}")
        return templates


def _template_violations(template: ShiftTemplate, rules: RosterRules) -> list[str]:
    start, end, break_start, break_end = template.minutes()
    opening = rules.hours.open_time.hour * 60 + rules.hours.open_time.minute
    closing = rules.hours.close_time.hour * 60 + rules.hours.close_time.minute
    found = []
    if start < opening or end > closing or start >= end:
        found.append("outside the opening hours")
    if template.paid_hours > rules.max_paid_hours + 1e-9:
        found.append(f"more than {rules.max_paid_hours:g} paid hours")
    pause = (break_end - break_start) if break_start is not None else 0
    if (end - start) / 60 > rules.break_after_hours and pause < rules.min_break_minutes:
        found.append(
            f"over {rules.break_after_hours:g} hours without a "
            f"{rules.min_break_minutes}-minute break"
        )
    if break_start is not None and not (start < break_start < break_end < end):
        found.append("break outside the shift")
    return found


def slot_needs(plan: pl.DataFrame, hours: OpeningHours) -> list[tuple[int, int]]:
    """(slot start minute, staff needed) for every half hour the hall is open on the day:
    each half hour needs the staff of its clock hour (``plan``: hour, staff_needed)."""
    by_hour = dict(zip(plan["hour"].to_list(), plan["staff_needed"].to_list(), strict=True))
    opening = hours.open_time.hour * 60 + hours.open_time.minute
    closing = hours.close_time.hour * 60 + hours.close_time.minute
    return [
        (minute, int(by_hour.get(minute // 60, 0) or 0))
        for minute in range(opening, closing, SLOT_MINUTES)
    ]


@dataclass(frozen=True)
class DayRoster:
    staff: dict[str, int]  # template name -> people
    paid_hours: float
    status: str  # OPTIMAL / FEASIBLE
    lower_bound: float  # the solver's bound on the paid hours


def solve_day(needs: list[tuple[int, int]], rules: RosterRules) -> DayRoster:
    """The cheapest headcount per shift template that covers every half hour's need."""
    templates = rules.shift_templates()
    if not any(need for _, need in needs):
        return DayRoster({t.name: 0 for t in templates}, 0.0, "OPTIMAL", 0.0)
    model = cp_model.CpModel()
    peak = max(need for _, need in needs)
    people = [model.new_int_var(0, peak, f"x{i}") for i in range(len(templates))]
    for slot_start, need in needs:
        covering = [x for x, t in zip(people, templates, strict=True) if t.on_duty(slot_start)]
        if need and not covering:
            raise ValueError(f"no shift template works the half hour from minute {slot_start}")
        if need:
            model.add(sum(covering) >= need)
    # paid hours in half hours: integral costs keep the objective exact
    model.minimize(sum(round(t.paid_hours * 2) * x for x, t in zip(people, templates, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = rules.seed
    solver.parameters.max_time_in_seconds = rules.time_limit_seconds
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"no roster found: {solver.status_name(status)}")
    staff = {t.name: int(solver.value(x)) for x, t in zip(people, templates, strict=True)}
    return DayRoster(
        staff,
        sum(staff[t.name] * t.paid_hours for t in templates),
        solver.status_name(status),
        solver.best_objective_bound / 2.0,
    )


ROSTER_SCHEMA = {
    "hall_code": pl.String,
    "date": pl.Date,
    "shift": pl.String,
    "start_time": pl.String,
    "end_time": pl.String,
    "break_start": pl.String,
    "break_end": pl.String,
    "staff": pl.Int64,
    "paid_hours": pl.Float64,
    "solver_status": pl.String,
}
COVERAGE_SCHEMA = {
    "hall_code": pl.String,
    "date": pl.Date,
    "hour": pl.Int64,
    "staff_needed": pl.Int64,
    "staff_rostered": pl.Int64,
    "surplus": pl.Int64,
}


def _clock(t: time | None) -> str | None:
    return None if t is None else t.strftime("%H:%M")


def rosters(
    plan: pl.DataFrame, rules: RosterRules | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rosters, coverage) for every hall and day of ``plan`` (hall_code, date, hour,
    staff_needed): one row per shift worked, and per hall-hour the staff needed and the
    fewest on duty in its half hours."""
    rules = rules or RosterRules()
    templates = rules.shift_templates()
    shift_rows, coverage_rows = [], []
    for (hall, day), part in plan.sort("hall_code", "date", "hour").group_by(
        "hall_code", "date", maintain_order=True
    ):
        needs = slot_needs(part, rules.hours)
        result = solve_day(needs, rules)
        for template in templates:
            if result.staff[template.name]:
                shift_rows.append(
                    {
                        "hall_code": hall,
                        "date": day,
                        "shift": template.name,
                        "start_time": _clock(template.start),
                        "end_time": _clock(template.end),
                        "break_start": _clock(template.break_start),
                        "break_end": _clock(template.break_end),
                        "staff": result.staff[template.name],
                        "paid_hours": result.staff[template.name] * template.paid_hours,
                        "solver_status": result.status,
                    }
                )
        on_duty: dict[int, list[int]] = {}
        for slot_start, _ in needs:
            staffed = sum(result.staff[t.name] for t in templates if t.on_duty(slot_start))
            on_duty.setdefault(slot_start // 60, []).append(staffed)
        for row in part.iter_rows(named=True):
            rostered = min(on_duty.get(int(row["hour"]), [0]))
            needed = int(row["staff_needed"] or 0)
            coverage_rows.append(
                {
                    "hall_code": hall,
                    "date": day,
                    "hour": int(row["hour"]),
                    "staff_needed": needed,
                    "staff_rostered": rostered,
                    "surplus": rostered - needed,
                }
            )
    return (
        pl.DataFrame(shift_rows, schema=ROSTER_SCHEMA),
        pl.DataFrame(coverage_rows, schema=COVERAGE_SCHEMA),
    )


def rule_violations(roster: pl.DataFrame, coverage: pl.DataFrame, rules: RosterRules) -> list[str]:
    """Every rule the roster breaks, read from its rows alone (empty: none)."""
    found = [
        f"{row['hall_code']} {row['date']} {row['hour']}:00 needs {row['staff_needed']}, "
        f"rostered {row['staff_rostered']}"
        for row in coverage.filter(pl.col("staff_rostered") < pl.col("staff_needed")).iter_rows(
            named=True
        )
    ]
    for row in roster.unique(
        ["shift", "start_time", "end_time", "break_start", "break_end"]
    ).iter_rows(named=True):
        template = ShiftTemplate(
            row["shift"],
            time.fromisoformat(row["start_time"]),
            time.fromisoformat(row["end_time"]),
            None if row["break_start"] is None else time.fromisoformat(row["break_start"]),
            None if row["break_end"] is None else time.fromisoformat(row["break_end"]),
        )
        found += [f"{row['shift']}: {problem}" for problem in _template_violations(template, rules)]
    return found


def cost_bounds(plan: pl.DataFrame, rules: RosterRules) -> pl.DataFrame:
    """Per hall and day: the plan's staff-hours (no roster pays less) and the documented
    upper bound (peak staff × (a full day's paid hours + the lunch cover's))."""
    templates = rules.shift_templates()
    full_day = max(t.paid_hours for t in templates)
    lunch = min(t.paid_hours for t in templates)
    return plan.group_by("hall_code", "date").agg(
        (pl.col("staff_needed") * pl.col("interval_minutes") / 60.0)
        .sum()
        .alias("plan_staff_hours"),
        (pl.col("staff_needed").max() * (full_day + lunch)).alias("upper_bound_hours"),
    )
