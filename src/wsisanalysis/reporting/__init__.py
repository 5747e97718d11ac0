"""Notebook helpers (tables, run details) and the report runner (papermill + nbconvert)."""

from __future__ import annotations

from wsisanalysis.metrics.disclosure import PublishedTable
from wsisanalysis.reporting.benchmark_changes import public_changes
from wsisanalysis.reporting.categories import (
    known_shares,
    parents_only,
    publish_rollup,
    with_event_dates,
)
from wsisanalysis.reporting.changes import what_changed
from wsisanalysis.reporting.export import export_html
from wsisanalysis.reporting.headline import headline, page_title, published_headline
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
    ledger_path,
    load_clean,
    load_log,
    publish,
    publish_aggregate,
    published_source_note,
    require_published,
    run_details,
    select_event,
    show_table,
)

__all__ = [
    "PublishedTable",
    "Run",
    "check_parameters",
    "data_source_note",
    "export_html",
    "headline",
    "html_table",
    "is_demo",
    "known_shares",
    "ledger_path",
    "load_clean",
    "load_log",
    "load_runs",
    "notebook_parameters",
    "page_title",
    "parents_only",
    "project_root",
    "public_changes",
    "publish",
    "publish_aggregate",
    "publish_rollup",
    "published_headline",
    "published_source_note",
    "require_published",
    "run_details",
    "select_event",
    "show_table",
    "what_changed",
    "with_event_dates",
]
