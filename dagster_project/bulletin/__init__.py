"""The weekly bulletin (每周通报): a self-contained Chinese HTML report and its PDF."""

from dagster_project.bulletin.build import BulletinResult, StaleDataError, build_weekly_bulletin
from dagster_project.bulletin.weeks import parse_iso_week

__all__ = ["BulletinResult", "StaleDataError", "build_weekly_bulletin", "parse_iso_week"]
