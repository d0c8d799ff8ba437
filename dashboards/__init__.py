"""Dashboards as code: a local Apache Superset and the dashboards published into it.

Superset runs in its own virtualenv (`.venv-superset`, pinned by `superset/constraints.txt`),
reads only the read-only serving copy of the warehouse, and gets its datasets, charts and
dashboards from the YAML bundle under `assets/`, published through the REST API.
"""
