"""Exported reports opened in a real headless Chromium with the network blocked."""

from __future__ import annotations

import re
import shutil
import unicodedata
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
    pages = [link for link in links if link.startswith("html/")]
    assert all(link.startswith(("html/", "snapshots/")) for link in links), links
    assert len(pages) == len(list((report_project / "reports" / "html").glob("*.html")))
    assert all((report_project / "reports" / link).is_file() for link in links)  # none dangling
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
    demo_runs = [
        p for p in (report_project / "reports" / "html").glob("*.html") if "__demo" in p.stem
    ]
    assert entries.count() == len(demo_runs) == 7  # 10 (two), 20 (two), 30, 40, 60
    assert demo.locator(".mark.synthetic").count() == 7, "every demo page is marked synthetic"
    published = page.locator("section.series").nth(0)
    assert published.locator(".mark").inner_text() == "published figures"
    for entry in entries.all():
        text = entry.inner_text()
        assert re.search(r"data from \d{1,2} [A-Z][a-z]+ \d{4}", text), text
        assert re.search(r"up to date — made \d{1,2} [A-Z][a-z]+ \d{4}", text), text
        assert entry.locator("p.description").inner_text().strip(), "a one-line description"
        assert "{" not in text and "=" not in text, "no Python-style parameters"
    hrefs = page.locator("ul.pages h3 > a:first-child").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) == 8
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
        assert path.stat().st_size < 5_000_000, f"{path.name}: {path.stat().st_size} bytes"


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
    # participants per event, ICANN meetings, IGF years; and the ratios per event unless the
    # guard hides every one (then a sentence says so instead of an empty frame)
    no_ratios = page.get_by_text("No chart of the representation ratios").count()
    assert declared == 4 - no_ratios, declared
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


# --- what a reader reads: plain words, readable charts, hidden cells marked, usable tables -----

#: visible text without the run details (parameters spelled as a rerun needs them) and code
READER_TEXT = """() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll('code, details, script, style').forEach(e => e.remove());
    body.querySelectorAll('table').forEach(t => {
        const c = t.querySelector('caption');
        if (c && c.textContent.trim() === 'Run details') t.remove();
    });
    const words = [], walk = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) words.push(walk.currentNode.textContent);
    const svg = Array.from(document.querySelectorAll('svg text')).map(t => t.textContent);
    return words.concat(svg).join('\\n');
}"""
CODE_WORDS = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b(?:True|False)\b|00:00:00")
#: how cells read in columns of counts, shares and dates (hidden: "suppressed"; missing: "–")
CELL_FORMATS = {
    re.compile(r"Participants|Rows|Activities|Countries (listed|present)"): re.compile(
        r"\d{1,3}(,\d{3})*"
    ),
    re.compile(
        r"Share of (participants|activities)|Share, (lower|upper) bound \(95%\)|Baseline share|Share \(%\)"
    ): re.compile(r"\d{1,3}\.\d%?"),
    # a day, or a month where only the month is known (ICANN meetings): never "1 Mar 2021"
    re.compile(r"Date"): re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]+ \d{4}"),
}
CELLS = """() => Array.from(document.querySelectorAll('table')).flatMap(t => {
    const heads = Array.from(t.querySelectorAll('thead th, tr:first-child > th')).map(h => h.textContent.trim());
    return Array.from(t.querySelectorAll('tbody tr')).flatMap(r =>
        Array.from(r.cells).map((c, i) => [heads[i] || '', c.textContent.trim()]));
})"""

