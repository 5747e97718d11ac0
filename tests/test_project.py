"""The project's own files: dependencies in step, generated and raw data kept out of git."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml
from helpers import ROOT


def test_environment_yml_installs_the_project_from_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=" + project["project"]["requires-python"].removeprefix(">=")
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert pip == ["-e .[dev]"]  # so conda users get exactly pyproject's dependencies


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_main_job_installs_no_test_tool():
    """`make report` installs the runtime dependencies only; the tools live in extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _names(project["dependencies"])
    extras = project["optional-dependencies"]
    tools = {"pytest", "hypothesis", "playwright", "statsmodels", "ruff", "mypy", "jupyterlab"}
    assert not runtime & tools, runtime & tools
    assert tools <= _names(extras["test"]) | _names(extras["lab"])
    assert extras["dev"] == ["wsisanalysis[lab,test]"]
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -e .\n" in makefile  # report: runtime only
    assert re.search(r"^report: \$\(RUNTIME_STAMP\)$", makefile, re.MULTILINE)
    assert re.search(r"^test: chromium \$\(DEV_STAMP\)$", makefile, re.MULTILINE)


def test_ci_runs_only_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    commands = [
        line for line in script.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert commands[-1] == "make test"
    assert not [line for line in commands if re.search(r"apt-get|\bpip\b", line)]
    assert "make test" in (ROOT / "README.md").read_text()


def test_raw_interim_data_and_reports_are_ignored_by_git():
    paths = [
        "data/raw/x.csv",
        "data/interim/participation.parquet",
        "reports/html/a.html",
        "data/interim/.wsisanalysis_key",
    ]
    proc = subprocess.run(
        ["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert sorted(proc.stdout.split()) == sorted(paths)


def test_reference_data_ships_with_sources_in_the_data_log():
    log = (ROOT / "data" / "README.md").read_text()
    shipped = sorted((ROOT / "src" / "wsisanalysis" / "data").glob("*/*.csv"))
    assert len(shipped) >= 14
    for path in shipped:
        assert path.name in log, f"{path.name} has no entry in data/README.md"
