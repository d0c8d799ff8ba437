"""Open cases and expected overdue (red-alert) cases per department for the next weeks.

Each department's completion behaviour is measured, not assumed: a Kaplan–Meier hazard of
completion by age in working days (cases accepted in the last year, open ones censored at
the as-of day) and, per age, the share of still-open cases already past their due date.
Existing open cases age forward with the conditional survival; each future working day
adds a cohort of expected accepted cases (arrival forecast × the department's acceptance
share). Cases are split into time-limit strata (0, 1–2, 3–5, 6–10, 11–20, 21+ working
days) so a 20-day case is not judged by the rhythm of 1-day cases. A department is at risk
when its projected red-alert cases over the horizon average clearly above today's (×1.2 and
+3) or its implied completions exceed 110 % of the most it completed in a day in the last
60 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

MAX_AGE = 400  # working days; older cases keep the last measured hazard


@dataclass(frozen=True)
class BacklogSettings:
    horizon_workdays: int = 20
    history_days: int = 365
    risk_growth: float = 1.2
    risk_min_increase: float = 3.0
    capacity_margin: float = 1.1  # implied completions above 110 % of the recent daily maximum


@dataclass(frozen=True)
class CompletionProfile:
    survival: np.ndarray  # P(open at the end of age k), k = 0..MAX_AGE
    overdue: np.ndarray  # P(open at age k and past due)

    def conditional(self, age_now: np.ndarray, ahead: int) -> np.ndarray:
        a0 = np.minimum(age_now, MAX_AGE)
        a1 = np.minimum(age_now + ahead, MAX_AGE)
        s0 = np.maximum(self.survival[a0], 1e-12)
        return np.where(self.survival[a0] > 0, self.survival[a1] / s0, 0.0)


def completion_profile(
    completed_age: np.ndarray, observed_age: np.ndarray, due_age: np.ndarray
) -> CompletionProfile:
    """Kaplan–Meier survival by age from cases: age at completion (or -1 when still open),
    age reached by the as-of day, and age at which the case falls due."""
    done = completed_age >= 0
    duration = np.where(done & (completed_age <= observed_age), completed_age, observed_age)
    event = done & (completed_age <= observed_age)
    duration = np.clip(duration, 0, MAX_AGE)
    events = np.bincount(duration[event], minlength=MAX_AGE + 1)[: MAX_AGE + 1]
    exits = np.bincount(duration, minlength=MAX_AGE + 1)[: MAX_AGE + 1]
    at_risk = exits[::-1].cumsum()[::-1]
    hazard = np.where(at_risk > 0, events / np.maximum(at_risk, 1), 0.0)
    survival = np.cumprod(1.0 - hazard)
    # share past due among the cases observed open at age k: a case is open and observed at
    # the ages k < until, and past due at the ages due_age < k < until; counted with
    # difference arrays (one pass), not an (N × ages) matrix (GBs for a big department)
    ages = MAX_AGE + 1
    until = np.clip(np.where(event, np.minimum(duration, observed_age), observed_age), 0, ages)
    at_risk_by_age = len(until) - np.cumsum(np.bincount(until, minlength=ages + 1))[:ages]
    late_from = np.clip(due_age + 1, 0, ages)
    late = late_from < until
    steps = np.bincount(late_from[late], minlength=ages + 1) - np.bincount(
        until[late], minlength=ages + 1
    )
    late_by_age = np.cumsum(steps)[:ages]
    share_late = np.where(at_risk_by_age > 0, late_by_age / np.maximum(at_risk_by_age, 1), 0.0)
    return CompletionProfile(survival=survival, overdue=survival * share_late)


STRATA = (0, 1, 3, 6, 11, 21)  # time limits (working days) starting each stratum


def _stratum(due_age: pl.Expr) -> pl.Expr:
    """Index of the time-limit stratum of a case (0 = due on its acceptance day)."""
    out = pl.lit(0)
    for i, lower in enumerate(STRATA[1:], start=1):
        out = pl.when(due_age >= lower).then(pl.lit(i)).otherwise(out)
    return out


def stratified_profiles(
    hist: pl.DataFrame,
) -> tuple[dict[int, CompletionProfile], CompletionProfile]:
    """Completion profiles per time-limit stratum and their mix for new cases.

    Pooling a 1-day item with a 20-day item would have the 20-day case at age 19 look late
    already; per stratum the curves keep each limit's own rhythm.
    """
    profiles: dict[int, CompletionProfile] = {}
    shares: dict[int, float] = {}
    for (stratum,), part in hist.group_by("stratum"):
        profiles[int(stratum)] = completion_profile(
            part["completed"].to_numpy(), part["observed"].to_numpy(), part["due_age"].to_numpy()
        )
        shares[int(stratum)] = part.height / hist.height
    mix = CompletionProfile(
        survival=sum(shares[k] * p.survival for k, p in profiles.items()),  # type: ignore[arg-type]
        overdue=sum(shares[k] * p.overdue for k, p in profiles.items()),  # type: ignore[arg-type]
    )
    return profiles, mix


def project_department(
    profile: CompletionProfile,
    open_age: np.ndarray,
    open_due_age: np.ndarray,
    arrivals: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(expected open, expected overdue) at the end of each of the next working days.

    ``open_age``/``open_due_age``: today's open cases (age today, age when due);
    ``arrivals[j]``: expected accepted cases on working day j + 1.
    """
    horizon = len(arrivals)
    open_cases = np.zeros(horizon)
    overdue = np.zeros(horizon)
    for j in range(1, horizon + 1):
        still = profile.conditional(open_age, j)
        open_cases[j - 1] = still.sum()
        overdue[j - 1] = (still * ((open_age + j) > open_due_age)).sum()
        for t in range(1, j + 1):  # cohort accepted on working day t, age j - t on day j
            age = min(j - t, MAX_AGE)
            open_cases[j - 1] += arrivals[t - 1] * profile.survival[age]
            overdue[j - 1] += arrivals[t - 1] * profile.overdue[age]
    return open_cases, overdue


