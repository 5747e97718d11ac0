"""Figures accept only published tables, carry no hidden number, draw hidden cells as hidden,
draw offline and describe themselves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import decode_plotly

from wsisanalysis import schema as C
from wsisanalysis.metrics import coverage
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, DisclosureError, guard
from wsisanalysis.reporting import figures, narrative, show_table
from wsisanalysis.reporting.categories import as_months

FRAME = pd.DataFrame(
    {C.ICANN_REGION: ["AF"] * 3 + ["AP"] * 40 + ["EU"] * 57 + ["LAC"] * 2 + ["NA"] * 30}
)


def _small_counts_table():
    table = coverage(FRAME, C.ICANN_REGION, include_unknown=False)
    return guard(table, C.ICANN_REGION, source=FRAME)


def test_hidden_counts_never_reach_figure_data():
    safe = _small_counts_table()
    fig = figures.share_bars(safe, C.ICANN_REGION, title="t")
    trace = fig.figure.data[0]
    labels, values = (trace.y, trace.x) if trace.orientation == "h" else (trace.x, trace.y)
    shares = dict(zip(labels, values, strict=True))
    hidden = {k for k, t in zip(labels, trace.text, strict=True) if t == HIDDEN_LABEL}
    assert {"Africa", "Latin America/Caribbean"} <= hidden
    assert len(hidden) == int(safe.hidden_rows.sum())
    # hidden bars stand at the tallest published bar's height, never at their own value
    published = [v for k, v in shares.items() if k not in hidden]
    assert {shares[k] for k in hidden} == {max(published)}
    text = fig.to_json()
    truth = FRAME[C.ICANN_REGION].value_counts()
    secrets = [
        truth[r] / len(FRAME) * 100 for r in safe.table.loc[safe.hidden_rows, C.ICANN_REGION]
    ]
    assert len(secrets) >= 3, "two small counts and at least one cell hiding them"
    for secret in secrets:
        assert f"{secret:.6}"[:6] not in text
    assert "Africa: suppressed" in fig.alt
    assert "fewer than 5" in fig._repr_html_()


def test_every_figure_and_sentence_refuses_a_plain_table():
    table = coverage(FRAME, C.ICANN_REGION, include_unknown=False)
    calls = [
        lambda: figures.share_bars(table, C.ICANN_REGION, title="t"),
        lambda: figures.heatmap(table, C.ICANN_REGION, C.ICANN_REGION, title="t"),
        lambda: figures.world_map(table, title="t"),
        lambda: figures.grouped_bars(table, x="a", color="b", y="count", title="t"),
        lambda: figures.timeline(table, pd.DataFrame(), title="t"),
        lambda: narrative.largest(table, C.ICANN_REGION),
        lambda: narrative.representation(table, C.ICANN_REGION),
        lambda: narrative.concentration_sentence(table, C.ICANN_REGION, what="people"),
        lambda: narrative.countries(table),
        lambda: narrative.cleaning(table),
        lambda: show_table(table),
    ]
    for call in calls:
        with pytest.raises(DisclosureError, match="accepts only a published table"):
            call()


def test_heatmap_draws_hidden_cells_grey_and_labelled_never_blank_or_zero():
    frame = pd.DataFrame(
        {C.ICANN_REGION: ["AF"] * 3 + ["AF"] * 40 + ["EU"] * 12 + ["EU"] * 30 + ["AF"] * 9 + ["EU"] * 8,
         C.STAKEHOLDER_GROUP: ["media"] * 3 + ["government"] * 40 + ["media"] * 12 + ["government"] * 30
         + ["academia"] * 9 + ["academia"] * 8}
    )  # fmt: skip
    table = coverage(frame, [C.ICANN_REGION, C.STAKEHOLDER_GROUP], include_unknown=False)
    table = table[
        table[C.ICANN_REGION].isin(["AF", "EU"])
        & table[C.STAKEHOLDER_GROUP].isin(["media", "government", "academia"])
    ]
    safe = guard(table.reset_index(drop=True), [C.ICANN_REGION, C.STAKEHOLDER_GROUP])
    fig = figures.heatmap(safe, C.ICANN_REGION, C.STAKEHOLDER_GROUP, title="t")
    values, marks = fig.figure.data[0], fig.figure.data[1]
    z = np.asarray(values.z, dtype=float)
    assert np.isnan(z).sum() >= 2
    assert (np.asarray(marks.text)[np.isnan(z)] == HIDDEN_LABEL).all()
    embedded = decode_plotly(json.loads(fig.to_json()))  # what the HTML carries
    assert 3.0 not in np.asarray(embedded["data"][0]["z"], dtype=float)
    assert f"cells {HIDDEN_LABEL}" in fig.alt


def test_maps_embed_their_geography_and_never_name_a_cdn():
    table = pd.DataFrame({"iso3": ["KEN", "FRA"], "name": ["Kenya", "France"], "count": [10, 20]})
    html = figures.world_map(guard(table, "iso3"), title="t")._repr_html_()
    assert "window.PlotlyGeoAssets.topojson['world_110m']" in html
    assert '"topojsonURL": "about:blank/"' in html or "about:blank/" in html
    assert 'role="img"' in html
    assert 'aria-label="t. World map of 2 countries' in html


def test_maps_draw_hidden_countries_grey_without_their_count():
    table = pd.DataFrame(
        {"iso3": ["KEN", "FRA", "GHA"], "name": ["Kenya", "France", "Ghana"], "count": [10, 20, 2]}
    )
    fig = figures.world_map(guard(table, "iso3"), title="t")
    hidden = fig.figure.data[1]
    assert set(hidden.locations) >= {"GHA"}
    assert 2.0 not in np.asarray(
        decode_plotly(json.loads(fig.to_json()))["data"][1]["z"], dtype=float
    )
    assert "GHA" not in list(fig.figure.data[0].locations)


def test_figure_html_escapes_its_text_alternative():
    table = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01", "2025-02-01"]), "activities": [30, 12]}
    )
    milestones = pd.DataFrame({"start": pd.to_datetime(["2025-01-02"]), "milestone": ["m"]})
    safe = guard(table.rename(columns={"activities": "count"}), "period")
    html = figures.timeline(safe, milestones, title="<script>x</script>", y="count")._repr_html_()
    assert "<script>x</script>" not in html.split("<figcaption>")[1]
    assert "&lt;script&gt;" in html


def test_palette_is_the_okabe_ito_colour_blind_safe_set():
    assert figures.PALETTE[:3] == ["#0072B2", "#E69F00", "#009E73"]


def _tick_labels(fig):
    trace = fig.figure.data[0]
    return (list(trace.y), "h") if trace.orientation == "h" else (list(trace.x), "v")


def test_long_or_many_labels_give_horizontal_bars_with_display_names():
    safe = _small_counts_table()
    labels, orientation = _tick_labels(figures.share_bars(safe, C.ICANN_REGION, title="t"))
    assert orientation == "h", "Asia/Australia/Pacific is too long to stand under a bar"
    assert labels[0] == "Africa" and all("_" not in label for label in labels)
    topics = pd.DataFrame({"topic": ["dns_security_stability", "ip_addressing"], "region": ["AF", "EU"],
                           "count": [12, 30]})  # fmt: skip
    fig = figures.grouped_bars(
        guard(topics, ["topic", "region"]), x="topic", color="region", y="count", title="t"
    )
    labels, orientation = _tick_labels(fig)
    assert orientation == "h" and labels == ["DNS security and stability"]
    assert fig.figure.layout.xaxis.title.text == "Participants"


def test_short_labels_keep_upright_bars():
    frame = pd.DataFrame({C.ICANN_REGION: ["AF"] * 30 + ["EU"] * 40})
    safe = guard(
        coverage(frame, C.ICANN_REGION, include_unknown=False), C.ICANN_REGION, source=frame
    )
    table = safe.table[safe.table[C.ICANN_REGION].isin(["AF", "EU"])]
    assert not figures._horizontal(table[C.ICANN_REGION].map(C.display_label).tolist())


def test_map_classes_roughly_double_and_name_their_ranges():
    classes, names = figures.map_classes(pd.Series([5.0, 7, 12, 30, 600]))
    assert names == ["5–9", "10–24", "25–49", "50–99", "100–249", "250–499", "500 or more"]
    assert list(classes) == [0, 0, 1, 2, 6]
    # a linear scale would paint 5, 7, 12 and 30 the same; the classes tell them apart
    assert len(set(classes)) == 4


def test_the_map_colours_classes_and_keeps_counts_for_hover_only():
    table = pd.DataFrame({"iso3": ["KEN", "FRA", "USA"], "name": ["Kenya", "France", "United States"],
                          "count": [10, 60, 620]})  # fmt: skip
    fig = figures.world_map(guard(table, "iso3"), title="t")
    trace = fig.figure.data[0]
    assert list(trace.customdata) == [10, 60, 620]
    assert list(trace.colorbar.ticktext) == [
        "10–24",
        "25–49",
        "50–99",
        "100–249",
        "250–499",
        "500 or more",
    ]
    assert list(trace.z) == [0.5, 2.5, 5.5], (
        "coloured by class (10–24, 50–99, 500 or more), not by count"
    )
    colours = [c for _, c in trace.colorscale]
    assert colours[0::2] == colours[1::2], "one flat colour per class"


def test_trimmed_geography_keeps_every_country_and_its_arcs():
    raw = json.loads(
        (Path(figures.__file__).parent.parent / "data" / "geo" / "world_110m.json").read_text()
    )
    trimmed = json.loads(figures._world_topojson())
    assert set(trimmed["objects"]) == set(figures.MAP_LAYERS)
    assert len(trimmed["arcs"]) < len(raw["arcs"])
    ids = [g.get("id") for g in trimmed["objects"]["countries"]["geometries"]]
    assert ids == [g.get("id") for g in raw["objects"]["countries"]["geometries"]]

    def points(topology, arcs):  # the first point of each arc a country uses, in order
        flat = []

        def walk(a):
            if isinstance(a, int):
                flat.append((*topology["arcs"][a if a >= 0 else ~a][0], a < 0))
            else:
                for x in a:
                    walk(x)

        walk(arcs)
        return flat

    for before, after in zip(raw["objects"]["countries"]["geometries"],
                             trimmed["objects"]["countries"]["geometries"], strict=True):  # fmt: skip
        assert points(raw, before.get("arcs", [])) == points(trimmed, after.get("arcs", []))


def test_timeline_numbers_its_milestones_and_names_them_in_the_caption():
    table = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01", "2025-02-01"]), "count": [30, 12]}
    )
    milestones = pd.DataFrame({"start": pd.to_datetime(["2025-02-10", "2025-01-02"]),
                               "milestone": ["Second", "First"]})  # fmt: skip
    fig = figures.timeline(guard(table, "period"), milestones, title="t", y="count")
    assert [a.text for a in fig.figure.layout.annotations] == ["<b>1</b>", "<b>2</b>"]
    assert "Milestones: 1 = First (2 Jan 2025); 2 = Second (10 Feb 2025)." in fig.alt
    assert fig.figure.layout.yaxis.title.text == "Participants"


def test_a_monthly_timeline_reads_months_not_first_days():
    """Bars of whole months stand at "2025-01" (the value the table downloads), hover as
    "January 2025", and the caption names the peak's month."""
    table = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01", "2025-02-01"]), "count": [30, 12]}
    )
    months = as_months(guard(table, "period"))
    fig = figures.timeline(
        months, pd.DataFrame(columns=["start", "milestone"]), title="t", y="count"
    )
    assert list(fig.figure.data[0].x) == ["2025-01", "2025-02"]
    assert fig.figure.data[0].xperiodalignment == "middle"  # a bar spans its month
    assert fig.figure.layout.xaxis.hoverformat == "%B %Y"
    assert "peak 30 in January 2025" in fig.alt
    assert 'data-v="2025-01">January 2025<' in show_table(months).markup


def test_a_map_with_countries_left_out_does_not_call_unshaded_countries_empty():
    import dataclasses

    table = pd.DataFrame(
        {"iso3": ["KEN", "FRA", "GHA"], "name": ["Kenya", "France", "Ghana"], "count": [10, 20, 2]}
    )
    safe = guard(table, "iso3")
    assert figures.world_map(safe, title="t").figure.layout.annotations[0].text.endswith("□ no participant")
    shown = figures.world_map(dataclasses.replace(safe, left_out=True), title="t")
    assert "no participant, or left out" in shown.figure.layout.annotations[0].text
