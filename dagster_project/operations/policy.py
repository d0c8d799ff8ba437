"""The run-queue policy every govwh job carries: one run touching the warehouse at a time
(DuckDB admits one writing process; the instance's queue, govwh.operations.instance), the
cycle's order as priorities."""

from __future__ import annotations

from govwh.operations.cycle import PRIORITY
from govwh.operations.instance import INSTANCE_CONFIG, WAREHOUSE_TAG

PRIORITY_TAG = "dagster/priority"
BUSINESS_DAY_TAG = "govwh/business_day"

__all__ = ["BUSINESS_DAY_TAG", "INSTANCE_CONFIG", "PRIORITY_TAG", "WAREHOUSE_TAG", "job_tags"]


def job_tags(job_name: str) -> dict[str, str]:
    """The tags of `job_name`'s runs: the warehouse lock and the cycle's priority."""
    return {WAREHOUSE_TAG: "exclusive", PRIORITY_TAG: str(PRIORITY[job_name])}
