"""Every job's asset selection, snapshotted: an asset added later cannot slip into a job.

When a change means a job should select more (or less), regenerate the snapshot with
GOVWH_UPDATE_SNAPSHOTS=1 and review the diff like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster_project.definitions import build_definitions
from dagster_project.settings import Settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "job_asset_selections.json"


def _selections(settings: Settings) -> dict[str, list[str]]:
    repository = build_definitions(settings).get_repository_def()
    return {
        job.name: sorted(key.to_user_string() for key in job.asset_layer.selected_asset_keys)
        for job in sorted(repository.get_all_jobs(), key=lambda job: job.name)
        if not job.name.startswith("__")  # Dagster's implicit all-assets job
    }


def test_every_job_selects_exactly_its_snapshot(isolated_settings: Settings) -> None:
    selections = _selections(isolated_settings)
    if os.environ.get("GOVWH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(selections, indent=2, ensure_ascii=False) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert selections.keys() == expected.keys()
    for job_name, keys in selections.items():
        added = sorted(set(keys) - set(expected[job_name]))
        removed = sorted(set(expected[job_name]) - set(keys))
        assert not added and not removed, (job_name, "added", added, "removed", removed)
