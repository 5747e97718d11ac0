"""Figures for reports: plotly figures that render offline, with text alternatives.

Figure functions accept only a :class:`~wsisanalysis.metrics.disclosure.PublishedTable` (a
plain DataFrame raises): hidden cells are missing in the table, so the figure data never carries
them, and they are drawn visibly as hidden (a hatched bar or a grey cell labelled
"suppressed"), never as zero or as absent. Each figure returns a :class:`ReportFigure`. Displayed in a notebook it writes the chart's HTML itself: plotly.js is
embedded once per notebook by :func:`use_report_style` (plotly's default renderer leaves blank
space in nbconvert HTML), and maps carry their geography in ``window.PlotlyGeoAssets`` so they
draw without the CDN.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, PublishedTable
from wsisanalysis.reporting.tables import require_published

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQUENTIAL = "Cividis"  # perceptually uniform and colour-blind safe
HIDDEN_COLOUR = "#BBBBBB"
HIDDEN_PATTERN = "/"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = PALETTE
    template.layout.font = {"family": FONT, "size": 13}
    template.layout.margin = {"l": 60, "r": 20, "t": 60, "b": 60}
    return template


class _PlotlyJs:
    """Displays plotly.js inline, once: the HTML snapshot then needs no network."""

    def _repr_html_(self) -> str:
        return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def use_report_style() -> _PlotlyJs:
    """Set the report template and return the plotly.js loader to display in the setup cell.

    Also sets plotly's renderer to ``notebook`` (self-contained) for any figure shown directly.
    """
    pio.templates["wsisanalysis"] = _template()
    pio.templates.default = "wsisanalysis"
    pio.renderers.default = "notebook"
    return _PlotlyJs()


@functools.cache
def _world_topojson() -> str:
    path = resources.files("wsisanalysis") / "data" / "geo" / "world_110m.json"
    return path.read_text(encoding="utf-8")


@dataclass
class ReportFigure:
    """A plotly figure with its text alternative; renders as a self-contained HTML figure."""

    figure: go.Figure
    alt: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    legend: str = ""

    def _repr_html_(self) -> str:
        geo = any(getattr(t, "type", "") in ("choropleth", "scattergeo") for t in self.figure.data)
        assets = ""
        if geo:
            assets = (
                "<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
                f"window.PlotlyGeoAssets.topojson['world_110m'] = {_world_topojson()};</script>"
            )
        body = self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            config={"displaylogo": False, "responsive": True, "topojsonURL": "about:blank/"},
        )
        alt = html.escape(self.alt)
        note = f'<p class="wsis-legend">{html.escape(self.legend)}</p>' if self.legend else ""
        return f'<figure role="img" aria-label="{alt}" style="margin:0">{assets}{body}<figcaption>{alt}</figcaption></figure>{note}'

    def to_json(self) -> str:
        """The figure's data as plotly JSON (what the HTML embeds)."""
        return self.figure.to_json()


def _label(value: object) -> str:
    return C.display_label(value)


def _bars(
    x: list[str], values: pd.Series, hidden: np.ndarray, *, name: str, colour: str
) -> go.Bar:
    """Bars where hidden values are drawn as hatched, labelled bars of the axis' height.

    The hidden bars carry the height of the tallest published bar, never their own value.
    """
    shown = values.where(~hidden)
    height = float(shown.max()) if shown.notna().any() else 1.0
    y = [
        height if h else (None if pd.isna(v) else float(v))
        for v, h in zip(shown, hidden, strict=True)
    ]
    return go.Bar(
        x=x, y=y, name=name,
        marker={"color": [HIDDEN_COLOUR if h else colour for h in hidden], "opacity": 1,
                "pattern": {"shape": [HIDDEN_PATTERN if h else "" for h in hidden], "fgcolor": "#555555"}},
        text=[HIDDEN_LABEL if h else "" for h in hidden], textposition="inside",
        customdata=[HIDDEN_LABEL if h else "" for h in hidden],
        hovertemplate=[f"%{{x}}: {HIDDEN_LABEL}<extra></extra>" if h else "%{x}: %{y:.1f}<extra></extra>" for h in hidden],
    )  # fmt: skip


def _hidden(table: PublishedTable, column: str, rows: pd.Index | None = None) -> np.ndarray:
    mask = table.hidden_cells[column]
    return (mask if rows is None else mask.loc[rows]).to_numpy(dtype=bool)


