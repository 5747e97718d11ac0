"""Executed notebook -> one HTML page for readers (code hidden, no network, light, printable).

A page carries plotly.js only when it draws a chart: inline, once, so the file opens offline and
can be forwarded by e-mail; or, with ``shared_assets``, as one shared copy beside the pages that
every page loads by a relative link (for a web server). The JupyterLab stylesheets nbconvert's
``lab`` template inlines (~260 KB) are replaced by a small reader stylesheet with print rules,
so a page without charts stays small.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import uuid
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

# nbconvert's templates load require.js and MathJax from CDNs; reports need neither.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE
)
_REMOTE_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
# the lab template's mermaid loader imports from a CDN when a diagram is present; reports have none
_MERMAID = re.compile(
    r"<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*?</script>", re.DOTALL
)
_MATHJAX_CONFIG = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL
)
_HEAD_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL | re.IGNORECASE)
_PLOTLY_BANNER = "* plotly.js v"
_PLOTLY_SOURCE = re.compile(r"^\s*<script[^>]*>(.*)</script>\s*$", re.DOTALL)

_STYLE = """
<style>
  body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 15px;
         line-height: 1.5; color: #1f2328; max-width: 1100px; margin: 0 auto; padding: 0 1em 2em; }
  h1 { font-size: 1.8em; margin: 0.6em 0 0.4em; } h2 { font-size: 1.35em; margin: 1.4em 0 0.4em; }
  h3 { font-size: 1.1em; } a.anchor-link { display: none; }
  code { font-size: 0.9em; background: #f3f5f8; padding: 0 0.2em; border-radius: 3px; }
  pre { white-space: pre-wrap; overflow-x: auto; }
  .jp-Collapser, .jp-InputPrompt, .jp-OutputPrompt { display: none; }
  .jp-Cell { margin: 0; padding: 0; }
  .jp-OutputArea-output { overflow-x: auto; }
  .jp-RenderedText pre, .jp-OutputArea-output pre { background: #f6f8fa; padding: 0.4em 0.6em; }
  .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] pre { background: #fdecea; }
  table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left;
           vertical-align: top; }
  th { background: #f3f5f8; }
  caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
  figure { margin: 0; } figure figcaption { font-size: 0.85em; color: #444; margin: 0.2em 0 1em; }
  .wsis-source { background: #fff8e1; border-left: 4px solid #E69F00; padding: 0.5em 0.8em; }
  nav.wsis-nav { font-size: 0.9em; padding: 0.8em 0 0; }
  @page { size: A4; margin: 12mm; }
  @media print {
    * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
    nav.wsis-nav { display: none; }
    .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
    figure, .js-plotly-plot, tr, img, svg { break-inside: avoid; page-break-inside: avoid; }
    h1, h2, h3, caption { break-after: avoid; page-break-after: avoid; }
    .js-plotly-plot, .js-plotly-plot .plot-container { max-width: 100% !important; }
    .wsis-print-fit > svg.main-svg { width: 100% !important; height: 100% !important; }
    .modebar-container { display: none !important; }
  }
</style>
"""

# Charts are drawn at the screen's width, in pixels; printed on a narrower sheet they would be
# clipped at the right edge (plotly's own resize is asynchronous and comes too late for print).
# Before printing, each chart's SVG layers get a viewBox so they scale down to the sheet's width
# with their proportions; after printing the page is as it was.
_PRINT_SCRIPT = """
<script>(function () {
  function fit() {
    document.querySelectorAll('.js-plotly-plot .svg-container').forEach(function (box) {
      var svg = box.querySelector('svg.main-svg');
      var w = svg && parseFloat(svg.getAttribute('width'));
      var h = svg && parseFloat(svg.getAttribute('height'));
      if (!w || !h || box.classList.contains('wsis-print-fit')) { return; }
      box.dataset.wsisStyle = box.getAttribute('style') || '';
      box.style.setProperty('width', 'min(100%, ' + w + 'px)', 'important');
      box.style.setProperty('height', 'auto', 'important');
      box.style.setProperty('aspect-ratio', w + ' / ' + h);
      box.querySelectorAll('svg.main-svg').forEach(function (layer) {
        layer.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
      });
      box.classList.add('wsis-print-fit');
    });
  }
  function unfit() {
    document.querySelectorAll('.wsis-print-fit').forEach(function (box) {
      box.setAttribute('style', box.dataset.wsisStyle || '');
      box.querySelectorAll('svg.main-svg').forEach(function (layer) { layer.removeAttribute('viewBox'); });
      box.classList.remove('wsis-print-fit');
    });
  }
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', unfit);
  var query = window.matchMedia && window.matchMedia('print');
  if (query && query.addEventListener) {
    query.addEventListener('change', function (e) { if (e.matches) { fit(); } else { unfit(); } });
  }
})();</script>
"""


def _html_outputs(nb: nbformat.NotebookNode):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html")
            if text is not None:
                yield cell, output, text if isinstance(text, str) else "".join(text)


def _is_plotly_loader(markup: str) -> bool:
    return markup.lstrip().startswith("<script") and _PLOTLY_BANNER in markup[:300]


def has_charts(nb: nbformat.NotebookNode) -> bool:
    """True when an output draws a plotly chart."""
    return any("Plotly.newPlot" in text for _, _, text in _html_outputs(nb))


def write_plotly_asset(source: str, folder: Path) -> Path:
    """Write plotly.js once into `folder` under a name that changes with its content."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    path = folder / f"plotly-{digest}.min.js"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        # a name of this writer's own: parallel runs may write the same asset at the same time
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        tmp.write_text(source, encoding="utf-8")
        tmp.replace(path)
    return path


def _place_plotly(nb: nbformat.NotebookNode, page: Path, shared_assets: Path | None) -> bool:
    """Keep plotly.js once where a chart needs it, link the shared copy, or drop it."""
    charts = has_charts(nb)
    kept = False
    for cell, output, text in list(_html_outputs(nb)):
        if not _is_plotly_loader(text):
            continue
        if not charts or kept:
            cell.outputs.remove(output)
            continue
        kept = True
        if shared_assets is not None:
            match = _PLOTLY_SOURCE.match(text)
            asset = write_plotly_asset(match.group(1) if match else text, shared_assets)
            link = Path(os.path.relpath(asset, page.parent)).as_posix()
            output.data["text/html"] = f'<script type="text/javascript" src="{link}"></script>'
    return charts


# An opening tag, or a whole <script>/<style> element (whose body is code, never rewritten).
_TAG_OR_CODE = re.compile(
    r"(<(script|style)\b[^>]*>)(.*?)(</\2\s*>)|<[a-zA-Z][^>]*>", re.DOTALL | re.IGNORECASE
)
_LINK_ATTRIBUTE = re.compile(r"(\s(?:href|src)\s*=\s*)([\"'])(.*?)\2", re.IGNORECASE | re.DOTALL)
# A scheme (https:, data:, mailto:, ...), an anchor in the page, a server path or nothing.
_NOT_RELATIVE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|[#/?]|$)")
_URL_PARTS = re.compile(r"([^?#]*)([?#]?)(.*)", re.DOTALL)  # path, then a query or an anchor


def rebase_links(markup: str, source: Path, target: Path) -> str:
    """The page of folder `source`, its relative links rewritten to work from folder `target`.

    A page copied elsewhere (a dated snapshot) keeps its way back to the index, to the shared
    plotly.js and to other pages. Links with a scheme, anchors and server paths are kept.

    >>> rebase_links('<a href="../index.html">i</a>', Path("r/html"), Path("r/snapshots/x/t"))
    '<a href="../../../index.html">i</a>'
    """

    def link(attribute: re.Match[str]) -> str:
        value = attribute.group(3)
        if _NOT_RELATIVE.match(value):
            return attribute.group(0)
        path, mark, rest = _URL_PARTS.fullmatch(value).groups()  # type: ignore[union-attr]
        moved = Path(os.path.relpath(source / path, target)).as_posix()
        return f"{attribute.group(1)}{attribute.group(2)}{moved}{mark}{rest}{attribute.group(2)}"

    def tag(match: re.Match[str]) -> str:
        if match.group(1):  # a script or style element: its opening tag only
            return _LINK_ATTRIBUTE.sub(link, match.group(1)) + match.group(3) + match.group(4)
        return _LINK_ATTRIBUTE.sub(link, match.group(0))

    return _TAG_OR_CODE.sub(tag, markup)


def _config(hide_code: bool) -> Config:
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {
        "remove-cell",
        "parameters",
        "injected-parameters",
    }
    config.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    config.HTMLExporter.exclude_input = hide_code
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    return config


def _offline(markup: str) -> str:
    markup = _MERMAID.sub("", _MATHJAX_CONFIG.sub("", markup))
    return _REMOTE_LINK.sub("", _REMOTE_SCRIPT.sub("", markup))


def _reader_page(body: str, *, charts: bool, index: Path | None, page: Path) -> str:
    """Swap the template's head stylesheets for the reader's, drop remote loads, add the nav."""
    head, sep, rest = body.partition("</head>")
    head = _HEAD_STYLE.sub("", _offline(head)) + _STYLE + (_PRINT_SCRIPT if charts else "")
    rest = _offline(rest)
    if index is not None:
        link = Path(os.path.relpath(index, page.parent)).as_posix()
        nav = f'<nav class="wsis-nav"><a href="{link}" rel="index">← All reports</a></nav>'
        rest = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, rest, count=1)
    return head + sep + rest


def export_html(notebook: str | Path | nbformat.NotebookNode, path: str | Path, *, title: str | None = None,
                hide_code: bool = True, shared_assets: str | Path | None = None,
                index: str | Path | None = None) -> Path:  # fmt: skip
    """Export an executed notebook to HTML at `path` (written atomically).

    Code cells are hidden (``hide_code``), cells tagged ``remove-cell`` are dropped and inputs
    tagged ``hide-input`` are hidden; remote scripts and stylesheets the template would load
    are removed so the page opens offline. plotly.js stays only on a page that draws a chart:
    inline, or as a relative link to one copy in ``shared_assets`` when that folder is given.
    ``index`` adds a link back to the index page at the top.
    """
    nb = copy.deepcopy(
        notebook
        if isinstance(notebook, nbformat.NotebookNode)
        else nbformat.read(str(notebook), as_version=4)
    )
    out = Path(path)
    charts = _place_plotly(nb, out, Path(shared_assets) if shared_assets else None)
    exporter = HTMLExporter(config=_config(hide_code), template_name="lab")
    resources = {"metadata": {"name": title or nb.metadata.get("title") or out.stem}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    page = _reader_page(body, charts=charts, index=Path(index) if index else None, page=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
