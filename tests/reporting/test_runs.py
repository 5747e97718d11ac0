"""What `wsisanalysis report` runs and what it names the pages (issue #13, item 10), and where a
notebook finds a relative data_dir (item 9). Kernels are not started: the run is recorded."""

from __future__ import annotations

import json

import pytest
from helpers import write_probe_notebook

from wsisanalysis.cli import main
from wsisanalysis.errors import InputFileError, ParameterError
from wsisanalysis.reporting import runner
from wsisanalysis.reporting.runs import (
    check_slug,
    load_runs,
    parameter_slug,
    plan_runs,
    resolve_data_dir,
    select_runs,
)


def _probe(path, parameters):
    write_probe_notebook(path, parameters, title="# Probe\n\nA probe page. More.")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "notebooks").mkdir()
    _probe(tmp_path / "notebooks" / "20-probe.ipynb",
              'data_dir: str = "data/interim/demo"  # data\nevent: str = "all"  # event\nbaseline: str = "countries"  # baseline')  # fmt: skip
    _probe(tmp_path / "notebooks" / "50-published.ipynb", "year: int = 2025  # year")
    (tmp_path / "notebooks" / "runs.toml").write_text(
        '[[run]]\nnotebook = "20-probe"\nslug = "demo"\nparameters = { data_dir = "data/interim/demo" }\n'
        '[[run]]\nnotebook = "20-probe"\nslug = "demo-igf"\nparameters = { data_dir = "data/interim/demo", event = "IGF 2025" }\n'
        '[[run]]\nnotebook = "50-published"\nslug = "published"\n'
    )  # fmt: skip
    (tmp_path / "data" / "interim" / "demo").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def executed(monkeypatch):
    """Record what would run instead of starting kernels."""
    calls = []

    def fake(run, parameters, out_dir, root, *, shared_assets=False, keep=None):
        calls.append((run.name, dict(parameters)))
        (out_dir / "manifests").mkdir(parents=True, exist_ok=True)
        manifest = {"run": run.name, "status": "ok", "html": f"html/{run.name}.html",
                    "parameters": dict(parameters), "duration_s": 0, "data": {"synthetic": True}}  # fmt: skip
        (out_dir / "manifests" / f"{run.name}.json").write_text(json.dumps(manifest))
        return manifest

    monkeypatch.setattr(runner, "execute_run", fake)
    return calls


def test_a_named_notebook_runs_once_with_its_defaults_plus_p(project, executed, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["report", "20-probe", "-p", "data_dir", "MYDATA"]) == 0
    assert executed == [("20-probe__mydata", {"data_dir": "MYDATA"})], (
        "one run, not every preset of runs.toml, and never named demo"
    )


def test_all_runs_the_run_list_and_keeps_its_slugs(project, executed, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["report", "--all"]) == 0
    assert sorted(name for name, _ in executed) == [
        "20-probe__demo",
        "20-probe__demo-igf",
        "50-published__published",
    ]


def test_real_data_through_the_run_list_is_never_named_demo(project, executed, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["report", "--all", "-p", "data_dir", "/srv/icann82"]) == 0
    assert sorted(executed) == [
        ("20-probe__icann82", {"data_dir": "/srv/icann82"}),
        ("20-probe__icann82-igf-2025", {"data_dir": "/srv/icann82", "event": "IGF 2025"}),
        ("50-published__published", {}),
    ], "-p data_dir reaches the notebooks that read data, and names their pages from it"


def test_slug_names_the_output(project, executed, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["report", "20-probe", "-p", "event", "IGF 2025", "--slug", "igf-real"]) == 0
    assert executed == [("20-probe__igf-real", {"event": "IGF 2025"})]


def test_a_run_list_entry_can_be_named(project, executed, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["report", "20-probe__demo-igf"]) == 0
    assert executed == [
        ("20-probe__demo-igf", {"data_dir": "data/interim/demo", "event": "IGF 2025"})
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--all", "20-probe"],
        ["report", "--all", "--slug", "x"],
        ["report", "20-probe", "50-published", "--slug", "x"],
        ["report", "20-probe", "--assets", "cdn"],
    ],
)
def test_contradictory_report_options_are_usage_errors(argv, project, executed, monkeypatch):
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert executed == []


