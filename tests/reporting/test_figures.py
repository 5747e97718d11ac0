"""Figures carry no suppressed numbers, draw offline and describe themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics import coverage, suppress
from wsisanalysis.reporting import figures


def _small_counts_table():
    frame = pd.DataFrame(
        {C.ICANN_REGION: ["AF"] * 3 + ["AP"] * 40 + ["EU"] * 57 + ["LAC"] * 2 + ["NA"] * 30}
    )
    return suppress(coverage(frame, C.ICANN_REGION, include_unknown=False), by=C.ICANN_REGION)


def test_suppressed_counts_never_reach_figure_data():
    safe = _small_counts_table()
    fig = figures.share_bars(safe, C.ICANN_REGION, title="t")
    trace = fig.figure.data[0]
    shares = dict(zip(trace.x, trace.y, strict=True))
    assert np.isnan(shares["Africa"])
    assert np.isnan(shares["Latin America/Caribbean"])
    assert not np.isclose([v for v in shares.values() if not np.isnan(v)], 3 / 132 * 100).any()
    assert not np.isnan(np.asarray(trace.error_y.array, dtype=float)[[1, 2, 4]]).any()
    assert "suppressed" in fig.alt


def test_heatmap_leaves_suppressed_cells_blank():
    grid = pd.DataFrame(
        [[3.0, 40.0], [np.nan, 12.0]], index=["AF", "EU"], columns=["government", "media"]
    )
    fig = figures.heatmap(grid, title="t")
    z = np.asarray(fig.figure.data[0].z, dtype=float)
    assert np.isnan(z[1, 0])
    assert "1 small cells suppressed" in fig.alt


def test_maps_embed_their_geography_and_never_name_a_cdn():
    table = pd.DataFrame({"iso3": ["KEN", "FRA"], "name": ["Kenya", "France"], "count": [10, 20]})
    html = figures.world_map(table, title="t")._repr_html_()
    assert "window.PlotlyGeoAssets.topojson['world_110m']" in html
    assert '"topojsonURL": "about:blank/"' in html or "about:blank/" in html
    assert 'role="img"' in html
    assert 'aria-label="t. World map of 2 countries' in html


def test_figure_html_escapes_its_text_alternative():
    table = pd.DataFrame({"period": pd.to_datetime(["2025-01-01"]), "activities": [3]})
    milestones = pd.DataFrame({"start": pd.to_datetime(["2025-01-02"]), "milestone": ["m"]})
    html = figures.timeline(table, milestones, title="<script>x</script>")._repr_html_()
    assert "<script>x</script>" not in html.split("<figcaption>")[1]
    assert "&lt;script&gt;" in html


def test_palette_is_the_okabe_ito_colour_blind_safe_set():
    assert figures.PALETTE[:3] == ["#0072B2", "#E69F00", "#009E73"]
