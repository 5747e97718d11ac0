"""Issue #15: a page kept as a dated snapshot works where it is kept.

A snapshot page sits three folders below the output folder (``snapshots/<run>/<UTC>/``), so the
links the page has at ``html/<run>.html`` (back to the index, to the shared plotly.js, to other
pages) are rewritten when the snapshot is taken.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers import write_probe_notebook

from wsisanalysis.reporting import history
from wsisanalysis.reporting.export import rebase_links
from wsisanalysis.reporting.runner import run_reports


class _Links(HTMLParser):
    """Every href and src of a page's tags (the code inside scripts is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def local_links(page: Path) -> list[str]:
    """The page's links to files beside it: no scheme (https:, data:), no bare #anchor."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [link for link in parser.links if not urlsplit(link).scheme and urlsplit(link).path]


def missing_targets(page: Path) -> list[str]:
    """The local links of `page` that point at no existing file."""
    return [
        link
        for link in local_links(page)
        if not (page.parent / unquote(urlsplit(link).path)).is_file()
    ]


def test_relative_links_are_rewritten_and_the_rest_is_kept():
    page = (
        '<a href="../index.html" rel="index">i</a><a href="#Heading">h</a>'
        '<a href="other.html#part">o</a><a href="https://www.icann.org/">x</a>'
        '<script src="../assets/plotly-1.min.js"></script>'
        '<script>var s = \'<a href="../index.html">\';</script><img src="data:image/png;base64,AA">'
    )
    moved = rebase_links(page, Path("out/html"), Path("out/snapshots/run/20261206T180000Z"))
    assert moved == (
        '<a href="../../../index.html" rel="index">i</a><a href="#Heading">h</a>'
        '<a href="../../../html/other.html#part">o</a><a href="https://www.icann.org/">x</a>'
        '<script src="../../../assets/plotly-1.min.js"></script>'
        '<script>var s = \'<a href="../index.html">\';</script><img src="data:image/png;base64,AA">'
    )


@pytest.fixture(scope="module")
def shared_assets_report(tmp_path_factory):
    """Two runs of a page with a chart and a link to the other page, plotly.js shared."""
    root = tmp_path_factory.mktemp("snapshot-links")
    (root / "notebooks").mkdir()
    body = (
        "import os\n"
        "import plotly.graph_objects as go\n"
        "from IPython.display import HTML, display\n"
        "from wsisanalysis.reporting import figures\n"
        "display(figures.use_report_style())\n"
        "display(HTML(f'<a href=\"01-chart__{other}.html\">the other page</a>'))\n"
        "display(HTML(f'<p class=\"cwd\">{os.getcwd()}</p>'))\n"
        "go.Figure(go.Bar(x=['a', 'b'], y=[1, 2]))"
    )
    write_probe_notebook(root / "notebooks" / "01-chart.ipynb",
                         'other: str = "b"  # the page linked to', body, title="# Chart")  # fmt: skip
    (root / "notebooks" / "runs.toml").write_text(
        '[[run]]\nnotebook = "01-chart"\nslug = "a"\nparameters = { other = "b" }\n'
        '[[run]]\nnotebook = "01-chart"\nslug = "b"\nparameters = { other = "a" }\n'
    )
    out, before = root / "reports", Path.cwd()
    summary = run_reports(run_all=True, runs_file=root / "notebooks" / "runs.toml", out_dir=out,
                          assets="shared", jobs=2)  # fmt: skip
    assert summary.ok, [(m["run"], m.get("error")) for m in summary.failed]
    assert Path.cwd() == before  # parallel runs leave the caller where it was
    return out


@pytest.mark.notebook
def test_every_local_link_of_a_snapshot_page_points_at_a_file(shared_assets_report):
    out = shared_assets_report
    for run in ("01-chart__a", "01-chart__b"):
        (snapshot,) = history.snapshots(out, run)
        page = snapshot.path / history.PAGE
        links = local_links(page)
        assert "../../../index.html" in links
        assert any(link.startswith("../../../assets/plotly-") for link in links)
        assert any(link.startswith("../../../html/01-chart__") for link in links)
        assert missing_targets(page) == []
        assert missing_targets(out / "html" / f"{run}.html") == []  # the stable page too


@pytest.mark.notebook
def test_each_kernel_runs_in_the_project_root(shared_assets_report):
    root = shared_assets_report.parent
    for run in ("01-chart__a", "01-chart__b"):
        page = (shared_assets_report / "html" / f"{run}.html").read_text()
        assert f'<p class="cwd">{root}</p>' in page


def test_parallel_runs_write_the_shared_plotly_asset_without_tripping_over_each_other(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from wsisanalysis.reporting.export import write_plotly_asset

    source, start = "x" * 2_000_000, Barrier(8)
    for attempt in range(5):  # a race: several attempts so that it shows
        folder = tmp_path / str(attempt)

        def write(_: int, folder: Path = folder) -> Path:
            start.wait()  # all at once, as parallel runs finishing together do
            return write_plotly_asset(source, folder)

        with ThreadPoolExecutor(8) as pool:
            written = set(pool.map(write, range(8)))  # a writer's error is raised here
        assert len(written) == 1 and [p.name for p in folder.iterdir()] == [written.pop().name]


def test_a_snapshot_that_cannot_be_kept_is_said_in_the_history_not_raised(tmp_path):
    from datetime import UTC, datetime

    from wsisanalysis.reporting.runner import _remember

    out, started = tmp_path / "reports", datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    (out / "html").mkdir(parents=True)
    (out / "manifests").mkdir()
    (out / "html" / "r.html").write_text('<a href="../index.html">i</a>')
    (out / "published.jsonl").write_text("")
    earlier = history.keep_snapshot(out, "r", started, {"page.html": out / "html" / "r.html"})
    manifest = {"run": "r", "status": "ok", "started_utc": started.isoformat(),
                "html": "html/r.html", "published": "published.jsonl"}  # fmt: skip
    _remember("r", manifest, out, started, keep=1)  # the same second again: no new snapshot
    (entry,) = history.read_history(out)
    assert entry["status"] == "ok" and "snapshot" not in entry
    assert "already exists" in entry["snapshot_error"]
    assert history.snapshots(out, "r") == [earlier]  # the snapshot already there is kept
    assert sorted(p.name for p in (out / "html").iterdir()) == ["r.html"]  # no scratch left
    assert list((out / "manifests").iterdir()) == []
    from wsisanalysis.reporting.index import run_history

    later = {**entry, "started_utc": "2026-12-14T06:00:00+00:00"}  # a copy that failed alone
    listed = run_history([later], out)  # the index says the copy failed, not "no longer kept"
    assert "no snapshot kept" in listed and "no longer kept" not in listed
