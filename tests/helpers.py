"""Paths and small helpers shared by the tests (importable: pytest's pythonpath has tests/)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def assert_accounted(log) -> None:
    """The row invariant, for a cleaning log as a dataclass or as the JSON dict."""
    counts = log if isinstance(log, dict) else log.to_dict()
    accounted = counts["rows_clean"] + counts["rows_quarantined"] + counts["duplicates_merged"]
    assert counts["rows_in"] == accounted, counts
