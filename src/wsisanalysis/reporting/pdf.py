"""PDF copies of the report pages, printed by the headless Chromium on PATH via Playwright.

Browsers cannot be downloaded where reports are made, so Playwright is pointed at the system's
Chromium (``executable_path``) instead of its own build. Pages are laid out at the printable
width of an A4 sheet before printing, so charts are drawn to fit the paper rather than clipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wsisanalysis.errors import WsisAnalysisError

#: A4 width (210 mm) less two 12 mm margins, in CSS pixels (96 per inch).
PRINT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
_LOCAL = ("file:", "data:", "about:", "blob:")


class PdfError(WsisAnalysisError):
    """Raised when PDFs cannot be printed: Playwright or Chromium missing, or a page fails."""


def find_chromium() -> str:
    """The Chromium to print with: ``$WSISANALYSIS_CHROMIUM``, else the first on PATH.

    Raises
    ------
    PdfError
        When Playwright's Python package is not installed or no Chromium is found.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        msg = (
            "--pdf needs Playwright's Python package, which is not installed. Install the "
            "optional extra: pip install 'wsisanalysis[pdf]' (browsers are not downloaded: "
            "the system's Chromium is used)."
        )
        raise PdfError(msg) from None
    configured = os.environ.get("WSISANALYSIS_CHROMIUM")
    found = shutil.which(configured) if configured else None
    found = found or next((p for p in map(shutil.which, _CHROMIUM_NAMES) if p), None)
    if found is None:
        names = ", ".join(_CHROMIUM_NAMES)
        msg = (
            f"--pdf needs a headless Chromium, but none was found on PATH (looked for {names}"
            + (f" and WSISANALYSIS_CHROMIUM={configured!r}" if configured else "")
            + "). Install it (Debian/Ubuntu: apt-get install chromium) or set "
            "WSISANALYSIS_CHROMIUM to its path."
        )
        raise PdfError(msg)
    return found


def _print_page(browser, page_path: Path) -> Path:
    page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
    # a report opens offline; printing it must not reach the network either
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(_LOCAL) else r.abort())
    page.goto(page_path.resolve().as_uri())
    page.wait_for_load_state("load")
    charts = page.locator(".js-plotly-plot").count()
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=30000,
        )
    page.emulate_media(media="print")
    pdf = page_path.with_suffix(".pdf")
    tmp = pdf.with_suffix(".pdf.tmp")
    page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True,
             margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"})  # fmt: skip
    page.close()
    tmp.replace(pdf)
    return pdf


def _print_all(pages: Sequence[str | Path], executable: str) -> list[Path]:
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=_ARGS)
            try:
                return [_print_page(browser, Path(page)) for page in pages]
            finally:
                browser.close()
    except Error as exc:
        msg = (
            f"printing PDFs with {executable} failed: {exc}. Check that it starts headless: "
            f"{executable} --headless --no-sandbox --dump-dom about:blank"
        )
        raise PdfError(msg) from None


def write_pdfs(pages: Sequence[str | Path], *, chromium: str | None = None) -> list[Path]:
    """Print each HTML page to a PDF beside it (``page.html`` -> ``page.pdf``); return the PDFs.

    Playwright's synchronous API refuses to run inside an asyncio loop (a Jupyter kernel, or a
    caller already driving a browser), so the printing runs in a thread of its own.
    """
    executable = chromium or find_chromium()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_all, pages, executable).result()
