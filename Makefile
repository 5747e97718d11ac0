# The two front-door commands: `make report` and `make test`. Each creates .venv when missing
# and installs what it needs: `report` the runtime dependencies only, `test` also the test and
# JupyterLab extras (`.[dev]`) and Debian's chromium for the headless-browser tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-stamp
DEV_STAMP := $(VENV)/.dev-stamp
DEMO_DIR := data/raw/demo
# the demo's own folders: `make report` never touches a user's cleaned tables in data/interim
CLEAN_DIR := data/interim/demo

.PHONY: help install install-dev chromium report test test-fast bench lint clean-generated

help:
	@echo "make report  - set up (runtime only), clean the embedded demo data, run every notebook, write reports/index.html"
	@echo "make test    - set up (runtime + test + lab, chromium when missing), run the whole test suite"
	@echo "make bench   - benchmarks (throughput, memory, whole-process ratio, DuckDB engine)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Separate stamps: a runtime-only venv gains the extras when `make test` first runs in it.
$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

# The browser tests drive Debian's chromium. As root, install it when missing (what a fresh
# CI machine needs); otherwise stop before running anything, saying how to install it.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make test: installing Debian's chromium for the headless-browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make test: the browser tests need chromium on PATH: run 'sudo apt-get install chromium' (Debian/Ubuntu), then 'make test' again" >&2; \
	    exit 1; \
	  fi; }

report: $(RUNTIME_STAMP)
	$(PY) -m wsisanalysis demo --out $(DEMO_DIR)
	$(PY) -m wsisanalysis clean $(DEMO_DIR)/DEMO_participation_* --kind participation --out $(CLEAN_DIR)
	$(PY) -m wsisanalysis clean $(DEMO_DIR)/DEMO_engagement_* --kind engagement --out $(CLEAN_DIR)
	$(PY) -m wsisanalysis report --all
	@echo "Reports written: open $(CURDIR)/reports/index.html"

test: chromium $(DEV_STAMP)
	$(PY) -m pytest

test-fast: $(DEV_STAMP)
	$(PY) -m pytest -m "not notebook and not browser"

bench: $(DEV_STAMP)
	$(PY) -m benchmarks

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests benchmarks notebooks

clean-generated:
	rm -rf reports/html reports/executed reports/index.html reports/manifests reports/assets $(CLEAN_DIR)
