# The two front-door commands: `make report` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR := data/raw/demo
# the demo's own folders: `make report` never touches a user's cleaned tables in data/interim
CLEAN_DIR := data/interim/demo

.PHONY: help install report test test-fast bench lint clean-generated

help:
	@echo "make report  - set up, clean the embedded demo data, run every notebook, write reports/index.html"
	@echo "make test    - set up, run the whole test suite (unit, property, notebooks, headless browser)"
	@echo "make bench   - benchmarks (throughput, memory, report time)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(PY) -m wsisanalysis demo --out $(DEMO_DIR)
	$(PY) -m wsisanalysis clean $(DEMO_DIR)/DEMO_participation_* --kind participation --out $(CLEAN_DIR)
	$(PY) -m wsisanalysis clean $(DEMO_DIR)/DEMO_engagement_* --kind engagement --out $(CLEAN_DIR)
	$(PY) -m wsisanalysis report --all
	@echo "Reports written: open $(CURDIR)/reports/index.html"

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not notebook and not browser"

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean-generated:
	rm -rf reports/html reports/executed reports/index.html reports/manifests reports/assets $(CLEAN_DIR)
