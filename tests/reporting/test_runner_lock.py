"""Issue #12: two ``report`` runs into one folder never share a file; the second fails clearly."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, write_probe_notebook

from wsisanalysis.reporting.runner import run_reports

_ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _project(root: Path, body: str) -> Path:
    (root / "notebooks").mkdir(parents=True)
    write_probe_notebook(root / "notebooks" / "01-probe.ipynb", 'out: str = ""  # folder', body)
    runs = root / "notebooks" / "runs.toml"
    runs.write_text('[[run]]\nnotebook = "01-probe"\nslug = "a"\n')
    return runs


@pytest.mark.notebook
def test_two_reports_into_one_folder_one_runs_the_other_fails_clearly(tmp_path):
    runs = _project(tmp_path, "import time\ntime.sleep(4)")
    out = tmp_path / "reports"
    report = [sys.executable, "-m", "wsisanalysis", "report", "--all", "--runs", str(runs),
              "--out", str(out)]  # fmt: skip
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(report, env=_ENV, cwd=tmp_path, **pipes) for _ in range(2)]
    results = sorted((p.wait(timeout=300), p.stderr.read()) for p in procs)  # type: ignore[union-attr]
    (ok, _), (busy, message) = results
    assert (ok, busy) == (0, 1), results
    assert "Traceback" not in message
    assert message.startswith(f"error: {out}: another wsisanalysis run is writing"), message
    assert message.count("\n") == 1  # one line, saying what to do
    assert "Wait for it to finish" in message
    manifest = json.loads((out / "manifests" / "01-probe__a.json").read_text())
    assert manifest["status"] == "ok"
    assert [p.name for p in (out / "executed").iterdir()] == ["01-probe__a.ipynb"]


@pytest.mark.notebook
def test_papermill_writes_the_executed_notebook_under_a_name_of_its_own(tmp_path):
    listing = (
        "import pathlib\nprint(sorted(p.name for p in pathlib.Path(out, 'executed').iterdir()))"
    )
    runs = _project(tmp_path, listing)
    out = tmp_path / "reports"
    (out / "executed").mkdir(parents=True)
    (out / "executed" / ".01-probe__a.0123abcd.tmp.ipynb").write_text("left by a kill -9")
    summary = run_reports(run_all=True, runs_file=runs, out_dir=out, parameters={"out": str(out)})
    assert summary.ok, summary.failed
    (final,) = (out / "executed").iterdir()  # the slug names the parameters given
    executed = nbformat.read(final, as_version=4)
    seen = ast.literal_eval(executed.cells[-1].outputs[0]["text"])
    # while the kernel ran, only this run's temporary existed: no shared final name, and the
    # temporary a killed run left behind was removed under the lock
    assert len(seen) == 1
    assert seen[0].startswith(f".{final.stem}.") and seen[0].endswith(".tmp.ipynb"), seen
