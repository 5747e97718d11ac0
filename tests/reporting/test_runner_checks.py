"""Issue #12 in the report runner: values checked before any kernel, data_dir per run."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import write_probe_notebook

from wsisanalysis.errors import ParameterError
from wsisanalysis.reporting.runner import run_reports


@pytest.fixture
def project(tmp_path):
    (tmp_path / "notebooks").mkdir()
    write_probe_notebook(
        tmp_path / "notebooks" / "01-probe.ipynb",
        'data_dir: str = "data"  # folder\nthreshold: int = 5  # suppression\nevent: str = "all"  # an event',
        "print(data_dir, threshold, event)",
    )
    good = tmp_path / "good"
    good.mkdir()
    pd.DataFrame({"event": ["E1", "E2"]}).to_parquet(good / "participation.parquet")
    (good / "backup.parquet").write_bytes(b"PAR1 not really parquet")
    (tmp_path / "notebooks" / "runs.toml").write_text(
        '[[run]]\nnotebook = "01-probe"\nslug = "ok"\nparameters = { data_dir = "good" }\n'
        '[[run]]\nnotebook = "01-probe"\nslug = "nodata"\nparameters = { data_dir = "missing" }\n'
        '[[run]]\nnotebook = "01-probe"\nslug = "badevent"\n'
        'parameters = { data_dir = "good", event = "Nope" }\n'
    )
    return tmp_path


@pytest.mark.parametrize("threshold", [0, -3, True, 2.5, "0"])
def test_threshold_that_would_switch_suppression_off_is_refused_before_any_kernel(
    project, threshold
):
    with pytest.raises(ParameterError, match="threshold"):
        run_reports(
            ["01-probe"], parameters={"threshold": threshold},
            runs_file=project / "notebooks" / "runs.toml", out_dir=project / "out",
        )  # fmt: skip
    assert not (project / "out").exists()


def test_host_country_must_be_an_iso_code(project):
    from wsisanalysis.reporting.runner import validate_values
    from wsisanalysis.reporting.runs import Run

    with pytest.raises(ParameterError, match="host_country"):
        validate_values(Run(project / "x.ipynb"), {"host_country": "Norway"})
    validate_values(Run(project / "x.ipynb"), {"host_country": "NO", "threshold": 1})


@pytest.mark.notebook
def test_a_bad_data_dir_fails_its_run_only_and_the_index_says_so(project):
    out = project / "out"
    summary = run_reports(
        run_all=True,
        runs_file=project / "notebooks" / "runs.toml",
        out_dir=out,
        jobs=1,
    )
    assert len(summary.failed) == 2
    manifests = {p.stem: json.loads(p.read_text()) for p in (out / "manifests").glob("*.json")}
    assert manifests["01-probe__ok"]["status"] == "ok"
    backup = [i for i in manifests["01-probe__ok"]["inputs"] if i["file"] == "backup.parquet"]
    assert "error" in backup[0]  # an unreadable unrelated file is listed, not fatal
    assert manifests["01-probe__nodata"]["status"] == "failed"
    assert "missing" in manifests["01-probe__nodata"]["error"]
    assert manifests["01-probe__badevent"]["status"] == "failed"
    assert "'Nope' is not in participation.parquet" in manifests["01-probe__badevent"]["error"]
    index = (out / "index.html").read_text()
    assert index.count('class="failed"') == 2