#: per chart and axis, pairs of tick labels whose boxes overlap (more than 1 px each way)
TICK_OVERLAPS = r"""() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot => {
    const axes = {};
    plot.querySelectorAll('g.xtick > text, g.ytick > text').forEach(t => {
        const g = t.parentNode, key = g.parentNode.getAttribute('class') + g.getAttribute('class');
        const turn = /rotate\(([-0-9.]+)/.exec(t.getAttribute('transform') || '');
        if (t.textContent.trim()) (axes[key] = axes[key] || []).push([t.textContent, t.getBoundingClientRect(),
            turn ? parseFloat(turn[1]) * Math.PI / 180 : 0, parseFloat(getComputedStyle(t).fontSize)]);
    });
    const out = [];
    for (const boxes of Object.values(axes))
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p, turn, size] = boxes[i], [b, q] = boxes[j];
            const boxes_meet = p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1;
            // labels set at an angle are parallel lines of text: they meet when their baselines
            // are closer than a line of text (their upright boxes overlap long before that)
            const dx = (q.left + q.right - p.left - p.right) / 2, dy = (q.top + q.bottom - p.top - p.bottom) / 2;
            const apart = Math.abs(dx * Math.sin(turn) - dy * Math.cos(turn));
            if (boxes_meet && (turn === 0 || apart < size - 1)) out.push(a + ' / ' + b);
        }
    return out;
})"""

