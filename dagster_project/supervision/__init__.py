"""The daily supervision run (电子监察): alert lists per department into an outbox."""

from dagster_project.supervision.outbox import OutboxResult, write_alert_outbox
from dagster_project.supervision.workdays import is_working_day

__all__ = ["OutboxResult", "is_working_day", "write_alert_outbox"]
