"""The run-queue policy every govwh job carries: one run touching the warehouse at a time
(DuckDB admits one writing process; the instance's queue, govwh.operations.instance), the
cycle's order as priorities."""

from __future__ import annotations

from govwh.operations.cycle import PRIORITY
from govwh.operations.instance import WAREHOUSE_TAG, instance_config

PRIORITY_TAG = "dagster/priority"
BUSINESS_DAY_TAG = "govwh/business_day"
# A build the daily cycle starts leaves the serving copy to the day's last writer (the outbox,
# else the serving job), which publishes it with the forecasts: one copy of the file a day.
PUBLISH_TAG = "govwh/publish"
PUBLISH_BY_LAST_WRITER = "last_writer"
CYCLE_BUILD_TAGS = {PUBLISH_TAG: PUBLISH_BY_LAST_WRITER}

__all__ = [
    "BUSINESS_DAY_TAG",
    "CYCLE_BUILD_TAGS",
    "PRIORITY_TAG",
    "PUBLISH_BY_LAST_WRITER",
    "PUBLISH_TAG",
    "WAREHOUSE_TAG",
    "instance_config",
    "job_tags",
]


def job_tags(job_name: str) -> dict[str, str]:
    """The tags of `job_name`'s runs: the warehouse lock and the cycle's priority."""
    return {WAREHOUSE_TAG: "exclusive", PRIORITY_TAG: str(PRIORITY[job_name])}
