"""The weekly bulletin (每周通报): a self-contained Chinese HTML report and its PDF."""

from govwh.reports.bulletin.build import BulletinResult, StaleDataError, build_weekly_bulletin
from govwh.reports.bulletin.weeks import parse_iso_week

__all__ = ["BulletinResult", "StaleDataError", "build_weekly_bulletin", "parse_iso_week"]
