"""Share definitions and community roll-ups (reporting.categories), and the page-level check
that every chart's numbers are its table's numbers."""

from __future__ import annotations

import html as htmllib
import json
import math
import re

import pandas as pd
import pytest
from helpers import decode_plotly

from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import guard
from wsisanalysis.reporting import known_shares, parents_only, publish_rollup, show_table
from wsisanalysis.reporting.categories import counting


def test_known_shares_leave_unknown_out_of_table_and_denominator():
    t = pd.DataFrame({"icann_region": ["AF", "EU", "unknown"], "count": [20, 60, 20], "total": [100] * 3,
                      "share": [0.2, 0.6, 0.2], "share_low": [0.1] * 3, "share_high": [0.3] * 3})  # fmt: skip
    out = known_shares(guard(t, "icann_region"), "icann_region").table
    assert out["icann_region"].tolist() == ["AF", "EU"]
    assert out["share"].tolist() == [0.25, 0.75]
    assert out["total"].tolist() == [80, 80]
    assert (out["share_low"] < out["share"]).all() and (out["share"] < out["share_high"]).all()


def test_known_shares_of_communities_leave_none_out():
    t = pd.DataFrame(
        {
            "community": ["GAC", "ccNSO", "none", "unknown"],
            "count": [30, 10, 50, 10],
            "total": [100] * 4,
        }
    )
    out = known_shares(guard(t, "community"), "community").table
    assert out["community"].tolist() == ["GAC", "ccNSO"] and out["share"].tolist() == [0.75, 0.25]


def test_a_hidden_count_stays_hidden_and_a_denominator_that_is_not_derivable_hides_every_share():
    t = pd.DataFrame(
        {"icann_region": ["AF", "EU", "NA", "unknown"], "count": [2, 60, 30, 3], "total": [95] * 4}
    )
    published = guard(t, "icann_region")
    out = known_shares(published, "icann_region")
    assert out.table["count"].isna().sum() >= 1
    assert out.table["share"].isna().all(), (
        "known total = published total − hidden unknown: not derivable"
    )


def test_parents_roll_up_their_parts_with_the_breakdown_beneath():
    t = pd.DataFrame({"community": ["GNSO", "NCUC", "RySG", "ALAC", "EURALO", "GAC"],
                      "count": [0, 20, 30, 0, 40, 60], "total": [150] * 6})  # fmt: skip
    rolled = publish_rollup(guard(t, "community"))
    parents = parents_only(rolled).table.set_index("community")["count"]
    assert parents.to_dict() == {"GNSO": 50, "ALAC": 40, "GAC": 60}, (
        "never 0 while parts have people"
    )
    assert rolled.table[rolled.table["community"] == "GNSO"]["part"].tolist() == [
        "all",
        "GNSO",
        "NCUC",
        "RySG",
    ]


def test_a_parent_with_a_suppressed_part_is_suppressed():
    t = pd.DataFrame({"community": ["GNSO", "NCUC", "RySG", "ALAC", "AFRALO", "EURALO", "GAC"],
                      "count": [0, 20, 30, 0, 2, 40, 60], "total": [152] * 7})  # fmt: skip
    published = guard(t, "community")
    parents = parents_only(publish_rollup(published)).table.set_index("community")["count"]
    parts = published.table.assign(
        parent=lambda d: d["community"].map(lambda c: C.COMMUNITY_PARENT.get(c, c))
    )
    for parent, group in parts.groupby("parent"):
        assert pd.isna(parents[parent]) == group["count"].isna().any(), parent


# --- every chart's numbers are its table's numbers -------------------------------------------


def _label(text: object) -> str:
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", str(text))).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    return C.display_label(text).lower().replace("_", " ")


def _value(text: str) -> float | None:
    text = text.replace(",", "").strip().rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def _cell_value(attributes: str, content: str) -> str:
    """A cell's value: its ``data-v`` (what sorting and the CSV download use: ISO dates, plain
    numbers) where the shown text differs from it, else its text."""
    machine = re.search(r'data-v="([^"]*)"', attributes)
    return htmllib.unescape(
        machine.group(1) if machine else re.sub(r"<[^>]+>", "", content)
    ).strip()


