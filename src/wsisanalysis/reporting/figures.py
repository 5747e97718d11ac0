"""Figures for reports: plotly figures that render offline, with text alternatives.

Figure functions take tables that have already been through disclosure control (hidden counts
are missing and are drawn as gaps, so figure data never carries them) and return a
:class:`ReportFigure`. Displayed in a notebook it writes the chart's HTML itself: plotly.js is
embedded once per notebook by :func:`use_report_style` (plotly's default renderer leaves blank
space in nbconvert HTML), and maps carry their geography in ``window.PlotlyGeoAssets`` so they
draw without the CDN.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from wsisanalysis import schema as C

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQUENTIAL = "Cividis"  # perceptually uniform and colour-blind safe
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
        return f'<figure role="img" aria-label="{alt}" style="margin:0">{assets}{body}<figcaption>{alt}</figcaption></figure>'

    def to_json(self) -> str:
        """The figure's data as plotly JSON (what the HTML embeds)."""
        return self.figure.to_json()


def share_bars(
    table: pd.DataFrame, by: str, *, title: str, baseline: bool = True, intervals: bool = True
) -> ReportFigure:
    """Bars of shares with Wilson intervals, and the baseline share as markers when present.

    Pass ``intervals=False`` for published percentages: without the underlying counts an
    interval would be invented.
    """
    data = table[table[by].astype(str) != "unknown"].copy()
    labels = data[by].map(C.display_label)
    share = data["known_share"] if "known_share" in data else data["share"]
    low = data["ratio_low"] * data["baseline_share"] if "ratio_low" in data else data["share_low"]
    high = (
        data["ratio_high"] * data["baseline_share"] if "ratio_high" in data else data["share_high"]
    )
    fig = go.Figure(
        go.Bar(
            x=labels, y=share * 100, name="share of participants (%)", marker_color=PALETTE[0],
            error_y={"type": "data", "symmetric": False, "array": (high - share) * 100, "arrayminus": (share - low) * 100,
                     "visible": intervals},
        )
    )  # fmt: skip
    if baseline and "baseline_share" in data:
        fig.add_trace(go.Scatter(x=labels, y=data["baseline_share"] * 100, mode="markers", name=f"baseline: {data['baseline'].iloc[0]}",
                                 marker={"symbol": "diamond", "size": 12, "color": PALETTE[1]}))  # fmt: skip
    fig.update_layout(
        title=title, yaxis_title="% of participants", legend={"orientation": "h", "y": -0.2}
    )
    parts = [
        f"{lbl}: {s * 100:.1f}%" if pd.notna(s) else f"{lbl}: suppressed"
        for lbl, s in zip(labels, share, strict=True)
    ]
    kind = (
        "Bar chart of shares with 95% intervals" if intervals else "Bar chart of published shares"
    )
    alt = f"{title}. {kind}. " + "; ".join(parts) + "."
    return ReportFigure(fig, alt, data)


def heatmap(matrix: pd.DataFrame, *, title: str, zlabel: str = "participants") -> ReportFigure:
    """A heatmap of a complete rows × columns count table (suppressed cells are blank)."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(dtype=float), x=[C.display_label(c) for c in matrix.columns], y=[C.display_label(r) for r in matrix.index],
            colorscale=SEQUENTIAL, colorbar={"title": zlabel}, hoverongaps=False,
            texttemplate="%{z:.0f}",
        )
    )  # fmt: skip
    fig.update_layout(title=title, yaxis={"autorange": "reversed"})
    hidden = int(matrix.isna().to_numpy().sum())
    alt = (
        f"{title}. Heatmap of {matrix.shape[0]} rows by {matrix.shape[1]} columns; "
        f"largest cell {matrix.max().max():.0f}; {hidden} small cells suppressed."
    )
    return ReportFigure(fig, alt, matrix)


def world_map(table: pd.DataFrame, *, title: str, value: str = "count") -> ReportFigure:
    """Choropleth of a per-country table (``iso3`` and `value` columns), drawn offline."""
    fig = go.Figure(
        go.Choropleth(
            locations=table["iso3"], z=table[value].astype(float), locationmode="ISO-3", colorscale=SEQUENTIAL,
            text=table.get("name"), marker_line_color="white", colorbar={"title": value},
        )
    )  # fmt: skip
    fig.update_geos(
        projection_type="natural earth",
        projection_rotation={"lon": 10},
        center={"lon": 10, "lat": 10},
        showcountries=True,
        showframe=False,
        resolution=110,
        lataxis_range=[-58, 85],
    )
    fig.update_layout(title=title, margin={"l": 0, "r": 0, "t": 50, "b": 0})
    shown = table[value].notna().sum()
    alt = f"{title}. World map of {shown} countries shaded by {value}; the same figures are in the table below."
    return ReportFigure(fig, alt, table)


def timeline(
    series: pd.DataFrame, milestones: pd.DataFrame, *, title: str, y: str = "activities"
) -> ReportFigure:
    """Bars per period with the WSIS+20 milestones as vertical lines."""
    fig = go.Figure(go.Bar(x=series["period"], y=series[y], name=y, marker_color=PALETTE[0]))
    shown = milestones.drop_duplicates("start")
    for m in shown.itertuples():
        fig.add_vline(
            x=pd.Timestamp(m.start).timestamp() * 1000, line_dash="dot", line_color=PALETTE[3]
        )
    fig.add_trace(go.Scatter(x=shown["start"], y=[series[y].max() * 1.05] * len(shown), mode="markers", name="WSIS+20 milestone",
                             text=shown["milestone"], hoverinfo="text+x", marker={"symbol": "triangle-down", "color": PALETTE[3], "size": 10}))  # fmt: skip
    fig.update_layout(title=title, yaxis_title=y, legend={"orientation": "h", "y": -0.2})
    peak = series.loc[series[y].idxmax()] if len(series) else None
    alt = (
        f"{title}. {len(series)} periods; peak {peak[y]:.0f} in {pd.Timestamp(peak['period']):%B %Y}."
        if peak is not None
        else title
    )
    return ReportFigure(fig, alt, series)


def grouped_bars(table: pd.DataFrame, *, x: str, color: str, y: str, title: str) -> ReportFigure:
    """Grouped bars (e.g. activities by topic, one colour per region)."""
    fig = go.Figure()
    for i, (key, group) in enumerate(table.groupby(color, observed=True, sort=False)):
        fig.add_trace(
            go.Bar(
                x=group[x].map(C.display_label),
                y=group[y],
                name=C.display_label(key),
                marker_color=PALETTE[i % len(PALETTE)],
            )
        )
    fig.update_layout(
        barmode="group",
        title=title,
        yaxis_title=y.replace("_", " "),
        legend={"orientation": "h", "y": -0.3},
    )
    top = table.dropna(subset=[y]).nlargest(3, y)
    largest = "; ".join(
        f"{C.display_label(r[x])}, {C.display_label(r[color])}: {r[y]:.1f}"
        for _, r in top.iterrows()
    )
    alt = f"{title}. Largest bars: {largest}."
    return ReportFigure(fig, alt, table)
