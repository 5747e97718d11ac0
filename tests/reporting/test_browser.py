"""Exported reports opened in a real headless Chromium with the network blocked."""

from __future__ import annotations

import shutil

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
            "Debian's chromium is not on PATH: `apt-get install chromium` (.ci/run does this)"
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
    assert "<script>window.__pwned = 1</script>" in page.inner_text("body")
    assert requests == []
    assert not [p for p in problems if "pwned" in p]