def test_a_slug_that_cannot_name_a_file_exits_1(project, executed, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert main(["report", "20-probe", "--slug", "../../etc"]) == 1
    assert "cannot name a file" in capsys.readouterr().err
    assert executed == []
    with pytest.raises(ParameterError):
        check_slug("a b")


def test_an_unknown_notebook_names_the_notebooks_and_runs(project, monkeypatch):
    runs = load_runs(project / "notebooks" / "runs.toml")
    with pytest.raises(Exception, match=r"20-probe, 50-published.*20-probe__demo"):
        select_runs(runs, ["30-missing"], project)


def test_parameter_slug_from_values_that_differ_from_the_defaults(project):
    from wsisanalysis.reporting.runs import notebook_parameters

    declared = notebook_parameters(project / "notebooks" / "20-probe.ipynb")
    assert parameter_slug({}, declared) == "demo"
    assert parameter_slug({"baseline": "countries"}, declared) == "demo"
    assert (
        parameter_slug({"data_dir": "data/interim", "baseline": "un_members"}, declared)
        == "interim-un-members"
    )
    long = parameter_slug({"event": "x" * 200}, declared)
    assert len(long) <= 60 and long.startswith("demo-xxx")
    assert (
        parameter_slug({}, notebook_parameters(project / "notebooks" / "50-published.ipynb"))
        == "defaults"
    )


def test_two_runs_that_would_write_one_page_are_refused(project):
    run = select_runs([], ["20-probe"], project)[0]
    with pytest.raises(ParameterError, match="same page"):
        plan_runs([run, run.__class__(run.notebook, {"baseline": "countries"}, "")], {})


def test_relative_data_dir_resolves_against_the_project_root(project, monkeypatch):
    monkeypatch.chdir(project / "notebooks")  # where JupyterLab starts kernels
    assert resolve_data_dir("data/interim/demo") == project / "data" / "interim" / "demo"
    (project / "notebooks" / "data" / "interim" / "demo").mkdir(parents=True)
    assert resolve_data_dir("data/interim/demo").resolve() == (
        project / "notebooks" / "data" / "interim" / "demo"
    ), "a folder that exists from the working directory wins"


def test_missing_data_dir_error_names_both_places(project, monkeypatch):
    monkeypatch.chdir(project / "notebooks")
    with pytest.raises(InputFileError) as info:
        resolve_data_dir("data/elsewhere")
    message = str(info.value)
    assert str(project / "notebooks" / "data" / "elsewhere") in message
    assert str(project / "data" / "elsewhere") in message
    assert "wsisanalysis clean" in message


def test_load_clean_finds_the_demo_from_notebooks(project, monkeypatch, clean_dir):
    import shutil

    from wsisanalysis.reporting import load_clean

    shutil.copytree(clean_dir, project / "data" / "interim" / "demo", dirs_exist_ok=True)
    monkeypatch.chdir(project / "notebooks")
    assert len(load_clean("data/interim/demo", "participation")) > 0


def test_a_parameter_no_selected_notebook_declares_is_an_error(
    project, executed, monkeypatch, capsys
):
    monkeypatch.chdir(project)
    assert main(["report", "--all", "-p", "colour", "red"]) == 1
    assert "unknown parameter(s) colour" in capsys.readouterr().err
    assert executed == []


def test_pdf_without_chromium_exits_1_before_anything_runs(
    project, executed, monkeypatch, capsys, tmp_path
):
    monkeypatch.chdir(project)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("WSISANALYSIS_CHROMIUM", raising=False)
    assert main(["report", "20-probe", "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "needs a headless Chromium" in err and "apt-get install chromium" in err
    assert executed == [], "no notebook runs when the PDFs cannot be printed"


def test_pdf_without_playwright_names_the_extra(project, executed, monkeypatch, capsys):
    import sys

    monkeypatch.chdir(project)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    assert main(["report", "20-probe", "--pdf"]) == 1
    assert "pip install 'wsisanalysis[pdf]'" in capsys.readouterr().err
    assert executed == []


def test_pdf_prints_the_pages_that_succeeded_before_the_index(project, executed, monkeypatch):
    from wsisanalysis.reporting import runner as runner_module

    printed = []
    monkeypatch.setattr(runner_module, "find_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(runner_module, "write_pdfs", lambda pages, chromium: printed.extend(pages))
    monkeypatch.chdir(project)
    assert main(["report", "--all", "--pdf"]) == 0
    assert sorted(p.name for p in printed) == [
        "20-probe__demo-igf.html",
        "20-probe__demo.html",
        "50-published__published.html",
    ]