def share_bars(
    table: PublishedTable, by: str, *, title: str, baseline: bool = True, intervals: bool = True
) -> ReportFigure:
    """Bars of shares with Wilson intervals, and the baseline share as markers when present.

    Pass ``intervals=False`` for published percentages: without the underlying counts an
    interval would be invented. Hidden shares are hatched bars labelled "suppressed".
    """
    published = require_published(table, "share_bars")
    data = published.table
    data = data[data[by].astype(str) != "unknown"]
    labels = data[by].map(_label).tolist()
    column = "known_share" if "known_share" in data else "share"
    share = data[column].astype(float)
    hidden = _hidden(published, column, data.index)
    low = data["ratio_low"] * data["baseline_share"] if "ratio_low" in data else data["share_low"]
    high = (
        data["ratio_high"] * data["baseline_share"] if "ratio_high" in data else data["share_high"]
    )
    bars = _bars(labels, share * 100, hidden, name="share of participants (%)", colour=PALETTE[0])
    bars.error_y = {"type": "data", "symmetric": False, "array": ((high - share) * 100).where(~hidden).tolist(),
                    "arrayminus": ((share - low) * 100).where(~hidden).tolist(), "visible": intervals}  # fmt: skip
    fig = go.Figure(bars)
    if baseline and "baseline_share" in data:
        fig.add_trace(go.Scatter(x=labels, y=data["baseline_share"] * 100, mode="markers", name=f"baseline: {data['baseline'].iloc[0]}",
                                 marker={"symbol": "diamond", "size": 12, "color": PALETTE[1]}))  # fmt: skip
    fig.update_layout(
        title=title, yaxis_title="% of participants", legend={"orientation": "h", "y": -0.2}
    )
    parts = [f"{lbl}: {HIDDEN_LABEL}" if h else (f"{lbl}: {s * 100:.1f}%" if pd.notna(s) else f"{lbl}: no data")
             for lbl, s, h in zip(labels, share, hidden, strict=True)]  # fmt: skip
    kind = (
        "Bar chart of shares with 95% intervals" if intervals else "Bar chart of published shares"
    )
    alt = f"{title}. {kind}. " + "; ".join(parts) + "."
    return ReportFigure(fig, alt, data, published.legend)


def heatmap(
    table: PublishedTable, rows: str, cols: str, *, title: str, zlabel: str = "participants"
) -> ReportFigure:
    """A heatmap of a rows × columns count table; hidden cells are grey and labelled "suppressed"."""
    published = require_published(table, "heatmap")
    data, count = published.table, published.count or "count"
    hidden_cells = published.hidden_cells.assign(**{rows: data[rows], cols: data[cols]})
    matrix = data.pivot(index=rows, columns=cols, values=count).astype(float)
    hidden = (
        hidden_cells.pivot(index=rows, columns=cols, values=count)
        .reindex_like(matrix)
        .fillna(False)
        .astype(bool)
    )
    x, y = [_label(c) for c in matrix.columns], [_label(r) for r in matrix.index]
    fig = go.Figure(go.Heatmap(z=matrix.where(~hidden).to_numpy(), x=x, y=y, colorscale=SEQUENTIAL, colorbar={"title": zlabel},
                               hoverongaps=False, texttemplate="%{z:.0f}"))  # fmt: skip
    marks = np.where(hidden.to_numpy(), 1.0, np.nan)
    fig.add_trace(go.Heatmap(z=marks, x=x, y=y, colorscale=[[0, HIDDEN_COLOUR], [1, HIDDEN_COLOUR]], showscale=False,
                             text=np.where(hidden.to_numpy(), HIDDEN_LABEL, ""), texttemplate="%{text}", hoverongaps=False,
                             hovertemplate=f"%{{y}}, %{{x}}: {HIDDEN_LABEL}<extra></extra>", name=HIDDEN_LABEL))  # fmt: skip
    fig.update_layout(title=title, yaxis={"autorange": "reversed"})
    shown = matrix.where(~hidden)
    alt = (f"{title}. Heatmap of {matrix.shape[0]} rows by {matrix.shape[1]} columns; "
           f"largest cell {shown.max().max():.0f}; {int(hidden.to_numpy().sum())} cells {HIDDEN_LABEL}.")  # fmt: skip
    return ReportFigure(fig, alt, shown, published.legend)


