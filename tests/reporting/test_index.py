"""The index readers start from (issue #13, item 8): grouped by series, a mark for synthetic or
real data, dates in words, status, and what each page covers."""

from __future__ import annotations

import json
import re

from wsisanalysis.reporting.index import notebook_intro, scope, series, write_index

DEMO = {"synthetic": True, "first_date": "2025-06-23", "last_date": "2025-06-27"}


def _manifest(run, *, data, parameters=None, status="ok", **extra):
    return {"run": run, "status": status, "html": f"html/{run}.html", "parameters": parameters or {},
            "started_utc": "2026-11-25T13:10:00+00:00", "title": run.split("__")[0].title(),
            "description": "What it shows.", "scope": "event: all events", "data": data, **extra}  # fmt: skip


def _write(tmp_path, *manifests):
    (tmp_path / "manifests").mkdir()
    for m in manifests:
        (tmp_path / "manifests" / f"{m['run']}.json").write_text(json.dumps(m))
    return write_index(tmp_path).read_text()


def test_pages_are_grouped_by_series_with_marks(tmp_path):
    text = _write(
        tmp_path,
        _manifest("20-regional__demo", data=DEMO),
        _manifest("20-regional__icann82", data={"synthetic": False, "events": ["ICANN82"]}),
        _manifest(
            "30-groups__igf",
            data={"synthetic": False, "events": ["IGF 2025", "ICANN82"]},
            parameters={"event": "IGF 2025"},
        ),
        _manifest("50-public__published", data={"synthetic": False, "published": True}),
    )
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings == [
        "Event: ICANN82",
        "Event: IGF 2025",
        "Published benchmarks",
        "Demo: synthetic data",
    ]
    demo = text.split("<h2>Demo: synthetic data</h2>")[1]
    assert "synthetic demo data" in demo and "real data" not in demo
    assert text.count('class="mark real">real data') == 2
    assert "published figures" in text
    assert "data from 23 June 2025 – 27 June 2025" in text
    assert "made 25 November 2026" in text
    assert "2026-11-25T" not in text, "dates are written for readers"


def test_a_failed_run_says_so_and_keeps_the_last_good_page(tmp_path):
    text = _write(
        tmp_path,
        _manifest(
            "20-regional__demo",
            data=DEMO,
            status="failed",
            error="InputFileError: <gone>",
            last_success_utc="2026-11-20T08:00:00+00:00",
        ),
    )
    assert "failed on 25 November 2026" in text
    assert "InputFileError: &lt;gone&gt;" in text, "errors are escaped"
    assert "last good page, made 20 November 2026" in text
    assert 'href="html/20-regional__demo.html"' in text


def test_a_pdf_beside_a_page_is_linked(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "20-regional__demo.pdf").write_bytes(b"%PDF-1.4")
    text = _write(tmp_path, _manifest("20-regional__demo", data=DEMO))
    assert 'href="html/20-regional__demo.pdf"' in text


def test_series_of_real_data_is_its_event_or_all_events():
    real = {"synthetic": False, "events": ["A", "B"]}
    assert series({"data": real, "parameters": {"event": "all"}}) == "All events"
    assert series({"data": real, "parameters": {"event": "B"}}) == "Event: B"
    assert series({"data": {"synthetic": False, "events": ["A"]}, "parameters": {}}) == "Event: A"


def test_title_and_description_come_from_the_notebook():
    from helpers import ROOT

    title, description = notebook_intro(ROOT / "notebooks" / "20-regional-coverage.ipynb")
    assert title and not title.startswith("#")
    assert description.endswith(".") and "\n" not in description


def test_every_run_has_its_own_title_the_page_itself_shows_and_no_second_heading():
    """The index and the page's headline title a run alike (the notebook's title template,
    filled from the run's parameters); no two runs share a title; the notebook adds no heading
    of its own above the headline."""
    import nbformat
    from helpers import ROOT

    from wsisanalysis.reporting import load_runs
    from wsisanalysis.reporting.index import page_facts

    runs = load_runs(ROOT / "notebooks" / "runs.toml")
    titles = {r.name: page_facts(r.notebook, r.parameters, ROOT)["title"] for r in runs}
    assert len(set(titles.values())) == len(titles), titles
    assert "{" not in "".join(titles.values()), titles
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        template = nb.metadata["title"]
        assert not notebook_intro(path)[1].startswith("#"), path.name  # a sentence, not a heading
        assert f'page_title("{template}"' in "".join(c.source for c in nb.cells), path.name
        assert not any(
            line.startswith("# ") for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines()
        ), f"{path.name}: a heading of its own beside the headline's title"  # fmt: skip
    assert titles["20-regional-coverage__demo-igf2025-excl-host"] == (
        "Regional coverage — IGF 2025 Open Forum: ICANN and WSIS+20, Norway (host) excluded"
    )


def test_scope_in_words():
    assert (
        scope({"kind": "engagement", "freq": "MS", "data_dir": "x"})
        == "records: engagement; period: month"
    )


def test_a_run_that_failed_before_it_had_a_page_is_listed_without_a_link(tmp_path):
    failed = _manifest("20-regional__new", data={"synthetic": None}, status="failed",
                       error="InputFileError: no data", executed_notebook="executed/20-regional__new.ipynb")  # fmt: skip
    del failed["html"]
    text = _write(tmp_path, failed)
    assert "No page yet" in text and "executed/20-regional__new.ipynb" in text
    assert "data not found" in text
    assert 'href="html/20-regional__new' not in text
