"""Every knob that shapes the demo city, in one place: one frozen dataclass per scale."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

# The Zhengzhou 2017 shape the catalogue is calibrated to (domain.md, seed figures).
CALIBRATION_DATE = dt.date(2017, 12, 31)
CALIBRATION_DEPTHS = (297, 79, 4, 3)  # city-level items handled on application, levels 1..4


@dataclass(frozen=True)
class ReformParams:
    """How the catalogue moves up the depth levels after the calibration date."""

    # median years from the calibration date to the next level, per current level (1, 2, 3)
    median_years_to_next: tuple[float, float, float] = (1.45, 1.2, 1.3)
    spread: float = 0.6  # lognormal sigma of those waits
    readiness_weight: float = 0.45  # how strongly an item's readiness shortens the waits
    # share of items already at depth >= 2 at the calibration date, outside the calibrated set
    online_share_at_calibration: dict[str, float] = field(
        default_factory=lambda: {"city": 0.30, "county": 0.16, "township": 0.12}
    )
    lagging_departments: tuple[str, ...] = ("REL", "CAD", "NRP", "FOR", "WAT")
    lagging_counties: tuple[str, ...] = ("411923", "411982")
    depth4_trips_errors: int = 5  # deliberate data-quality errors: depth 4 with trips > 0
    unsuitable_but_online_errors: int = 3  # deliberate errors: 不适宜网办 flag on online items


@dataclass(frozen=True)
class CaseParams:
    """Arrivals, channels and handling of cases."""

    trend_per_year: float = 0.10  # long-term growth of demand
    weekend_online_factor: float = 0.32
    holiday_online_factor: float = 0.15
    post_spring_festival_surge: float = 0.45  # extra load on the first working days after it
    post_national_day_surge: float = 0.30
    month_end_factor: float = 0.18
    year_end_factor: float = 0.22
    # share of cases of items at depth 2 / 3 / 4 that come in online, when adoption is full
    online_share_by_depth: tuple[float, float, float, float] = (0.0, 0.45, 0.75, 1.0)
    adoption_start: float = 0.45  # adoption multiplier in 2017, rising to 1 by 2021
    mobile_share_start: float = 0.2
    mobile_share_end: float = 0.65
    self_service_share: float = 0.05
    assisted_online_share: float = 0.06
    not_accepted_hall: float = 0.015
    not_accepted_online: float = 0.04
    withdrawn: float = 0.015
    denied: float = 0.02
    suspended: float = 0.05
    late_base: float = 0.036  # probability of finishing after the promised limit
    late_department_spread: float = 0.8  # lognormal sigma of department lateness
    late_load_elasticity: float = 1.5
    correction_trip: float = 0.2  # depth-1 cases that need a second trip to fix materials
    rated_active: float = 0.14
    rated_default: float = 0.09
    rectified: float = 0.88
    returning_skew: float = 1.7  # > 1: a share of applicants come back for several cases
    person_pool_per_case: float = 0.45
    enterprise_pool_per_case: float = 0.35


@dataclass(frozen=True)
class HallParams:
    """Hall traffic and the queue simulation."""

    consultations_per_case_visit: float = 0.22
    target_occupancy: float = 0.72  # staffing plan: windows = load / target occupancy
    staffing_noise: tuple[float, float] = (0.8, 1.1)  # daily factor on the plan (absences)
    no_show: float = 0.03
    patience_median_min: float = 40.0
    # share of abandoned tickets whose time of leaving (left_at) the queue system recorded;
    # the rest stay empty, as on systems that only notice at the next call (censoring)
    left_at_recorded: float = 0.7
    slot_minutes: int = 30


# The service-guide gaps of the national inspection, Aug 2017 (domain.md, seed figures).
INSPECTION_GAP_SHARES = {
    "steps_name_only": 0.25,
    "no_limit_fee_contact": 0.33,
    "vague_materials": 0.13,
    "no_form_download": 0.41,
    "no_instructions_or_sample": 0.48,
    "no_format_requirements": 0.55,
}


@dataclass(frozen=True)
class GuideParams:
    """The service guides (办事指南): versions, gaps at the calibration date and their fixes."""

    gap_shares_at_calibration: dict[str, float] = field(
        default_factory=lambda: dict(INSPECTION_GAP_SHARES)
    )
    median_years_to_fix: float = 1.6  # from the calibration date to a gap's fix
    fix_spread: float = 0.7  # lognormal sigma of those waits
    revision_days: tuple[int, int] = (240, 540)  # days between two versions of a guide
    max_versions: int = 8
    max_materials: int = 6
    limit_disagreement_share: float = 0.03  # guides whose promised limit is not the catalogue's


@dataclass(frozen=True)
class ConsultationParams:
    """12345 work orders and message-board messages, and the hotline's calls.

    late_reply_share: orders still unanswered after 5 working days, by received year (the
    State Council's 2017 inspection found 38 %; later years improve). The share is exact in
    expectation: department differences are rescaled to keep each year's mean."""

    orders_per_case: float = 0.08  # orders per case of the scale's volume
    trend_per_year: float = 0.08
    day_off_factor: float = 0.45  # orders on a day off, relative to a working day
    late_reply_share: dict[int, float] = field(
        default_factory=lambda: {2017: 0.38, 2018: 0.28, 2019: 0.20, 2020: 0.14, 2021: 0.10}
    )
    late_department_spread: float = 0.5  # lognormal sigma of department lateness
    never_replied_share_of_late: float = 0.12
    late_reply_mean_extra_days: float = 5.0  # working days past the 6th, geometric mean
    # an answer in time: on the received day, or the 1st..5th working day after it
    on_time_reply_day_shares: tuple[float, ...] = (0.12, 0.30, 0.22, 0.16, 0.12, 0.08)
    withdrawn_share: float = 0.02
    missing_department_share: float = 0.01  # never assigned, or the export lost it
    missing_region_share: float = 0.02
    item_share: float = 0.3  # consultations and complaints naming a service item
    # hotline, web, app, mini_program, hall, other
    channel_shares_2017: tuple[float, ...] = (0.62, 0.22, 0.08, 0.0, 0.05, 0.03)
    channel_shares_2021: tuple[float, ...] = (0.45, 0.15, 0.18, 0.14, 0.05, 0.03)
    closed_on_time_share: dict[int, float] = field(
        default_factory=lambda: {2017: 0.78, 2018: 0.84, 2019: 0.89, 2020: 0.92, 2021: 0.94}
    )
    callback_share: float = 0.7
    callback_reached_share: float = 0.88
    rated_share_of_reached: float = 0.9
    solved_share: dict[int, float] = field(
        default_factory=lambda: {2017: 0.72, 2018: 0.77, 2019: 0.82, 2020: 0.85, 2021: 0.88}
    )
    transfers_mean: float = 0.25
    earlier_version_share: float = 0.15  # closed orders exported once more, as first replied
    # calls
    direct_answer_calls_per_order: float = 0.35  # answered on the phone, no order opened
    call_abandonment_share: dict[int, float] = field(
        default_factory=lambda: {2017: 0.11, 2018: 0.08, 2019: 0.06, 2020: 0.05, 2021: 0.04}
    )
    call_wait_mean_seconds: dict[int, float] = field(
        default_factory=lambda: {2017: 28.0, 2018: 22.0, 2019: 17.0, 2020: 14.0, 2021: 12.0}
    )
    call_patience_mean_seconds: float = 40.0
    talk_mean_seconds: float = 200.0
    agents: int = 120


@dataclass(frozen=True)
class ScaleParams:
    """One scale: period, volume and how much of the catalogue is implemented locally."""

    name: str
    start: dt.date
    end: dt.date
    target_cases: int
    county_item_share: float  # share of county-level basic items each county implements
    township_item_share: float
    reform: ReformParams = field(default_factory=ReformParams)
    cases: CaseParams = field(default_factory=CaseParams)
    halls: HallParams = field(default_factory=HallParams)
    consultations: ConsultationParams = field(default_factory=ConsultationParams)
    guides: GuideParams = field(default_factory=GuideParams)

    def with_period(self, start: dt.date | None, end: dt.date | None) -> ScaleParams:
        return replace(self, start=start or self.start, end=end or self.end)


SCALES: dict[str, ScaleParams] = {
    "tiny": ScaleParams("tiny", dt.date(2018, 1, 1), dt.date(2018, 12, 31), 5_000, 0.05, 0.05),
    "small": ScaleParams("small", dt.date(2017, 1, 1), dt.date(2019, 12, 31), 300_000, 0.2, 0.3),
    "city": ScaleParams("city", dt.date(2017, 1, 1), dt.date(2021, 12, 31), 8_600_000, 0.3, 0.45),
    "province": ScaleParams(
        "province", dt.date(2017, 1, 1), dt.date(2021, 12, 31), 52_000_000, 0.3, 0.45
    ),
}


def scale_params(scale: str) -> ScaleParams:
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALES)}") from None
