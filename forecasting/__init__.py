"""Load forecasts for planners: case arrivals, hall traffic, staffing and backlog.

Pure numpy / polars / scikit-learn / duckdb; the Dagster assets live in
``dagster_project/forecasting/assets.py`` and only call into this package.
"""
