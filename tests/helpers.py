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


def write_probe_notebook(path: Path, parameters: str, body: str = "", *, title: str = "") -> Path:
    """A small notebook for runner tests: an optional markdown title cell, a tagged
    parameters cell (`parameters`, one ``name: type = default  # help`` per line) and `body`."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    cells = [nbformat.v4.new_markdown_cell(title)] if title else []
    nb.cells = [*cells, cell, *([nbformat.v4.new_code_cell(body)] if body else [])]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path
