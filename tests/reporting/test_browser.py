"""Exported reports opened in a real headless Chromium with the network blocked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

LOCAL = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not on PATH: `make test` installs it as root, or run "
            "`sudo apt-get install chromium`"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests, problems = [], []
    page.on(
        "console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, problems


def test_every_report_renders_offline(browser, report_project):
    pages = sorted((report_project / "reports" / "html").glob("*.html"))
    assert len(pages) >= 5
    for path in pages:
        page, requests, problems = _open(browser, path)
        declared = page.locator("figure[role=img]").count()
        if declared:
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {declared}",
                timeout=15000,
            )
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot')).filter(d => d.querySelector('.main-svg') && (d.querySelectorAll('.point, .trace, .choroplethlocation, .hm, path.js-line').length > 0)).length"
        )
        assert drawn == declared, f"{path.name}: {drawn} of {declared} figures drew"
        if "20-regional" in path.name:
            assert page.locator(".geo .choroplethlocation").count() > 100, (
                "the world map draws its countries"
            )
        for figure in page.locator("figure[role=img]").all():
            assert figure.get_attribute("aria-label"), "every figure has a text alternative"
        assert requests == [], f"{path.name} tried the network: {requests[:3]}"
        assert problems == [], f"{path.name}: {problems[:3]}"
        page.close()


def test_index_page_links_every_snapshot(browser, report_project):
    page, requests, problems = _open(browser, report_project / "reports" / "index.html")
    links = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(link.startswith("html/") for link in links)
    assert len(links) == len(list((report_project / "reports" / "html").glob("*.html")))
    assert requests == [] and problems == []


def test_script_in_user_text_is_shown_not_run(browser, tmp_path):
    import papermill
    from helpers import ROOT

    from wsisanalysis.clean import clean_files
    from wsisanalysis.reporting import export_html

    payload = "<script>window.__pwned = 1</script>"
    export = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "email": ["a@example.org", "b@example.org"],
            "event": ["ICANN82", "ICANN82"],
            "organisation": [payload + " Org", '<img src=x onerror="window.__pwned = 2">'],
            # markup-only labels are blank since issue #12, so the payload comes with text
            "country": [payload + " Atlantis", '<img src=x onerror="window.__pwned = 3">'],
            "stakeholder group": [payload + " Guild", "CSO"],
        }
    ).to_csv(export, index=False)
    clean_files([export], "participation", tmp_path / "clean")
    executed = tmp_path / "dq.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "10-data-quality.ipynb"), str(executed),
                               parameters={"data_dir": str(tmp_path / "clean")}, kernel_name="python3", progress_bar=False)  # fmt: skip
    html = export_html(executed, tmp_path / "dq.html")
    page, requests, problems = _open(browser, html)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # the cleaner strips tags from labels (#12); whatever text is left is text, never an element
    assert page.locator("script", has_text="__pwned").count() == 0
    assert page.locator("img[onerror]").count() == 0
    assert requests == []
    assert not [p for p in problems if "pwned" in p]


def test_index_groups_pages_by_series_with_marks_and_every_page_links_back(
    browser, report_project
):
    index = report_project / "reports" / "index.html"
    page, requests, problems = _open(browser, index)
    headings = page.locator("section.series h2").all_inner_texts()
    assert headings == ["Published benchmarks", "Demo: synthetic data"], headings
    demo = page.locator("section.series").nth(1)
    entries = demo.locator("ul.pages > li")
    assert entries.count() == 6
    assert demo.locator(".mark.synthetic").count() == 6, "every demo page is marked synthetic"
    published = page.locator("section.series").nth(0)
    assert published.locator(".mark").inner_text() == "published figures"
    for entry in entries.all():
        text = entry.inner_text()
        assert re.search(r"data from \d{1,2} [A-Z][a-z]+ \d{4}", text), text
        assert re.search(r"up to date — made \d{1,2} [A-Z][a-z]+ \d{4}", text), text
        assert entry.locator("p.description").inner_text().strip(), "a one-line description"
        assert "{" not in text and "=" not in text, "no Python-style parameters"
    hrefs = page.locator("ul.pages h3 > a:first-child").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) == 7
    assert requests == [] and problems == []
    page.close()
    for href in hrefs:
        report, requests, problems = _open(browser, Path(href.removeprefix("file://")))
        back = report.locator("nav.wsis-nav a")
        assert back.inner_text() == "← All reports"
        back.click()
        report.wait_for_load_state("load")
        assert report.url == index.as_uri(), f"{href}: the link back leads to the index"
        assert requests == []
        report.close()


def test_a_page_without_charts_carries_no_plotly_and_is_light(report_project):
    for path in (report_project / "reports" / "html").glob("10-data-quality__*.html"):
        text = path.read_text()
        assert "* plotly.js v" not in text and "Plotly.newPlot" not in text
        assert path.stat().st_size < 300_000, f"{path.name}: {path.stat().st_size} bytes"
    for path in (report_project / "reports" / "html").glob("[2-5]*.html"):
        assert path.read_text().count("* plotly.js v") == 1, "charts: plotly.js inline, once"
        assert path.stat().st_size < 5 * 1024 * 1024, f"{path.name}: {path.stat().st_size} bytes"


def _chart_titles(browser, path):
    page, _requests, _problems = _open(browser, path)
    charts = page.locator(".js-plotly-plot").count()
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=15000,
        )
    titles = page.locator(".js-plotly-plot .gtitle").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    page.close()
    assert len(titles) == charts, f"{path.name}: every chart has a title to look for"
    return titles


def test_pdf_holds_every_chart_and_the_map(browser, report_project, tmp_path):
    """`report --pdf` prints each page with the Chromium on PATH; on paper every chart keeps its
    title and axes text, and the map its countries (thousands of drawn line segments)."""
    import shutil

    import pypdf

    from wsisanalysis.reporting.pdf import write_pdfs

    html_dir = tmp_path / "html"
    shutil.copytree(report_project / "reports" / "html", html_dir)
    pages = sorted(html_dir.glob("*.html"))
    pdfs = write_pdfs(pages)
    assert [p.with_suffix(".html") for p in pdfs] == pages
    for page, pdf in zip(pages, pdfs, strict=True):
        reader = pypdf.PdfReader(pdf)
        assert 1 <= len(reader.pages) <= 20, f"{pdf.name}: {len(reader.pages)} pages"
        texts = [" ".join(p.extract_text().split()) for p in reader.pages]
        for title in _chart_titles(browser, page):
            assert " ".join(title.split()) in " ".join(texts), (
                f"{pdf.name}: chart {title!r} missing"
            )
        if "20-regional" in page.name:
            on_map = [i for i, t in enumerate(texts) if "Participants by country" in t]
            assert on_map, f"{pdf.name}: the map's title is not printed"
            drawn = reader.pages[on_map[0]].get_contents().get_data()
            assert len(re.findall(rb" l\n", drawn)) > 10_000, (
                f"{pdf.name}: the map's countries are not drawn"
            )


# how far each chart's drawing reaches past the sheet's printable width (it would be clipped)
FIT_CHECK = """() => Array.from(document.querySelectorAll('.js-plotly-plot svg.main-svg')).map(s =>
    Math.max(0, Math.round(s.getBoundingClientRect().right - document.body.getBoundingClientRect().right)))"""


def test_printing_from_a_wide_screen_keeps_every_chart_on_the_paper(browser, report_project):
    """A reader prints a page laid out at 1200 px: before printing, every chart is scaled to the
    sheet's printable width (A4 less margins) instead of being clipped at its right edge."""
    from wsisanalysis.reporting.pdf import PRINT_WIDTH_PX

    for path in sorted((report_project / "reports" / "html").glob("[2-5]*.html")):
        page, _requests, problems = _open(browser, path)
        charts = page.locator(".js-plotly-plot").count()
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=15000,
        )
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        # the sheet's width, without the window resize event plotly would redraw on (printing
        # sends none)
        page.evaluate(f"document.body.style.width = '{PRINT_WIDTH_PX}px'")
        overflow = page.evaluate(FIT_CHECK)
        assert len(overflow) >= charts and max(overflow) == 0, (
            f"{path.name}: clipped by {overflow}"
        )
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.emulate_media(media="screen")
        assert page.locator(".wsis-print-fit").count() == 0, "after printing the page is as it was"
        assert problems == []
        page.close()


def test_the_trend_page_draws_every_series_with_the_milestones_offline(browser, report_project):
    path = report_project / "reports" / "html" / "60-trends__demo.html"
    page, requests, problems = _open(browser, path)
    declared = page.locator("figure[role=img]").count()
    assert declared == 4, "shares and ratios per event, ICANN meetings, IGF years"
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {declared}",
        timeout=15000,
    )
    lines = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.querySelectorAll('path.js-line').length)"
    )
    assert all(n > 0 for n in lines), f"a trend drew no line: {lines}"
    assert page.get_by_text("WSIS+20 milestone").count() >= declared  # marked on every chart
    assert requests == [] and problems == [], (requests[:3], problems[:3])