#: charts whose data hides a value, and whether the drawing says "suppressed" where it does
HIDDEN_MARKED = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => {
    const hides = plot.data.some(t => [t.text, t.customdata, t.name].flat().includes('suppressed'));
    // a mark a reader can see, across or upright: letters at least 8 px high, a word at least
    // 20 px long (plotly shrinks a bar's label to fit the bar)
    const says = Array.from(plot.querySelectorAll('svg text')).some(t => {
        const r = t.getBoundingClientRect();
        return t.textContent.includes('suppressed') && Math.min(r.width, r.height) >= 8 && Math.max(r.width, r.height) >= 20;
    });
    return [plot.layout.title.text, hides, says];
})"""


def _drawn(browser, path):
    page, requests, problems = _open(browser, path)
    charts = page.locator("figure[role=img]").count()
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=15000,
        )
    return page, requests, problems


def reader_problems(page) -> list[str]:
    """Code names, True/False, decimals on counts, midnight times and overlapping tick labels,
    and charts that hide a value without saying so, on one opened page."""
    found = [f"text: {m}" for m in sorted(set(CODE_WORDS.findall(page.evaluate(READER_TEXT))))]
    found += [f"ticks overlap: {pair}" for pair in page.evaluate(TICK_OVERLAPS)]
    for head, text in page.evaluate(CELLS):
        for column, form in CELL_FORMATS.items():
            if (
                column.fullmatch(head)
                and text not in ("suppressed", "–")
                and not form.fullmatch(text)
            ):
                found.append(f"{head}: {text!r}")
    found += [f"chart {t!r} hides a value without marking it" for t, hides, says in page.evaluate(HIDDEN_MARKED)
              if hides and not says]  # fmt: skip
    return found


def test_every_page_reads_in_plain_words_with_readable_charts_and_hidden_cells_marked(
    browser, report_project
):
    pages = sorted((report_project / "reports" / "html").glob("*.html"))
    problems = {}
    for path in pages:
        page, _requests, _problems = _drawn(browser, path)
        problems[path.name] = reader_problems(page)
        if page.locator("td", has_text="suppressed").count() == 0 and "20-regional" in path.name:
            problems[path.name].append("no table marks a hidden cell")
        page.close()
    assert not any(problems.values()), {k: v[:8] for k, v in problems.items() if v}


def _column(page, table, index):
    return table.locator("tbody tr").evaluate_all(
        f"rows => rows.map(r => r.cells[{index}]).map(c => c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent)"
    )


def _numeric_order(values):
    numbers = [
        float(v.replace(",", "").rstrip("%")) for v in values if v not in ("", "suppressed", "–")
    ]
    tail = values[len(numbers) :]
    return numbers, tail


def check_sort_search_download(page, tmp_path) -> None:
    """The country table under the map sorts by a click, searches, and downloads every row."""
    import csv

    box = page.locator(
        ".wsis-interactive", has=page.locator("caption", has_text="Participants per country")
    )
    table = box.locator("table")
    heads = table.locator("thead th").all_inner_texts()
    index = heads.index("Participants")
    rows = table.locator("tbody tr").count()
    assert rows > 15 and box.locator(".wsis-count").inner_text() == f"{rows} rows"
    table.locator("thead th").nth(index).click()
    numbers, tail = _numeric_order(_column(page, table, index))
    assert numbers == sorted(numbers) and set(tail) <= {"suppressed", "", "–"}, (
        "ascending, hidden last"
    )
    assert len(numbers) + len(tail) == rows
    table.locator("thead th").nth(index).click()
    numbers, _tail = _numeric_order(_column(page, table, index))
    assert numbers == sorted(numbers, reverse=True), "a second click sorts descending"
    table.locator("thead th").nth(0).click()
    initials = [unicodedata.normalize("NFKD", n)[:1].upper() for n in _column(page, table, 0)]
    assert initials == sorted(initials), "names sort alphabetically"
    assert table.locator("thead th").nth(0).get_attribute("aria-sort") == "ascending"
    box.locator("input").fill("africa")
    shown = table.locator("tbody tr:visible")
    assert 0 < shown.count() < rows
    assert all("africa" in t.lower() for t in shown.all_inner_texts())
    assert box.locator(".wsis-count").inner_text() == f"{shown.count()} of {rows} rows"
    published = [table.locator("thead th").all_inner_texts()] + [
        [c.get_attribute("data-v") if c.get_attribute("data-v") is not None else c.inner_text()
         for c in r.locator("td").all()]
        for r in table.locator("tbody tr").all()
    ]  # fmt: skip
    with page.expect_download() as info:
        box.locator("button", has_text="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        got = list(csv.reader(handle))
    assert got == published, (
        "the download holds every published row (search filters none), as shown"
    )
    assert any("suppressed" in row for row in got[1:]), "hidden cells read suppressed"


def test_long_tables_sort_search_and_download_exactly_what_is_published(
    browser, report_project, tmp_path
):
    for path in sorted((report_project / "reports" / "html").glob("20-regional*.html")):
        page, requests, problems = _open(browser, path)
        check_sort_search_download(page, tmp_path)
        assert requests == [] and problems == []
        page.close()
    for path in sorted((report_project / "reports" / "html").glob("*.html")):
        text = path.read_text()
        # the table script comes with a long table only: a page of short tables carries none
        assert text.count('<div class="wsis-interactive"') == text.count(
            "window.wsisTable=function"
        ), path.name
        short = re.findall(
            r'<table class="wsis-table">(?:(?!</table>).)*</table>', text, flags=re.DOTALL
        )
        for table in short:
            if table.count("<tr>") - 1 <= 15:
                assert f'<div class="wsis-scroll">{table}' not in text, (
                    f"{path.name}: a short table made sortable"
                )


def test_table_text_stays_text_and_a_formula_is_neutralised_in_the_download(browser, tmp_path):
    import csv

    from wsisanalysis.reporting import html_table

    rows = ["<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">',
            "=HYPERLINK(\"http://x\")", "+1 (555)", "plain"] * 4  # fmt: skip
    frame = pd.DataFrame({"organisation": rows, "count": range(1000, 1000 + len(rows))})
    path = tmp_path / "table.html"
    path.write_text(
        f"<!doctype html><meta charset=utf-8><body>{html_table(frame, caption='Orgs').markup}</body>"
    )
    page, requests, problems = _open(browser, path)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("td", has_text="<script>").count() == 4, "shown as text"
    with page.expect_download() as info:
        page.locator("button", has_text="Download CSV").click()
    target = tmp_path / "orgs.csv"
    info.value.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        got = list(csv.reader(handle))
    assert got[0] == ["Organisation", "Participants"] and len(got) == 21
    assert got[3] == ['\'=HYPERLINK("http://x")', "1002"] and got[4][0] == "'+1 (555)"
    assert got[1][0] == rows[0], "text downloads as it reads"
    assert requests == [] and problems == []