def _tables(markup: str) -> list[tuple[int, list[list[str]]]]:
    out = []
    for m in re.finditer(r"<table\b.*?</table>", markup, flags=re.DOTALL):
        rows = [[_cell_value(a, c) for a, c in re.findall(r"<t[dh]([^>]*)>(.*?)</t[dh]>", r, flags=re.DOTALL)]
                for r in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(0), flags=re.DOTALL)]  # fmt: skip
        out.append((m.start(), rows))
    return out


def _figures(markup: str) -> list[tuple[int, dict]]:
    decoder = json.JSONDecoder()
    return [(m.start(), decode_plotly(decoder.raw_decode(markup, m.end())[0]))
            for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", markup)]  # fmt: skip


def _mark(trace: dict) -> bool:
    """Hidden-cell overlays and milestone markers: drawn, but not numbers of the table."""
    name = trace.get("name") or ""
    return name == "suppressed" or name.startswith("WSIS+20 milestone")


def _points(traces: list[dict]) -> list[tuple[tuple[str, ...], float]]:
    """(labels, value) of every number a chart draws (hidden bars and milestone marks aside)."""
    points = []
    # several bar series or lines: a legend names each, and its name must be in the row too
    series = [t for t in traces if not _mark(t)]
    grouped = (
        sum(t.get("type") == "bar" for t in series) > 1
        or sum(
            t.get("type", "scatter") == "scatter" and "lines" in (t.get("mode") or "")
            for t in series
        )
        > 1
    )
    for trace in traces:
        kind, name = trace.get("type", "scatter"), trace.get("name") or ""
        if kind == "choropleth" or _mark(trace):
            continue  # TODO(#13 item 4): the map's per-country table
        if kind == "heatmap":
            for y, row in zip(trace["y"], trace["z"], strict=True):
                points += [
                    ((x, y), v)
                    for x, v in zip(trace["x"], row, strict=True)
                    if v is not None and not math.isnan(v)  # a hidden cell is NaN in z
                ]
            continue
        # horizontal bars put the categories on y and the values on x
        # (and so do the markers drawn over them): the category axis is the one holding text
        upright = trace.get("orientation") == "h" or any(
            isinstance(v, str) for v in trace.get("y") or []
        )
        labels, values = ("y", "x") if upright else ("x", "y")
        texts = trace.get("text") or [""] * len(trace[labels])
        texts = texts if isinstance(texts, list) else [texts] * len(trace[labels])
        legend = (name,) if grouped and kind in ("bar", "scatter") else ()
        points += [((x, *legend), y) for x, y, t in zip(trace[labels], trace[values], texts, strict=True)
                   if y is not None and not (isinstance(y, float) and math.isnan(y))  # a gap: hidden
                   and t != "suppressed"]  # fmt: skip
    return points


def chart_table_mismatches(markup: str) -> list[str]:
    """Every chart must be followed (before the next chart) by a table holding each of its
    numbers in a row naming each of its labels."""
    figures, tables = _figures(markup), _tables(markup)
    problems = []
    for i, (at, figure) in enumerate(figures):
        end = figures[i + 1][0] if i + 1 < len(figures) else len(markup)
        title = f"chart {i}"
        table = next((rows for pos, rows in tables if at < pos < end), None)
        points = _points(figure if isinstance(figure, list) else figure.get("data", []))
        if table is None:
            problems += [f"{title}: no table after it"] if points else []
            continue
        cells = [([_label(c) for c in row], [_value(c) for c in row]) for row in table[1:]]
        for labels, value in points:
            want = [_label(x) for x in labels]
            rows = [vals for names, vals in cells if all(w in names for w in want)]
            if not any(v is not None and abs(v - value) < 0.051 for vals in rows for v in vals):
                problems.append(f"{title}: {labels} = {value!r} is in no row of its table")
    return problems


def test_the_check_finds_a_chart_that_leaves_unknown_out_while_its_table_keeps_it():
    chart = {
        "type": "bar",
        "x": ["Africa", "Europe"],
        "y": [15.6, 84.4],
        "name": "share of participants (%)",
    }
    page = (f'<script>Plotly.newPlot("a", {json.dumps([chart])}, {{}})</script>'
            "<table><tr><th>icann region</th><th>share</th></tr><tr><td>AF</td><td>14.9%</td></tr>"
            "<tr><td>EU</td><td>84.4%</td></tr><tr><td>unknown</td><td>0.7%</td></tr></table>")  # fmt: skip
    assert chart_table_mismatches(page) == [
        "chart 0: ('Africa',) = 15.6 is in no row of its table"
    ]
    assert chart_table_mismatches(page.replace("14.9%", "15.6%")) == []
    assert chart_table_mismatches(page.split("<table>")[0]) == ["chart 0: no table after it"]


def test_the_check_reads_dates_as_the_table_stores_them_and_names_each_line():
    """A table shows "27 May 2024" and stores 2024-05-27 (``data-v``, what the CSV holds): the
    chart's date is found; a line's value found only in another line's row is not."""
    lines = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": ["2024-05-27T00:00:00"], "y": [y]}
             for name, y in (("Africa", 10.0), ("Europe", 30.0))]  # fmt: skip
    row = '<tr><td data-v="2024-05-27">27 May 2024</td><td>{}</td><td>{}</td></tr>'
    page = (f'<script>Plotly.newPlot("a", {json.dumps(lines)}, {{}})</script><table>'
            "<tr><th>Date</th><th>ICANN region</th><th>Participants</th></tr>"
            f"{row.format('Africa', 10)}{row.format('Europe', 30)}</table>")  # fmt: skip
    assert chart_table_mismatches(page) == []
    swapped = page.replace(">10<", ">x<").replace(">30<", ">10<").replace(">x<", ">30<")
    assert chart_table_mismatches(swapped) == [
        "chart 0: ('2024-05-27T00:00:00', 'Africa') = 10.0 is in no row of its table",
        "chart 0: ('2024-05-27T00:00:00', 'Europe') = 30.0 is in no row of its table",
    ]
    gap = json.dumps([{**lines[0], "y": [float("nan")]}]).replace("NaN", "NaN")
    assert chart_table_mismatches(page.replace(json.dumps(lines), gap)) == []  # a gap: no number