def project_backlog(
    cases: pl.DataFrame,
    arrivals: pl.DataFrame,
    calendar: pl.DataFrame,
    as_of: date,
    settings: BacklogSettings | None = None,
) -> pl.DataFrame:
    """Projection per department and future working day.

    ``cases``: department_code, acceptance_date, end_date (completion or closing, null while
    open), due_date. ``arrivals``: department_code, date, expected (accepted cases; days off
    are carried to the next working day), optionally expected_lo80 / expected_hi80: the open
    cases are then projected on those paths too. Every day at its bound at once overstates
    the spread of a sum, so that band is conservative (wider than 80 %).
    """
    settings = settings or BacklogSettings()
    cal = calendar.select("calendar_date", "is_workday").sort("calendar_date")
    seq = cal.with_columns(seq=pl.col("is_workday").cast(pl.Int64).cum_sum()).select(
        "calendar_date", "seq"
    )
    today = int(seq.filter(pl.col("calendar_date") == as_of)["seq"][0])
    workdays = (
        cal.filter(pl.col("is_workday"), pl.col("calendar_date") > as_of)
        .head(settings.horizon_workdays)["calendar_date"]
        .to_list()
    )

    def with_seq(frame: pl.DataFrame, col: str, name: str) -> pl.DataFrame:
        return frame.join(seq.rename({"calendar_date": col, "seq": name}), on=col, how="left")

    c = cases.filter(
        pl.col("acceptance_date") <= as_of,
        pl.col("acceptance_date") > as_of - timedelta(days=settings.history_days * 2),
    )
    c = with_seq(
        with_seq(with_seq(c, "acceptance_date", "s_acc"), "end_date", "s_end"), "due_date", "s_due"
    )
    c = c.with_columns(
        observed=pl.lit(today) - pl.col("s_acc"),
        completed=pl.when(pl.col("end_date") <= as_of)
        .then(pl.col("s_end") - pl.col("s_acc"))
        .otherwise(-1),
        due_age=(pl.col("s_due") - pl.col("s_acc")).fill_null(MAX_AGE),
    )
    # arrivals on days off are accepted on the next working day
    arr = with_seq(arrivals.rename({"date": "calendar_date"}), "calendar_date", "s").with_columns(
        slot=pl.col("s")
        - today
        + pl.when(pl.col("calendar_date").is_in(workdays)).then(0).otherwise(1)
    )
    rows = []
    recent_start = as_of - timedelta(days=settings.history_days)
    for (dept,), part in c.group_by("department_code", maintain_order=True):
        hist = part.filter(pl.col("acceptance_date") > recent_start)
        if hist.is_empty():
            continue
        hist = hist.with_columns(stratum=_stratum(pl.col("due_age")))
        still_open = part.filter(pl.col("completed") < 0).with_columns(
            stratum=_stratum(pl.col("due_age"))
        )
        profiles, mix = stratified_profiles(hist)
        a = arr.filter(
            pl.col("department_code") == dept,
            pl.col("slot").is_between(1, settings.horizon_workdays),
        )
        # today's open cases age with their own time-limit stratum's completion curve
        zero = np.zeros(settings.horizon_workdays)
        existing_open, existing_over = zero.copy(), zero.copy()
        for stratum, prof in profiles.items():
            mine = still_open.filter(pl.col("stratum") == stratum)
            if mine.height:
                o, v = project_department(
                    prof, mine["observed"].to_numpy(), mine["due_age"].to_numpy(), zero
                )
                existing_open += o
                existing_over += v
        none = np.zeros(0, dtype=np.int64)
        paths = {}
        for col in ("expected", "expected_lo80", "expected_hi80"):
            path = np.zeros(settings.horizon_workdays)
            if a.height and col in a.columns:
                np.add.at(path, a["slot"].to_numpy() - 1, a[col].to_numpy())
            elif col != "expected":
                path = paths["expected"][0].copy()
            new_open, new_over = project_department(mix, none, none, path)
            paths[col] = (path, existing_open + new_open, existing_over + new_over)
        expected, open_cases, overdue = paths["expected"]
        red_now = int((still_open["observed"] > still_open["due_age"]).sum())
        completions = np.concatenate([[still_open.height], open_cases[:-1]]) + expected - open_cases
        done_daily = (
            part.filter(pl.col("completed") >= 0, pl.col("end_date") > as_of - timedelta(days=60))
            .group_by("end_date")
            .len()["len"]
        )
        capacity = float(done_daily.max()) if done_daily.len() else 0.0
        over_capacity = bool(
            capacity > 0 and completions.max() > settings.capacity_margin * capacity
        )
        mean_red = float(overdue.mean())
        growing = mean_red > max(
            red_now * settings.risk_growth, red_now + settings.risk_min_increase
        )
        for j, day in enumerate(workdays):
            rows.append(
                {
                    "department_code": dept,
                    "date": day,
                    "workdays_ahead": j + 1,
                    "expected_accepted": float(expected[j]),
                    "open_cases": float(open_cases[j]),
                    "open_cases_lo80": float(paths["expected_lo80"][1][j]),
                    "open_cases_hi80": float(paths["expected_hi80"][1][j]),
                    "expected_overdue": float(overdue[j]),
                    "implied_completions": float(completions[j]),
                    "open_cases_today": still_open.height,
                    "red_alert_cases_today": red_now,
                    "completion_capacity": capacity,
                    "red_alert_risk": growing or over_capacity,
                    "risk_reason": "; ".join(
                        r
                        for r, flag in (
                            ("overdue cases growing", growing),
                            ("completions above recent maximum", over_capacity),
                        )
                        if flag
                    ),
                }
            )
    return pl.DataFrame(rows)
