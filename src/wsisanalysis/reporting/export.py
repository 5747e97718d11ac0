"""Executed notebook -> one self-contained HTML file for readers (code hidden, no network)."""

from __future__ import annotations

import re
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

_STYLE = """
<style>
  body { max-width: 1100px; margin: 0 auto; }
  table.wsis-table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
  table.wsis-table caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
  .jp-RenderedHTMLCommon table.wsis-table th, .jp-RenderedHTMLCommon table.wsis-table td,
  table.wsis-table th, table.wsis-table td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
  table.wsis-table th { background: #f3f5f8; }
  figure figcaption { font-size: 0.85em; color: #444; margin: 0.2em 0 1em; }
  .wsis-source { background: #fff8e1; border-left: 4px solid #E69F00; padding: 0.5em 0.8em; }
</style>
"""


def export_html(notebook: str | Path | nbformat.NotebookNode, path: str | Path, *, title: str | None = None,
                hide_code: bool = True) -> Path:  # fmt: skip
    """Export an executed notebook to HTML at `path` (written atomically).

    Code cells are hidden (``hide_code``), cells tagged ``remove-cell`` are dropped and inputs
    tagged ``hide-input`` are hidden; remote scripts and stylesheets the template would load
    are removed so the page opens offline.
    """
    nb = (
        notebook
        if isinstance(notebook, nbformat.NotebookNode)
        else nbformat.read(str(notebook), as_version=4)
    )
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
    exporter = HTMLExporter(config=config, template_name="lab")
    resources = {"metadata": {"name": title or nb.metadata.get("title") or Path(str(path)).stem}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _MATHJAX_CONFIG.sub("", body)
    body = _MERMAID.sub("", body)
    body = _REMOTE_SCRIPT.sub("", body)
    body = _REMOTE_LINK.sub("", body)
    body = body.replace("</head>", _STYLE + "</head>", 1)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    return out
