"""Notebook helpers (tables, run details) and the report runner (papermill + nbconvert)."""

from __future__ import annotations

from wsisanalysis.reporting.export import export_html
from wsisanalysis.reporting.runs import (
    Run,
    check_parameters,
    load_runs,
    notebook_parameters,
    project_root,
)
from wsisanalysis.reporting.tables import (
    data_source_note,
    html_table,
    is_demo,
    load_clean,
    load_log,
    publish,
    published_source_note,
    run_details,
    select_event,
    show_table,
)

__all__ = [
    "Run",
    "check_parameters",
    "data_source_note",
    "export_html",
    "html_table",
    "is_demo",
    "load_clean",
    "load_log",
    "load_runs",
    "notebook_parameters",
    "project_root",
    "publish",
    "published_source_note",
    "run_details",
    "select_event",
    "show_table",
]
