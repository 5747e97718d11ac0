"""The index page readers start from, and the facts about each page it lists.

Each page is listed with its title, a one-line description, its scope in words, the period its
data covers and the day it was made, a mark for synthetic or real data, and its status; pages
are grouped by series: the synthetic demo, each event of real data, the published benchmarks.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nbformat

from wsisanalysis._version import __version__
from wsisanalysis.errors import InputFileError
from wsisanalysis.reporting import history
from wsisanalysis.reporting.runs import literal_default, notebook_parameters, resolve_data_dir
from wsisanalysis.schema import display_label

DEMO_PREFIX = "DEMO_"
SERIES_DEMO = "Demo: synthetic data"
SERIES_PUBLISHED = "Published benchmarks"
_SCOPE_WORDS = {
    "kind": "records",
    "event": "event",
    "host_country": "host country",
    "baseline": "baseline",
    "meeting": "ICANN meeting",
    "igf_year": "IGF year",
    "freq": "period",
    "since": "milestones since",
}
_FREQ = {"MS": "month", "W-MON": "week"}


def notebook_intro(notebook: str | Path) -> tuple[str, str]:
    """The notebook's title template (``metadata.title``, else its first ``#`` heading, else
    its file name) and the first sentence of its first markdown paragraph."""
    nb = nbformat.read(str(notebook), as_version=4)
    title = str(nb.metadata.get("title") or "")
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.strip() or cell.source.startswith("##"):
            continue  # a section's heading is no description of the page
        heading = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
        title = title or (heading.group(1).strip() if heading else "")
        rest = cell.source[heading.end() :] if heading else cell.source
        paragraph = " ".join(rest.strip().split("\n\n")[0].split())
        sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
        return title or Path(notebook).stem, sentence
    return title or Path(notebook).stem, ""


def _scope_value(name: str, value: object) -> str:
    if name == "event":
        return "all events" if value == "all" else str(value)
    if name == "freq":
        return _FREQ.get(str(value), str(value))
    return display_label(value)


def scope(parameters: Mapping[str, object]) -> str:
    """The run's parameters in words.

    >>> scope({"data_dir": "x", "event": "all", "host_country": "NO", "baseline": "un_members"})
    'event: all events; host country (NO) left out of the regional comparisons; baseline: un members'
    """
    parts = []
    for name, value in parameters.items():
        if name not in _SCOPE_WORDS or value in ("", None):
            continue
        if name == "host_country":
            parts.append(f"host country ({value}) left out of the regional comparisons")
        else:
            parts.append(f"{_SCOPE_WORDS[name]}: {_scope_value(name, value)}")
    return "; ".join(parts)


_LOADS = re.compile(r"load_clean\(\s*data_dir\s*,\s*[\"'](\w+)[\"']")


def _kind(notebook: Path, parameters: Mapping[str, object]) -> str:
    """Which clean table the page reads: its ``kind`` parameter, else the one it loads."""
    if parameters.get("kind"):
        return str(parameters["kind"])
    source = "\n".join(c.source for c in nbformat.read(str(notebook), as_version=4).cells)
    found = _LOADS.search(source)
    return found.group(1) if found else "participation"


def _read_facts(path: Path, event: str) -> dict[str, object]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    present = set(pq.ParquetFile(path).schema_arrow.names)
    table = pq.read_table(path, columns=[c for c in ("source", "date", "event") if c in present])
    if "event" in present and event not in ("", "all"):
        table = table.filter(pc.equal(table["event"].cast("string"), event))
    sources = (
        [str(s) for s in pc.unique(table["source"].cast("string")).to_pylist()]
        if "source" in present
        else []
    )
    facts: dict[str, object] = {
        "synthetic": bool(sources) and all(s.startswith(DEMO_PREFIX) for s in sources)
    }
    if "date" in present and table.num_rows:
        span = pc.min_max(table["date"])
        facts["first_date"] = _day(span["min"].as_py())
        facts["last_date"] = _day(span["max"].as_py())
    if "event" in present:
        facts["events"] = sorted(str(e) for e in pc.unique(table["event"]).to_pylist() if e)
    return facts


def data_facts(notebook: Path, parameters: Mapping[str, object], root: Path) -> dict[str, object]:
    """Whether a run's data is synthetic, the period it covers and its events (from Parquet).

    ``synthetic`` is None when the data cannot be found or read (the run itself then fails and
    says why); pages without ``data_dir`` show published figures.
    """
    if "data_dir" not in parameters:
        return {"synthetic": False, "published": True}
    try:
        folder = resolve_data_dir(str(parameters["data_dir"]), cwd=root)
        path = folder / f"{_kind(notebook, parameters)}.parquet"
        return _read_facts(path, str(parameters.get("event", "all")))
    except (InputFileError, OSError, ValueError):  # pyarrow's errors derive from these
        return {"synthetic": None}


def _day(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else None


def page_facts(notebook: Path, parameters: Mapping[str, object], root: Path) -> dict[str, object]:
    """What the index says about a page: title, description, scope and data facts."""
    from wsisanalysis.reporting.headline import page_title

    template, description = notebook_intro(notebook)
    declared = notebook_parameters(notebook)
    effective = {name: literal_default(info.get("default")) for name, info in declared.items()}
    effective.update(parameters)
    return {"title": page_title(template, **effective), "description": description, "scope": scope(effective),
            "data": data_facts(notebook, effective, root)}  # fmt: skip


def _long_date(iso: str | None) -> str:
    """``2025-03-10`` -> ``10 March 2025`` (the form readers use)."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def _period(data: Mapping[str, Any]) -> str:
    first = _long_date(str(data.get("first_date") or ""))
    last = _long_date(str(data.get("last_date") or ""))
    if not first:
        return ""
    return first if first == last else f"{first} – {last}"


