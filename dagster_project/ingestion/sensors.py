"""Sensors: a new or changed landing file requests a build."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from dagster_project.operations.policy import CYCLE_BUILD_TAGS
from dagster_project.resources import LandingFolder
from dagster_project.warehouse.jobs import build_warehouse_job
from govwh.ingestion.schemas import SOURCES


def landing_fingerprint(landing_dir: Path) -> str | None:
    """Hash of the names, sizes and modification times of every source's landing files.

    None when there is nothing to load yet.
    """
    digest = hashlib.sha256()
    seen = 0
    for source in SOURCES:
        folder = landing_dir / source
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                digest.update(f"{source}/{path.name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
                seen += 1
    return digest.hexdigest() if seen else None


@sensor(
    job=build_warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a build when files in the landing folder are new or changed.",
)
def landing_folder_sensor(
    context: SensorEvaluationContext, landing: LandingFolder
) -> SensorResult | SkipReason:
    fingerprint = landing_fingerprint(landing.folder)
    if fingerprint is None:
        return SkipReason(f"no landing files in {landing.folder}")
    if fingerprint == context.cursor:
        return SkipReason("no new or changed landing files")
    # the cycle follows this build (forecasts, then the day's last writer publishes)
    return SensorResult(
        run_requests=[RunRequest(run_key=fingerprint, tags=CYCLE_BUILD_TAGS)], cursor=fingerprint
    )
