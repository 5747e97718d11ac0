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


@pytest.fixture(scope="session", autouse=True)
def _private_state(tmp_path_factory):
    """The guard's private memory of scheduled runs (``$XDG_STATE_HOME``) in a temporary
    folder, for the tests and the kernels they start, never the user's."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))


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


#: The planted report set: who is in it, by event. The side event has 3 participants from
#: Africa (Ghana), 2 from the media (both from Europe) and 4 from the host country (France);
#: the main forum has 2 from Nepal (a least developed country) beside 30 from Bangladesh.
PLANTED = {
    "Main Forum 2025": [("France", 30, "Government"), ("Germany", 30, "Civil Society"), ("United States", 40, "Technical"),
                        ("Canada", 12, "Private Sector"), ("Japan", 20, "Academia"), ("India", 20, "Government"),
                        ("Australia", 10, "Civil Society"), ("Brazil", 20, "Technical"), ("Mexico", 15, "Government"),
                        ("Nigeria", 25, "Civil Society"), ("Kenya", 20, "Technical"), ("South Africa", 20, "Government"),
                        ("Bangladesh", 30, "Civil Society"), ("Nepal", 2, "Academia")],
    "Side Event 2025": [("France", 4, "Academia"), ("Germany", 9, "Civil Society"), ("Germany", 2, "Media"),
                        ("Spain", 9, "Technical"), ("United States", 10, "Government"), ("Japan", 8, "Civil Society"),
                        ("Ghana", 3, "Technical"), ("Italy", 7, "Academia")],
}  # fmt: skip
PLANTED_RUNS = [
    ("20-regional-coverage", "all", {}),
    ("20-regional-coverage", "main", {"event": "Main Forum 2025"}),
    ("20-regional-coverage", "side", {"event": "Side Event 2025"}),
    ("20-regional-coverage", "side-excl-host", {"event": "Side Event 2025", "host_country": "FR"}),
    ("30-stakeholder-coverage", "side", {"event": "Side Event 2025"}),
]


@pytest.fixture(scope="session")
def planted_reports(tmp_path_factory):
    """The report set made from data with planted small cells, executed once: (HTML by run
    name, the clean participation table)."""
    import json
    import shutil

    from helpers import ROOT

    from wsisanalysis.clean import clean_files
    from wsisanalysis.reporting.runner import run_reports

    base = tmp_path_factory.mktemp("planted")
    rows = []
    for event, groups in PLANTED.items():
        for country, n, group in groups:
            for _ in range(n):
                i = len(rows)
                rows.append({"Full Name": f"Person {i}", "E-mail Address": f"p{i}@example.org", "Country/Territory": country,
                             "Stakeholder Category": group, "Meeting": event, "Date": "2025-06-10"})  # fmt: skip
    pd.DataFrame(rows).to_csv(base / "planted.csv", index=False)
    os.environ.setdefault("WSISANALYSIS_KEY", "test-key-not-secret")
    clean_files([base / "planted.csv"], "participation", base / "clean")
    (base / "notebooks").mkdir()
    for stem in {r[0] for r in PLANTED_RUNS}:
        shutil.copy(ROOT / "notebooks" / f"{stem}.ipynb", base / "notebooks")
    entries = [
        f'[[run]]\nnotebook = "{stem}"\nslug = "{slug}"\nparameters = {{ data_dir = {json.dumps(str(base / "clean"))}'
        + "".join(f", {k} = {json.dumps(v)}" for k, v in params.items()) + " }\n"
        for stem, slug, params in PLANTED_RUNS
    ]  # fmt: skip
    (base / "notebooks" / "runs.toml").write_text("\n".join(entries))
    summary = run_reports(
        run_all=True,
        runs_file=base / "notebooks" / "runs.toml",
        out_dir=base / "reports",
        jobs=1,
    )
    assert summary.ok, [
        p.read_text()[-2000:] for p in (base / "reports" / "manifests").glob("*.json")
    ]
    pages = {
        p.stem: p.read_text(encoding="utf-8") for p in (base / "reports" / "html").glob("*.html")
    }
    return pages, pd.read_parquet(base / "clean" / "participation.parquet")
