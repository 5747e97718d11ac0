"""The report runner: parameters checked first, manifests, index, failures that keep the last good HTML."""

from __future__ import annotations

import json
import re

import pytest
from helpers import write_probe_notebook

from wsisanalysis.cli import main
from wsisanalysis.errors import ParameterError
from wsisanalysis.reporting.runs import check_parameters


@pytest.fixture
def project(tmp_path):
    (tmp_path / "notebooks").mkdir()
    write_probe_notebook(
        tmp_path / "notebooks" / "01-probe.ipynb",
        'label: str = "x"  # a label\nfail: bool = False  # raise on purpose\nsize: int = 1  # a number',
        'if fail:\n    raise RuntimeError("deliberate failure")\nprint(repr(label), size)',
    )
    (tmp_path / "notebooks" / "runs.toml").write_text(
        '[[run]]\nnotebook = "01-probe"\nslug = "a"\nparameters = { label = "004" }\n'
    )
    return tmp_path


def test_unknown_parameter_names_the_valid_ones(project):
    with pytest.raises(ParameterError) as info:
        check_parameters(project / "notebooks" / "01-probe.ipynb", {"colour": "red"})
    message = str(info.value)
    assert "colour" in message
    assert "label (str" in message and "size (int" in message


def test_values_keep_their_declared_type(project):
    checked = check_parameters(
        project / "notebooks" / "01-probe.ipynb", {"label": "004", "size": "7", "fail": "false"}
    )
    assert checked == {"label": "004", "size": 7, "fail": False}
    with pytest.raises(ParameterError, match="expects int"):
        check_parameters(project / "notebooks" / "01-probe.ipynb", {"size": "seven"})


def test_cli_unknown_parameter_exits_1(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert main(["report", "01-probe", "-p", "colour", "red"]) == 1
    assert "Valid parameters" in capsys.readouterr().err


@pytest.mark.notebook
def test_failed_run_keeps_last_good_html_and_exits_nonzero(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert main(["report", "--all"]) == 0
    html = project / "reports" / "html" / "01-probe__a.html"
    good = html.read_text()
    assert "&#x27;004&#x27;" in good or "'004'" in good
    manifest = json.loads((project / "reports" / "manifests" / "01-probe__a.json").read_text())
    assert manifest["status"] == "ok"
    assert manifest["parameters"] == {"label": "004"}
    assert {"versions", "started_utc", "duration_s", "inputs"} <= set(manifest)

    # the same page, run again and failing (an override alone would name a new page)
    assert (
        main(["report", "01-probe", "-p", "label", "004", "-p", "fail", "true", "--slug", "a"])
        == 1
    )
    assert html.read_text() == good, "the last good snapshot must survive a failed run"
    executed = project / "reports" / "executed" / "01-probe__a.ipynb"
    assert "deliberate failure" in executed.read_text()
    manifest = json.loads((project / "reports" / "manifests" / "01-probe__a.json").read_text())
    assert manifest["status"] == "failed"
    assert "deliberate failure" in manifest["error"]
    index = (project / "reports" / "index.html").read_text()
    assert "failed" in index and "01-probe__a.html" in index
    assert "1 run(s) failed" in capsys.readouterr().err


@pytest.mark.notebook
def test_report_prints_one_line_per_run_and_a_summary_and_the_kernel_is_quiet(
    project, monkeypatch, capfd
):
    """Nothing else on the terminal: no kernel warning (IPC transport), no start lines."""
    monkeypatch.chdir(project)
    assert main(["report", "--all"]) == 0
    out, err = capfd.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert lines[0].startswith("[1/1] 01-probe__a: ok in ")
    assert lines[1].startswith("1 of 1 report(s) written in ")
    # libzmq's own assertion when a kernel's IPC sockets close under load (seen once in three
    # CI runs, after the run had succeeded) is an upstream race, not our output: left out
    noise = re.compile(r"^Assertion failed: pfd\.revents & POLLIN \(src/signaler\.cpp:\d+\)$")
    err = "\n".join(line for line in err.splitlines() if not noise.match(line))
    # the same race seen from ipykernel: its control channel answering after the socket closed
    # at shutdown (once in six CI runs, after the run had succeeded); only that whole block
    race = re.compile(r"ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
                      r"\s*Traceback.*?\n\s*zmq\.error\.ZMQError: [^\n]*\n?", re.DOTALL)  # fmt: skip
    err = race.sub("", err).strip()
    assert err == "", err  # e.g. "Kernel is running over TCP without encryption"


@pytest.mark.notebook
def test_make_report_flow_writes_index_without_personal_data(report_project, demo_dir):
    """The main job end to end on the demo data: every run, the index, no personal data anywhere."""
    from wsisanalysis.read import read_export
    from wsisanalysis.reporting import load_runs

    index = (report_project / "reports" / "index.html").read_text()
    for run in load_runs(report_project / "notebooks" / "runs.toml"):
        assert f"html/{run.name}.html" in index
        manifest = json.loads(
            (report_project / "reports" / "manifests" / f"{run.name}.json").read_text()
        )
        assert manifest["status"] == "ok"
        if "data_dir" in run.parameters:
            assert manifest["inputs"], "input checksums and row counts are recorded"
    raw = read_export(next(demo_dir.glob("DEMO_participation_wsis20*"))).frame
    emails = set(raw["E-mail Address"].dropna().unique())
    names = {n for n in raw["Full Name"].dropna().unique() if len(n) > 8}
    for path in (report_project / "reports").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not [e for e in emails if e in text], path
            assert not [n for n in names if n in text], path


def test_data_dir_is_unknown_to_the_benchmarks_notebook(report_project, monkeypatch, capsys):
    monkeypatch.chdir(report_project)
    assert main(["report", "50-public-benchmarks", "-p", "data_dir", "x"]) == 1
    assert "unknown parameter(s) data_dir" in capsys.readouterr().err


def test_unresolved_regions_are_not_offered_as_mapping_lines():
    from wsisanalysis.reporting import quality

    log = {"unresolved": [
        {"column": "country_iso2", "label": "Sub-Saharan Africa", "rows": 9, "candidates": "region"},
        {"column": "country_iso2", "label": "Narnia", "rows": 2, "candidates": "Namibia (61.5)"},
    ]}  # fmt: skip
    advice = quality.unresolved(log)["add to mapping"].tolist()
    assert advice[0].startswith("not one country")
    assert advice[1] == 'countries: {"Narnia": ...}'


@pytest.mark.notebook
def test_missing_clean_table_fails_the_run_with_the_file_named(tmp_path, monkeypatch, capsys):
    from helpers import ROOT

    monkeypatch.chdir(ROOT)
    missing = tmp_path / "nothing-here"
    code = main(
        [
            "report",
            "20-regional-coverage",
            "-p",
            "data_dir",
            str(missing),
            "--out",
            str(tmp_path / "reports"),
        ]
    )
    assert code == 1
    manifest = json.loads(
        (
            tmp_path / "reports" / "manifests" / "20-regional-coverage__nothing-here.json"
        ).read_text()
    )
    assert manifest["status"] == "failed"
    # checked by the runner before the kernel starts (issue #12), naming the folder
    assert "nothing-here is not a folder" in manifest["error"]
    assert "wsisanalysis clean" in manifest["error"]
    out = capsys.readouterr()
    assert "] 20-regional-coverage__nothing-here: failed in " in out.out
