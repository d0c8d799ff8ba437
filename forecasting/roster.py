"""Rosters: the shifts per hall and working day that staff the plan at least cost.

The staffing plan says how many staff each opening hour needs; people work shifts. For each
hall and working day (the plan has rows only on working days of the calendar, make-up
weekends included) an integer programme chooses how many people work each shift template so
that, in every half hour the hall is open, the staff on duty (not on their break) are at
least the plan's staff for that hour, at the fewest paid hours. It is solved with OR-Tools'
CP-SAT, one worker and a fixed seed (the same plan gives the same roster), within a time
limit; the solver's status is kept with the roster. Coverage is a hard constraint, so a roster
stopped by the time limit (FEASIBLE) still meets every half hour and every rule; only its cost
may be above the optimum, by at most its paid hours less the solver's bound.

The day is cut into slots of 30 minutes, or finer where the hall's times or the shift
templates do not fall on half hours (the greatest common divisor of 60 and every opening,
lunch and shift time, in minutes): no slot then straddles a clock hour or a shift's start,
end or break, so covering every slot covers every minute. A plan that needs staff in an hour
the hall is not open is refused (no shift could cover it).

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

import math
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

    def on_duty(self, slot_start: int, slot_minutes: int = SLOT_MINUTES) -> bool:
        """Whether someone on this shift works the whole slot from ``slot_start``."""
        start, end, break_start, break_end = self.minutes()
        slot_end = slot_start + slot_minutes
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


def slot_minutes(hours: OpeningHours, templates: tuple[ShiftTemplate, ...]) -> int:
    """The slot length: 30 minutes, or the finer grid on which every opening, lunch and shift
    time falls (so that no slot straddles a clock hour or a shift boundary)."""
    times = [hours.open_time, hours.close_time, hours.lunch_start, hours.lunch_end]
    for template in templates:
        times += [template.start, template.end, template.break_start, template.break_end]
    return math.gcd(SLOT_MINUTES, *(t.hour * 60 + t.minute for t in times if t is not None))


def slot_needs(
    plan: pl.DataFrame, hours: OpeningHours, minutes: int = SLOT_MINUTES
) -> list[tuple[int, int]]:
    """(slot start minute, staff needed) for every slot the hall is open on the day: each
    slot needs the staff of its clock hour (``plan``: hour, staff_needed). ``minutes`` must
    divide 60 and the opening time (see :func:`slot_minutes`)."""
    by_hour = dict(zip(plan["hour"].to_list(), plan["staff_needed"].to_list(), strict=True))
    opening = hours.open_time.hour * 60 + hours.open_time.minute
    closing = hours.close_time.hour * 60 + hours.close_time.minute
    if 60 % minutes or opening % minutes:
        raise ValueError(f"slots of {minutes} minutes do not fit the hours from minute {opening}")
    return [
        (minute, int(by_hour.get(minute // 60, 0) or 0))
        for minute in range(opening, closing, minutes)
    ]


@dataclass(frozen=True)
class DayRoster:
    staff: dict[str, int]  # template name -> people
    paid_hours: float
    status: str  # OPTIMAL / FEASIBLE
    lower_bound: float  # the solver's bound on the paid hours


def solve_day(
    needs: list[tuple[int, int]], rules: RosterRules, slot: int = SLOT_MINUTES
) -> DayRoster:
    """The cheapest headcount per shift template that covers every slot's need."""
    templates = rules.shift_templates()
    if not any(need for _, need in needs):
        return DayRoster({t.name: 0 for t in templates}, 0.0, "OPTIMAL", 0.0)
    model = cp_model.CpModel()
    peak = max(need for _, need in needs)
    people = [model.new_int_var(0, peak, f"x{i}") for i in range(len(templates))]
    for slot_start, need in needs:
        covering = [
            x for x, t in zip(people, templates, strict=True) if t.on_duty(slot_start, slot)
        ]
        if need and not covering:
            raise ValueError(
                f"no shift template works the {slot} minutes from "
                f"{slot_start // 60:02d}:{slot_start % 60:02d}"
            )
        if need:
            model.add(sum(covering) >= need)
    # paid minutes: integral costs keep the objective exact
    model.minimize(
        sum(round(t.paid_hours * 60) * x for x, t in zip(people, templates, strict=True))
    )
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
        solver.best_objective_bound / 60.0,
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
    fewest on duty in its slots."""
    rules = rules or RosterRules()
    templates = rules.shift_templates()
    slot = slot_minutes(rules.hours, templates)
    shift_rows, coverage_rows = [], []
    # Halls repeat their days: at city 594 hall-days have 106 distinct needs. The solver is
    # deterministic (one worker, a fixed seed), so a day with a need already solved takes that
    # roster.
    solved: dict[tuple[tuple[int, int], ...], DayRoster] = {}
    for (hall, day), part in plan.sort("hall_code", "date", "hour").group_by(
        "hall_code", "date", maintain_order=True
    ):
        needs = slot_needs(part, rules.hours, slot)
        open_hours = {minute // 60 for minute, _ in needs}
        outside = part.filter(
            (pl.col("staff_needed") > 0) & ~pl.col("hour").is_in(sorted(open_hours))
        )
        if not outside.is_empty():
            raise ValueError(
                f"the plan needs staff at {hall} on {day} at {outside['hour'][0]}:00, outside "
                f"the opening hours {_clock(rules.hours.open_time)}–"
                f"{_clock(rules.hours.close_time)}: no shift can cover it"
            )
        key = tuple(needs)
        if key not in solved:
            solved[key] = solve_day(needs, rules, slot)
        result = solved[key]
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
            staffed = sum(result.staff[t.name] for t in templates if t.on_duty(slot_start, slot))
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


def _clock_minutes(column: str) -> pl.Expr:
    clock = pl.col(column).str.to_time("%H:%M")
    return clock.dt.hour().cast(pl.Int64) * 60 + clock.dt.minute().cast(pl.Int64)


def on_duty_by_hour(roster: pl.DataFrame, plan: pl.DataFrame, hours: OpeningHours) -> pl.DataFrame:
    """Per hall-hour of ``plan``, the fewest people on duty in any minute the hall is open,
    counted from the roster's rows alone (each shift's start, end, break and staff), minute
    by minute: it shares no code with the solver or its slots. Hours the hall is not open get
    ``open_minutes`` 0 and ``on_duty`` null."""
    opening = hours.open_time.hour * 60 + hours.open_time.minute
    closing = hours.close_time.hour * 60 + hours.close_time.minute
    keys = ["hall_code", "date", "hour"]
    minutes = plan.select(
        *keys,
        pl.int_ranges(
            pl.max_horizontal(pl.col("hour") * 60, pl.lit(opening)),
            pl.min_horizontal(pl.col("hour") * 60 + 60, pl.lit(closing)),
        ).alias("minute"),
    ).explode("minute")
    shifts = roster.select(
        "hall_code",
        "date",
        "staff",
        _clock_minutes("start_time").alias("start"),
        _clock_minutes("end_time").alias("end"),
        _clock_minutes("break_start").alias("break_start"),
        _clock_minutes("break_end").alias("break_end"),
    )
    minute = pl.col("minute")
    working = (
        (pl.col("start") <= minute)
        & (minute < pl.col("end"))
        & ~((pl.col("break_start") <= minute) & (minute < pl.col("break_end"))).fill_null(False)
    )
    per_minute = (
        minutes.drop_nulls("minute")
        .join(shifts, on=["hall_code", "date"], how="left")
        .group_by(*keys, "minute")
        .agg(pl.when(working).then(pl.col("staff")).otherwise(0).sum().alias("on_duty"))
    )
    per_hour = per_minute.group_by(keys).agg(
        pl.col("on_duty").min(), pl.len().alias("open_minutes")
    )
    return (
        plan.select(*keys, "staff_needed")
        .join(per_hour, on=keys, how="left")
        .with_columns(pl.col("open_minutes").fill_null(0))
    )


def rule_violations(
    roster: pl.DataFrame,
    plan: pl.DataFrame,
    rules: RosterRules,
    coverage: pl.DataFrame | None = None,
) -> list[str]:
    """Every rule the roster breaks, read from its rows and the plan alone (empty: none):
    a minute of an opening hour with fewer people on duty than the plan's staff for that
    hour, a shift on a day the plan does not staff, a shift template breaking a rule, paid
    hours that are not the shift's hours less its break times its staff, and (if given) a
    coverage table that does not say what the roster does."""
    duty = on_duty_by_hour(roster, plan, rules.hours)
    found = [
        f"{row['hall_code']} {row['date']} {row['hour']}:00 needs {row['staff_needed']}, "
        + (
            "outside the opening hours"
            if row["open_minutes"] == 0
            else f"rostered {row['on_duty']}"
        )
        for row in duty.filter(
            (pl.col("staff_needed") > 0)
            & ((pl.col("open_minutes") == 0) | (pl.col("on_duty") < pl.col("staff_needed")))
        )
        .sort("hall_code", "date", "hour")
        .iter_rows(named=True)
    ]
    unplanned = roster.join(plan, on=["hall_code", "date"], how="anti")
    found += [
        f"{row['hall_code']} {row['date']}: {row['shift']} rostered on a day the plan does not "
        "staff"
        for row in unplanned.iter_rows(named=True)
    ]
    span = _clock_minutes("end_time") - _clock_minutes("start_time")
    pause = (_clock_minutes("break_end") - _clock_minutes("break_start")).fill_null(0)
    paid = pl.col("staff") * (span - pause) / 60.0
    found += [
        f"{row['hall_code']} {row['date']} {row['shift']}: {row['staff']} staff paid "
        f"{row['paid_hours']:g} hours"
        for row in roster.filter(
            (pl.col("staff") < 1) | ((pl.col("paid_hours") - paid).abs() > 1e-9)
        ).iter_rows(named=True)
    ]
    for row in roster.unique(
        ["shift", "start_time", "end_time", "break_start", "break_end"], maintain_order=True
    ).iter_rows(named=True):
        template = ShiftTemplate(
            row["shift"],
            time.fromisoformat(row["start_time"]),
            time.fromisoformat(row["end_time"]),
            None if row["break_start"] is None else time.fromisoformat(row["break_start"]),
            None if row["break_end"] is None else time.fromisoformat(row["break_end"]),
        )
        found += [f"{row['shift']}: {problem}" for problem in _template_violations(template, rules)]
    if coverage is not None:
        stated = coverage.join(
            duty, on=["hall_code", "date", "hour"], how="full", suffix="_counted", coalesce=True
        ).filter(
            (pl.col("staff_needed") != pl.col("staff_needed_counted")).fill_null(True)
            | (pl.col("staff_rostered") != pl.col("on_duty").fill_null(0)).fill_null(True)
            | (pl.col("surplus") != pl.col("staff_rostered") - pl.col("staff_needed")).fill_null(
                True
            )
        )
        found += [
            f"coverage {row['hall_code']} {row['date']} {row['hour']}:00 says "
            f"{row['staff_needed']} needed, {row['staff_rostered']} rostered; the plan and the "
            f"roster say {row['staff_needed_counted']} and {row['on_duty']}"
            for row in stated.iter_rows(named=True)
        ]
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