@pytest.mark.notebook
def test_every_chart_of_the_demo_report_set_equals_its_table(report_project):
    pages = sorted((report_project / "reports" / "html").glob("*.html"))
    assert pages
    problems = {p.stem: chart_table_mismatches(p.read_text(encoding="utf-8")) for p in pages}
    assert not any(problems.values()), {k: v[:5] for k, v in problems.items() if v}


def test_a_table_of_activities_is_headed_activities_not_participants():
    """Page 40's activity types: the count column counts activities, and the share is theirs."""
    t = pd.DataFrame({"activity_type": ["webinar", "statement", "briefing"], "count": [3, 40, 30],
                      "total": [73] * 3, "share": [3 / 73, 40 / 73, 30 / 73]})  # fmt: skip
    counted = counting(guard(t, "activity_type"), "activities")
    assert list(counted.table.columns)[:4] == [
        "activity_type",
        "activities",
        "total",
        "share_of_activities",
    ]
    assert list(counted.hidden_cells.columns) == list(counted.table.columns)
    assert (
        counted.hidden_cells["activities"].tolist()
        == guard(t, "activity_type").hidden_cells["count"].tolist()
    )
    markup = show_table(counted).markup
    assert "<th>Activities</th>" in markup and "<th>Share of activities</th>" in markup
    assert "Participants" not in markup


def test_a_table_of_activities_says_activities_in_its_legend():
    from wsisanalysis.metrics.disclosure import guard
    from wsisanalysis.reporting.categories import counting

    table = guard(pd.DataFrame({"activity_type": ["a", "b", "c"], "count": [3, 40, 50]}), "activity_type")
    assert "fewer than 5 activities" in counting(table, "activities").legend
