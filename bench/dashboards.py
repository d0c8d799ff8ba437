"""Time every chart's query through Superset's API (force=true: no result cache).

    GOVWH_SERVING_WAREHOUSE=/tmp/city/serving/govwh.duckdb .venv/bin/python -m bench.dashboards

against a running `govwh superset up`. Prints a Markdown table: p50 and max over the runs.
"""

from __future__ import annotations

import statistics
import sys
import time

from dashboards.api import SupersetApi
from dashboards.publish import publish
from dashboards.security import apply_security
from dashboards.settings import SupersetSettings

RUNS = 5
LIMIT_SECONDS = 2.0


def time_charts(
    api: SupersetApi, chart_ids: dict[str, int], runs: int = RUNS
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    for key, chart_id in sorted(chart_ids.items()):
        api.chart_data(chart_id)  # warm-up: Superset's metadata, DuckDB's first open
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            api.chart_data(chart_id)
            samples.append(time.perf_counter() - started)
        timings[key] = samples
    return timings


def main() -> int:
    settings = SupersetSettings.from_env()
    api = SupersetApi(settings.url, settings.admin_user, settings.admin_password())
    result = publish(api, settings.serving_path)
    apply_security(api, result)
    timings = time_charts(api, result.chart_ids)
    print("| chart | p50 | max | ≤ 2 s |\n|---|---|---|---|")
    for key, samples in timings.items():
        worst = max(samples)
        ok = "✓" if worst <= LIMIT_SECONDS else "**missed**"
        print(f"| {key} | {statistics.median(samples):.2f} s | {worst:.2f} s | {ok} |")
    return 0 if all(max(s) <= LIMIT_SECONDS for s in timings.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