def series(manifest: Mapping[str, Any]) -> str:
    """The series a page belongs to: the demo, one event (or all events) of real data, published."""
    data = manifest.get("data") or {}
    if data.get("published"):
        return SERIES_PUBLISHED
    if data.get("synthetic"):
        return SERIES_DEMO
    params = manifest.get("parameters") or {}
    event = str(params.get("event", "all") or "all")
    events = list(data.get("events") or [])
    if event == "all" and len(events) == 1:
        event = events[0]
    return f"Event: {event}" if event != "all" else "All events"


def _mark(data: Mapping[str, Any]) -> str:
    if data.get("published"):
        return '<span class="mark real">published figures</span>'
    if data.get("synthetic"):
        return '<span class="mark synthetic">synthetic demo data</span>'
    if data.get("synthetic") is None:
        return '<span class="mark unknown">data not found</span>'
    return '<span class="mark real">real data</span>'


def _status(m: Mapping[str, Any]) -> str:
    made = _long_date(str(m.get("started_utc", "")))
    if m.get("status") == "ok":
        return f'<span class="status ok">up to date</span> — made {made}'
    error = html.escape(str(m.get("error", "")))
    if m.get("html") and m.get("last_success_utc"):
        last = _long_date(str(m["last_success_utc"]))
        return f'<span class="status failed">failed on {made}</span>: {error}. Showing the last good page, made {last}.'
    return f'<span class="status failed">failed on {made}</span>: {error}. No page yet; the executed notebook is kept at <code>{html.escape(str(m.get("executed_notebook", "")))}</code>.'


def _when(iso: str) -> str:
    """``2026-11-23T06:00:05+00:00`` -> ``23 November 2026, 06:00 UTC``."""
    stamp = datetime.fromisoformat(iso).astimezone(UTC)
    return f"{stamp.day} {stamp:%B %Y, %H:%M} UTC"


def run_history(entries: list[dict[str, Any]], out_dir: Path) -> str:
    """One run's history, newest first: each snapshot by date with its status (a link while
    the snapshot is kept), so a failed week shows beside the good ones."""
    items = []
    for entry in sorted(entries, key=lambda e: str(e.get("started_utc", "")), reverse=True):
        when = html.escape(_when(str(entry.get("started_utc"))))
        if entry.get("status") != "ok":
            error = html.escape(str(entry.get("error", ""))[:160])
            items.append(f'<li class="run-failed" title="{error}">{when}: failed</li>')
            continue
        folder = history.snapshot_of(out_dir, entry)
        page = (
            f"{history.SNAPSHOTS}/{folder.relative_to(out_dir / history.SNAPSHOTS).as_posix()}/{history.PAGE}"
            if folder
            else None
        )
        items.append(f'<li class="run-ok">{_kept(when, page, entry)}: ok</li>')
    if not items:
        return ""
    failed = sum(1 for e in entries if e.get("status") != "ok")
    return (f'<details class="history"{" open" if failed else ""}><summary>History: {len(items)} run(s), '
            f'{failed} failed</summary><ol class="history">{"".join(items)}</ol></details>')  # fmt: skip


