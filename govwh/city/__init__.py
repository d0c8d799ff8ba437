"""A city as configuration: read, check, load and scaffold a city's folder (files.py)."""