def world_map(table: PublishedTable, *, title: str, value: str = "count") -> ReportFigure:
    """Choropleth of a per-country table (``iso3`` and `value`), drawn offline; hidden countries grey."""
    published = require_published(table, "world_map")
    data = published.table
    hidden = _hidden(published, value)
    fig = go.Figure(go.Choropleth(locations=data["iso3"][~hidden], z=data[value][~hidden].astype(float), locationmode="ISO-3",
                                  colorscale=SEQUENTIAL, text=data["name"][~hidden] if "name" in data else None,
                                  marker_line_color="white", colorbar={"title": value}))  # fmt: skip
    if hidden.any():
        fig.add_trace(go.Choropleth(locations=data["iso3"][hidden], z=[1.0] * int(hidden.sum()), locationmode="ISO-3",
                                    colorscale=[[0, HIDDEN_COLOUR], [1, HIDDEN_COLOUR]], showscale=False, name=HIDDEN_LABEL,
                                    text=data["name"][hidden] if "name" in data else None, marker_line_color="white",
                                    hovertemplate=f"%{{text}}: {HIDDEN_LABEL}<extra></extra>"))  # fmt: skip
    fig.update_geos(projection_type="natural earth", projection_rotation={"lon": 10}, center={"lon": 10, "lat": 10},
                    showcountries=True, showframe=False, resolution=110, lataxis_range=[-58, 85])  # fmt: skip
    fig.update_layout(title=title, margin={"l": 0, "r": 0, "t": 50, "b": 0})
    alt = (f"{title}. World map of {int((~hidden).sum())} countries shaded by {value} and {int(hidden.sum())} "
           f"shown grey as {HIDDEN_LABEL}; the same figures are in the table below.")  # fmt: skip
    return ReportFigure(fig, alt, data, published.legend)


def timeline(
    table: PublishedTable, milestones: pd.DataFrame, *, title: str, y: str = "activities"
) -> ReportFigure:
    """Bars per period with the WSIS+20 milestones (dates and names only) as vertical lines."""
    published = require_published(table, "timeline")
    series = published.table
    hidden = _hidden(published, y)
    fig = go.Figure(
        _bars(
            series["period"].tolist(), series[y].astype(float), hidden, name=y, colour=PALETTE[0]
        )
    )
    shown = milestones[["start", "milestone"]].drop_duplicates("start")
    for m in shown.itertuples():
        fig.add_vline(
            x=pd.Timestamp(m.start).timestamp() * 1000, line_dash="dot", line_color=PALETTE[3]
        )
    top = series[y].where(~hidden).astype(float).max()
    fig.add_trace(go.Scatter(x=shown["start"], y=[(top if pd.notna(top) else 1) * 1.05] * len(shown), mode="markers",
                             name="WSIS+20 milestone", text=shown["milestone"], hoverinfo="text+x",
                             marker={"symbol": "triangle-down", "color": PALETTE[3], "size": 10}))  # fmt: skip
    fig.update_layout(title=title, yaxis_title=y, legend={"orientation": "h", "y": -0.2})
    visible = series[~hidden].dropna(subset=[y])
    peak = visible.loc[visible[y].astype(float).idxmax()] if len(visible) else None
    alt = f"{title}. {len(series)} periods, {int(hidden.sum())} {HIDDEN_LABEL}" + (
        f"; peak {float(peak[y]):.0f} in {pd.Timestamp(peak['period']):%B %Y}."
        if peak is not None
        else "."
    )
    return ReportFigure(fig, alt, series, published.legend)


def grouped_bars(table: PublishedTable, *, x: str, color: str, y: str, title: str) -> ReportFigure:
    """Grouped bars (e.g. activities by topic, one colour per region); hidden bars hatched."""
    published = require_published(table, "grouped_bars")
    data = published.table.assign(_hidden=_hidden(published, y))
    fig = go.Figure()
    for i, (key, group) in enumerate(data.groupby(color, observed=True, sort=False)):
        fig.add_trace(_bars(group[x].map(_label).tolist(), group[y].astype(float), group["_hidden"].to_numpy(),
                            name=_label(key), colour=PALETTE[i % len(PALETTE)]))  # fmt: skip
    fig.update_layout(
        barmode="group",
        title=title,
        yaxis_title=y.replace("_", " "),
        legend={"orientation": "h", "y": -0.3},
    )
    top = data[~data["_hidden"]].dropna(subset=[y]).nlargest(3, y)
    largest = "; ".join(
        f"{C.display_label(r[x])}, {C.display_label(r[color])}: {r[y]:.1f}"
        for _, r in top.iterrows()
    )
    alt = f"{title}. Largest bars: {largest}; {int(data['_hidden'].sum())} {HIDDEN_LABEL}."
    return ReportFigure(fig, alt, data.drop(columns="_hidden"), published.legend)
