from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _fixed_key(monkeypatch):
    """A fixed pseudonymization key so tests never write key files by accident."""
    monkeypatch.setenv("WSISANALYSIS_KEY", "test-key-not-secret")


@pytest.fixture
def messy_participation() -> pd.DataFrame:
    """A small raw export with the usual problems: padding, aliases, blanks, a duplicate."""
    return pd.DataFrame(
        {
            "Full Name": ["Ana Silva", "ANA SILVA ", "Kwame Mensah", "", "Li Wei", "Jean Dubois"],
            "E-mail Address": [
                "ana.silva@example.org",
                " Ana.Silva@Example.org",
                "kwame@example.net",
                "",
                "",
                "jean@example.com",
            ],
            "Organization": [
                "Digital Rights NGO",
                "Digital Rights NGO",
                "<b>ccTLD</b> .gh",
                "",
                "Uni",
                "=cmd|' /C calc'!A0",
            ],
            "Country/Territory": [
                "Brasil",
                "Brazil",
                ".gh",
                "",
                "Sub-Saharan Africa",
                "Etats-Unis",
            ],
            "Stakeholder Category": ["CSO", "Civil Society", "Technical", "", "Academia", "Gov."],
            "ICANN Community": ["NCUC", "NCUC", "ccNSO", "", "none", "GAC"],
            "Meeting": ["ICANN82", "ICANN82", "ICANN82", "", "ICANN82", "ICANN82"],
            "Date": ["10/03/2025", "10/03/2025", "13/03/2025", "", "11/03/2025", "12/03/2025"],
        }
    )


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    from wsisanalysis.demo import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(out)
    return out


@pytest.fixture(scope="session")
def clean_dir(demo_dir, tmp_path_factory) -> Path:
    """Demo data cleaned into a folder, as `wsisanalysis clean` writes it."""
    from wsisanalysis.clean import clean_files

    out = tmp_path_factory.mktemp("clean")
    os.environ.setdefault("WSISANALYSIS_KEY", "test-key-not-secret")
    clean_files(sorted(demo_dir.glob("DEMO_participation_*")), "participation", out)
    clean_files(sorted(demo_dir.glob("DEMO_engagement_*")), "engagement", out)
    return out


@pytest.fixture(scope="session")
def report_project(clean_dir, tmp_path_factory):
    """The main job on the demo data: every run of runs.toml, in a scratch copy of the project."""
    import json
    import shutil

    from helpers import ROOT

    from wsisanalysis.reporting.runner import run_reports

    project = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    runs = project / "notebooks" / "runs.toml"
    runs.write_text(runs.read_text().replace('"data/interim/demo"', json.dumps(str(clean_dir))))
    summary = run_reports(run_all=True, runs_file=runs, out_dir=project / "reports")
    assert summary.ok, summary.failed
    return project
