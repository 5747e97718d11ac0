"""Figures accept only published tables, carry no hidden number, draw hidden cells as hidden,
draw offline and describe themselves."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import decode_plotly

from wsisanalysis import schema as C
from wsisanalysis.metrics import coverage
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, DisclosureError, guard
from wsisanalysis.reporting import figures, narrative, show_table

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
    shares = dict(zip(trace.x, trace.y, strict=True))
    hidden = {k for k, t in zip(trace.x, trace.text, strict=True) if t == HIDDEN_LABEL}
    assert {"Africa", "Latin America/Caribbean"} <= hidden
    assert len(hidden) == int(safe.hidden_rows.sum())
    # hidden bars stand at the tallest published bar's height, never at their own value
    published = [v for k, v in shares.items() if k not in hidden]
    assert {shares[k] for k in hidden} == {max(published)}
    text = fig.to_json()
    for secret in (3 / 132 * 100, 2 / 132 * 100, 40 / 132 * 100, 30 / 132 * 100):
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
