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


def decode_plotly(obj):
    """Plotly figure JSON with its typed arrays (``{"dtype", "bdata", "shape"}``, plotly >= 6)
    decoded to lists, as a reader of the HTML can decode them."""
    import base64

    import numpy as np

    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            values = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            if shape:
                values = values.reshape([int(s) for s in str(shape).split(",")])
            return values.tolist()
        return {k: decode_plotly(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode_plotly(v) for v in obj]
    return obj
