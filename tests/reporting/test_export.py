"""Pages carry plotly.js only where a chart needs it, once, inline or shared (issue #13, item 6);
every page links back to the index and prints without clipping (items 7, 8)."""

from __future__ import annotations

import re

import nbformat
import pytest
from plotly.offline import get_plotlyjs

from wsisanalysis.reporting import export_html
from wsisanalysis.reporting.figures import ReportFigure, use_report_style

MAX_PAGE_WITHOUT_CHARTS = 300_000
BANNER = "* plotly.js v"


def _output(obj) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": obj._repr_html_()})


def _page(*outputs) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A page\n\nWhat it shows.")]
    for output in outputs:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [output]
        nb.cells.append(cell)
    return nb


def _chart():
    import plotly.graph_objects as go

    return ReportFigure(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "A bar chart.")


def _table():
    big = "".join(f"<tr><td>row {i}</td><td>{i}</td></tr>" for i in range(500))
    return nbformat.v4.new_output("display_data", data={"text/html": f"<table>{big}</table>"})


def test_a_page_without_charts_has_no_plotly_and_is_light(tmp_path):
    loader = _output(use_report_style())  # the setup cell every notebook displays
    page = export_html(_page(loader, _table()), tmp_path / "html" / "quality.html")
    text = page.read_text()
    assert BANNER not in text and "Plotly" not in text
    assert page.stat().st_size < MAX_PAGE_WITHOUT_CHARTS, page.stat().st_size
    assert "row 499" in text, "the page's own content is kept"


def test_a_page_with_charts_embeds_plotly_once_and_stays_self_contained(tmp_path):
    loader = _output(use_report_style())
    page = export_html(
        _page(loader, _output(_chart()), loader, _output(_chart())), tmp_path / "chart.html"
    )
    text = page.read_text()
    assert text.count(BANNER) == 1
    assert not re.search(r"<script[^>]+src=", text), "nothing to fetch: opens offline, by e-mail"
    assert text.count("Plotly.newPlot") == 2
    assert page.stat().st_size < 5_000_000


def test_shared_assets_write_one_copy_linked_relatively(tmp_path):
    loader = _output(use_report_style())
    pages = [
        export_html(
            _page(loader, _output(_chart())),
            tmp_path / "reports" / "html" / f"p{i}.html",
            shared_assets=tmp_path / "reports" / "assets",
        )
        for i in range(2)
    ]
    assets = list((tmp_path / "reports" / "assets").glob("plotly-*.min.js"))
    assert len(assets) == 1
    assert assets[0].read_text() == get_plotlyjs()
    for page in pages:
        text = page.read_text()
        assert BANNER not in text
        assert f'src="../assets/{assets[0].name}"' in text
        assert page.stat().st_size < MAX_PAGE_WITHOUT_CHARTS


def test_every_page_links_back_to_the_index(tmp_path):
    page = export_html(_page(_table()), tmp_path / "reports" / "html" / "a.html",
                       index=tmp_path / "reports" / "index.html")  # fmt: skip
    assert re.search(r'<nav class="wsis-nav"><a href="\.\./index\.html"', page.read_text())


@pytest.mark.parametrize("charts", [True, False])
def test_print_rules_keep_charts_whole(tmp_path, charts):
    outputs = [_output(use_report_style())] + ([_output(_chart())] if charts else [])
    text = export_html(_page(*outputs), tmp_path / "p.html").read_text()
    assert "@media print" in text and "break-inside: avoid" in text
    assert ("beforeprint" in text) is charts, "charts are redrawn at the paper's width"


def test_the_templates_jupyterlab_stylesheets_are_replaced(tmp_path):
    text = export_html(_page(_table()), tmp_path / "p.html").read_text()
    head = text.split("</head>")[0]
    assert "--jp-" not in head, "JupyterLab's theme (~260 KB of CSS) is not shipped to readers"
    assert len(head) < 20_000