def _kept(when: str, page: str | None, entry: Mapping[str, Any]) -> str:
    """A good run's date: a link to its snapshot, or why there is none (never kept, or
    deleted by the retention setting)."""
    if page:
        return f'<a href="{html.escape(page)}">{when}</a>'
    if entry.get("snapshot_error"):
        why = html.escape(str(entry["snapshot_error"])[:160])
        return f'<span title="{why}">{when} (no snapshot kept: the page was written, its copy failed)</span>'
    return f"{when} (no longer kept)"


def _entry(m: Mapping[str, Any], out_dir: Path, past: list[dict[str, Any]] | None = None) -> str:
    title = html.escape(str(m.get("title") or m.get("run")))
    link = f'<a href="{html.escape(str(m["html"]))}">{title}</a>' if m.get("html") else title
    pdf = Path(str(m["html"])).with_suffix(".pdf") if m.get("html") else None
    if pdf is not None and (out_dir / pdf).is_file():
        link += f' <a class="pdf" href="{html.escape(pdf.as_posix())}">PDF</a>'
    data = m.get("data") or {}
    period = _period(data)
    details = [html.escape(str(m.get("scope") or "")), f"data from {period}" if period else ""]
    return (
        f'<li class="{html.escape(str(m.get("status", "")))}"><h3>{link} {_mark(data)}</h3>'
        f'<p class="description">{html.escape(str(m.get("description") or ""))}</p>'
        f'<p class="scope">{"; ".join(d for d in details if d)}</p>'
        f'<p class="state">{_status(m)} <small class="file">({html.escape(str(m.get("run")))})</small></p>'
        f"{run_history(past or [], out_dir)}</li>"
    )


_STYLE = """<style>
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.45;color:#1f2328}
h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}ul.pages{list-style:none;padding:0}
ul.pages li{margin:0 0 1.1em}ul.pages h3{font-size:1.05em;margin:0}ul.pages p{margin:.15em 0}
.description{color:#333}.scope,.state{font-size:.9em;color:#555}.file{color:#888}
.mark{font-size:.75em;font-weight:600;padding:.1em .45em;border-radius:.8em;margin-left:.4em;vertical-align:middle}
.mark.synthetic{background:#fff1c2;color:#6b4e00}.mark.real{background:#d8f0e3;color:#0b5a32}.mark.unknown{background:#eee;color:#444}
.status.ok{color:#0b5a32}.status.failed{color:#a4000f;font-weight:600}li.failed{background:#fdecea;padding:.3em .5em}
a.pdf{font-size:.8em;margin-left:.3em}details.history{font-size:.85em;color:#555}
ol.history{margin:.2em 0;padding-left:1.4em}ol.history li.run-failed{color:#a4000f;font-weight:600}
</style>"""


def _order(name: str) -> tuple[int, str]:
    return (2 if name == SERIES_DEMO else 1 if name == SERIES_PUBLISHED else 0, name)


def write_index(out_dir: Path) -> Path:
    """Regenerate ``index.html`` from every manifest in ``out_dir/manifests``, each page with
    its run's history (``history.jsonl``): snapshots by date and status."""
    manifests = [json.loads(p.read_text()) for p in sorted((out_dir / "manifests").glob("*.json"))]
    past: dict[str, list[dict[str, Any]]] = {}
    for entry in history.read_history(out_dir):
        past.setdefault(str(entry.get("run")), []).append(entry)
    groups: dict[str, list[str]] = {}
    for m in manifests:
        groups.setdefault(series(m), []).append(_entry(m, out_dir, past.get(str(m.get("run")))))
    sections = "".join(
        f'<section class="series"><h2>{html.escape(name)}</h2><ul class="pages">{"".join(groups[name])}</ul></section>'
        for name in sorted(groups, key=_order)
    )
    now = datetime.now(UTC)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WSIS+20 participation and engagement reports</title>{_STYLE}</head>
<body><h1>WSIS+20 participation and engagement reports</h1>
<p>Who took part in the WSIS+20 review on behalf of the ICANN community, from where and in which
stakeholder groups, against fair baselines. Pages marked <em>synthetic demo data</em> describe no
real participants. List updated {now.day} {now:%B %Y, %H:%M} UTC by wsisanalysis {__version__}.</p>
{sections or "<p>No reports yet: run <code>wsisanalysis report --all</code>.</p>"}
</body></html>
"""
    path = out_dir / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
