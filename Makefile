# The two commands of the README: `make demo` and `make test`. Both set up .venv first, from
# the pinned requirements.lock, and redo that only when requirements.lock or pyproject.toml
# changed (the stamp file in .venv records the last install).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.govwh-installed
UV_VERSION := 0.13.9
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
PYTEST_ARGS ?=
# Two pytest workers (pytest-xdist), a whole test file per worker so module fixtures build once,
# handed out in collection order (tests/conftest.py puts the longest files first; three
# workers on two cores measured no faster); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: demo test lint dev serve serve-stop setup clean-warehouse system-packages

# Debian packages the tests use: Chromium prints the bulletin to PDF (and drives the
# dashboard tests), a CJK font renders Chinese, poppler turns PDF pages into PNG, Java runs
# the local Spark session of the Spark-target test. Installed only when missing; nothing
# downloads a browser of its own.
SYSTEM_PACKAGES := chromium chromium-driver fonts-wqy-zenhei poppler-utils openjdk-17-jre-headless
system-packages:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The demo city end to end: generate → load → dbt → forecasts → a local Superset with the
# dashboards published (demo login printed; set GOVWH_SUPERSET_ADMIN_PASSWORD for your own).
demo: $(STAMP)
	$(BIN)/govwh demo
	$(BIN)/govwh forecast
	GOVWH_DEMO=1 $(BIN)/govwh superset up
	GOVWH_DEMO=1 $(BIN)/govwh dashboards publish

# pytest exits 5 when it collected no test: say so loudly, but that is no failure of the code.
test: $(STAMP) system-packages
	$(BIN)/ruff check .
	@$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then \
		echo "!!!!!!!! pytest collected NO TESTS (exit code 5): nothing was tested !!!!!!!!"; \
		exit 0; \
	fi; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check govwh dagster_project bench tests

# The production stack on 127.0.0.1 (docs/operations.md): the Dagster webserver and daemon
# with the daily cycle switched on, and Superset; logs in logs/serve/. `make serve-stop` stops it.
serve: $(STAMP)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/govwh serve up

serve-stop: $(STAMP)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/govwh serve down

# The Dagster UI on http://127.0.0.1:3000, with the run history `govwh build` writes to.
dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	@$(BIN)/python -c "from pathlib import Path; from govwh.operations.instance import ensure_instance_config; ensure_instance_config(Path('$(DAGSTER_HOME)'))"
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

setup: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	touch $@

clean-warehouse:
	rm -rf warehouse .dagster_home
