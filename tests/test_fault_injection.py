"""kill -9 during `clean` and during `report` (issue #12): afterwards every output is the
previous one, intact and readable, or the new one, complete. Never half a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import ROOT

_ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "WSISANALYSIS_KEY": "fault-test"}


def _export(path: Path, rows: int) -> Path:
    pd.DataFrame(
        {
            "Name": [f"Person {i}" for i in range(rows)],
            "Email": [f"p{i}@example.org" for i in range(rows)],
            "Country": ["Kenya", "Brazil", "Japan", "N/A"] * (rows // 4),
            "Event": ["WSIS+20 Open Consultation", ""] * (rows // 2),
        }
    ).to_csv(path, index=False)
    return path


def _outputs_readable(out: Path) -> tuple[int, int]:
    """Rows of the clean table and of the quarantine, read the way users read them."""
    clean = pd.read_parquet(out / "participation.parquet")
    quarantine = pd.read_csv(out / "participation_quarantine.csv", dtype=str)
    log = json.loads((out / "participation_cleaning.json").read_text(encoding="utf-8"))
    assert log["rows_clean"] == len(clean)
    return len(clean), len(quarantine)


def _kill_at(args: list[str], delay: float) -> None:
    proc = subprocess.Popen(args, env=_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_9_during_clean_leaves_the_previous_or_the_new_outputs(tmp_path):
    out = tmp_path / "out"
    small, big = _export(tmp_path / "small.csv", 40), _export(tmp_path / "big.csv", 20_000)
    clean = [sys.executable, "-m", "wsisanalysis", "clean", "--kind", "participation"]
    subprocess.run(
        [*clean, str(small), "--out", str(out)], env=_ENV, check=True, capture_output=True
    )
    previous = _outputs_readable(out)
    start = time.perf_counter()
    subprocess.run([*clean, str(big), "--out", str(tmp_path / "timing")], env=_ENV, check=True,
                   capture_output=True)  # fmt: skip
    full = time.perf_counter() - start
    new = _outputs_readable(tmp_path / "timing")
    for fraction in (0.7, 0.85, 0.95):  # reading, cleaning, writing (the last ~10%)
        _kill_at([*clean, str(big), "--out", str(out)], full * fraction)
        # each file on its own is old or new; the three are written under one lock, in order
        clean_rows, quarantine_rows = _outputs_readable(out)
        assert clean_rows in (previous[0], new[0])
        assert quarantine_rows in (previous[1], new[1])
    # a run after the kills starts clean: stale temporaries are removed, the lock is free
    subprocess.run([*clean, str(small), "--out", str(out)], env=_ENV, check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    assert _outputs_readable(out) == previous
    assert not list(out.glob(".*.tmp"))


def _probe_project(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('label: str = "x"  # a label')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import time\ntime.sleep(1)\nprint(label)")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(root / "notebooks" / "01-probe.ipynb"))
    (root / "notebooks" / "runs.toml").write_text(
        '[[run]]\nnotebook = "01-probe"\nslug = "a"\nparameters = { label = "first" }\n'
    )
    return root / "notebooks" / "runs.toml"


@pytest.mark.notebook
def test_kill_9_during_report_keeps_the_last_good_page(tmp_path):
    runs = _probe_project(tmp_path)
    out = tmp_path / "reports"
    report = [sys.executable, "-m", "wsisanalysis", "report", "--all", "--runs", str(runs),
              "--out", str(out)]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(report, env=_ENV, check=True, capture_output=True, cwd=tmp_path)
    full = time.perf_counter() - start
    page = (out / "html" / "01-probe__a.html").read_text(encoding="utf-8")
    for fraction in (0.5, 0.9):
        _kill_at(report, full * fraction)
        html = (out / "html" / "01-probe__a.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>")
        assert len(html) > len(page) // 2
        manifest = json.loads((out / "manifests" / "01-probe__a.json").read_text())
        assert manifest["status"] == "ok"
        assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
