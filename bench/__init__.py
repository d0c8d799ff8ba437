"""The pipeline benchmark behind `govwh bench`: stages (stages.py) run in child processes by
the harness (harness.py), reported into docs/benchmarks.md (report.py)."""
