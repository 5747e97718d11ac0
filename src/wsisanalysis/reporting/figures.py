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
import itertools
import json
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, PublishedTable
from wsisanalysis.reporting.tables import column_label, require_published, unless_withheld

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: ColorBrewer yellow-green-blue: sequential, colour-blind safe, and without the mid greys of
#: Cividis, which read as the grey of a suppressed cell
SEQUENTIAL = "YlGnBu"
HIDDEN_COLOUR = "#BBBBBB"
HIDDEN_PATTERN = "/"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _template() -> go.layout.Template:
    """A small template: every figure embeds it, so plotly_white's per-trace defaults (7 KB a
    figure) are left out; the look (white, light grid, Okabe–Ito colours) is the same."""
    axis = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
            "automargin": True, "title": {"standoff": 12}}  # fmt: skip
    layout = {"colorway": PALETTE, "font": {"family": FONT, "size": 13, "color": "#2a3f5f"},
              "margin": {"l": 60, "r": 20, "t": 60, "b": 60}, "paper_bgcolor": "white",
              "plot_bgcolor": "white", "xaxis": axis, "yaxis": axis,
              "title": {"x": 0.05}, "hoverlabel": {"align": "left"}}  # fmt: skip
    return go.layout.Template(layout=layout)


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


#: The layers of the world topojson a map draws (countries, their coastlines and land); lakes,
#: rivers, ocean and subunits are never shown, and leaving them out keeps the map pages light.
MAP_LAYERS = ("countries", "coastlines", "land")


def trim_topojson(topology: dict, layers: tuple[str, ...] = MAP_LAYERS) -> dict:
    """`topology` with only `layers` and the arcs they use, renumbered (``~i`` is arc i reversed)."""
    objects = {k: v for k, v in topology["objects"].items() if k in layers}
    used: set[int] = set()

    def collect(arcs: object) -> None:
        if isinstance(arcs, int):
            used.add(arcs if arcs >= 0 else ~arcs)
        elif isinstance(arcs, list):
            for item in arcs:
                collect(item)

    def renumber(arcs: object) -> object:
        if isinstance(arcs, int):
            return new[arcs] if arcs >= 0 else ~new[~arcs]
        return [renumber(a) for a in arcs] if isinstance(arcs, list) else arcs

    for layer in objects.values():
        for geometry in layer.get("geometries", [layer]):
            collect(geometry.get("arcs", []))
    new = {old: i for i, old in enumerate(sorted(used))}
    trimmed = json.loads(json.dumps(objects))
    for layer in trimmed.values():
        for geometry in layer.get("geometries", [layer]):
            if "arcs" in geometry:
                geometry["arcs"] = renumber(geometry["arcs"])
    arcs = [topology["arcs"][i] for i in sorted(used)]
    return {**topology, "objects": trimmed, "arcs": arcs}


@functools.cache
def _world_topojson() -> str:
    path = resources.files("wsisanalysis") / "data" / "geo" / "world_110m.json"
    topology = trim_topojson(json.loads(path.read_text(encoding="utf-8")))
    return json.dumps(topology, separators=(",", ":"))


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
    return C.display_label(value, capital=True)


#: Bars turn horizontal when a label is longer than this or there are more bars than
#: :data:`MAX_UPRIGHT_BARS`: the labels then read across without overlapping.
LONG_LABEL = 14
MAX_UPRIGHT_BARS = 6


def _horizontal(labels: list[str]) -> bool:
    return len(labels) > MAX_UPRIGHT_BARS or max(map(len, labels), default=0) > LONG_LABEL


def _bars(x: list[str], values: pd.Series, hidden: np.ndarray, *, name: str, colour: str,
          horizontal: bool = False) -> go.Bar:  # fmt: skip
    """Bars where hidden values are drawn as hatched, labelled bars of the axis' height.

    The hidden bars carry the height of the tallest published bar, never their own value.
    """
    shown = values.where(~hidden)
    height = float(shown.max()) if shown.notna().any() else 1.0
    y = [
        height if h else (None if pd.isna(v) else float(v))
        for v, h in zip(shown, hidden, strict=True)
    ]
    axis, value = ("y", "x") if horizontal else ("x", "y")
    return go.Bar(
        **{axis: x, value: y}, name=name, orientation="h" if horizontal else "v",
        marker={"color": [HIDDEN_COLOUR if h else colour for h in hidden], "opacity": 1,
                "pattern": {"shape": [HIDDEN_PATTERN if h else "" for h in hidden], "fgcolor": "#555555"}},
        text=[HIDDEN_LABEL if h else "" for h in hidden], textposition="inside",
        customdata=[HIDDEN_LABEL if h else "" for h in hidden],
        hovertemplate=[f"%{{{axis}}}: {HIDDEN_LABEL}<extra></extra>" if h else f"%{{{axis}}}: %{{{value}:,.1f}}<extra></extra>" for h in hidden],
    )  # fmt: skip


def _hidden(table: PublishedTable, column: str, rows: pd.Index | None = None) -> np.ndarray:
    mask = table.hidden_cells[column]
    return (mask if rows is None else mask.loc[rows]).to_numpy(dtype=bool)


@unless_withheld
def share_bars(table: PublishedTable, by: str, *, title: str, baseline: bool = True, intervals: bool = True,
               what: str = "participants") -> ReportFigure:  # fmt: skip
    """Bars of shares with Wilson intervals, and the baseline share as markers when present.

    Pass ``intervals=False`` for published percentages: without the underlying counts an
    interval would be invented; `what` names what the shares are of (axis and legend). Hidden shares are hatched bars labelled "suppressed". Long or
    many labels give horizontal bars, first category on top.
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
    flat = _horizontal(labels)
    # with every share hidden, hidden bars reach the baseline markers instead of being stubs
    fill = (
        float(data["baseline_share"].max() * 100) if baseline and "baseline_share" in data else 1.0
    )
    fill = fill if fill > 0 else 1.0
    bars = _bars(
        labels,
        share * 100,
        hidden,
        name=f"Share of {what} (%)",
        colour=PALETTE[0],
        horizontal=flat,
    )
    if hidden.all():  # every share hidden: the hatched bars reach the baseline, not stubs of 1%
        bars.update({"x" if flat else "y": [fill] * len(labels)})
    error = {"type": "data", "symmetric": False, "array": ((high - share) * 100).where(~hidden).tolist(),
             "arrayminus": ((share - low) * 100).where(~hidden).tolist(), "visible": intervals and not hidden.all()}  # fmt: skip
    bars.update({"error_x" if flat else "error_y": error})
    fig = go.Figure(bars)
    if baseline and "baseline_share" in data:
        base = (data["baseline_share"] * 100).tolist()
        fig.add_trace(go.Scatter(**({"x": base, "y": labels} if flat else {"x": labels, "y": base}), mode="markers",
                                 name=f"Baseline: {_label(data['baseline'].iloc[0])}",
                                 marker={"symbol": "diamond", "size": 12, "color": PALETTE[1]}))  # fmt: skip
    axis = {"title": f"Share of {what} (%)", "ticksuffix": "%"}
    if flat:  # the legend between the title and the bars, clear of the axis title
        fig.update_layout(title=title, xaxis=axis, yaxis={"autorange": "reversed"}, margin={"t": 100},
                          legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
                          height=200 + 38 * len(labels))  # fmt: skip
    else:
        fig.update_layout(title=title, yaxis=axis, legend={"orientation": "h", "y": -0.2})
    parts = [f"{lbl}: {HIDDEN_LABEL}" if h else (f"{lbl}: {s * 100:.1f}%" if pd.notna(s) else f"{lbl}: no data")
             for lbl, s, h in zip(labels, share, hidden, strict=True)]  # fmt: skip
    kind = (
        "Bar chart of shares with 95% intervals" if intervals else "Bar chart of published shares"
    )
    alt = f"{title}. {kind}. " + "; ".join(parts) + "."
    return ReportFigure(fig, alt, data, published.legend)


@unless_withheld
def heatmap(
    table: PublishedTable, rows: str, cols: str, *, title: str, zlabel: str = "Participants"
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
                               hoverongaps=False, texttemplate="%{z:,.0f}"))  # fmt: skip
    marks = np.where(hidden.to_numpy(), 1.0, np.nan)
    fig.add_trace(go.Heatmap(z=marks, x=x, y=y, colorscale=[[0, HIDDEN_COLOUR], [1, HIDDEN_COLOUR]], showscale=False,
                             text=np.where(hidden.to_numpy(), HIDDEN_LABEL, ""), texttemplate="%{text}", hoverongaps=False,
                             hovertemplate=f"%{{y}}, %{{x}}: {HIDDEN_LABEL}<extra></extra>", name=HIDDEN_LABEL))  # fmt: skip
    # long column names are set at an angle, with room below for them
    fig.update_layout(title=title, yaxis={"autorange": "reversed"},
                      xaxis={"tickangle": -30 if _horizontal(x) else 0, "side": "bottom"})  # fmt: skip
    shown = matrix.where(~hidden)
    alt = (f"{title}. Heatmap of {matrix.shape[0]} rows by {matrix.shape[1]} columns; "
           f"largest cell {shown.max().max():,.0f}; {int(hidden.to_numpy().sum())} cells {HIDDEN_LABEL}.")  # fmt: skip
    return ReportFigure(fig, alt, shown, published.legend)


#: Lower edges of the map's colour classes: roughly doubling, so a country with 10 and one with
#: 600 participants look different (a linear scale paints all but the largest the same).
MAP_BINS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


def map_classes(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Each value's class (0, 1, ...) and the classes' names ("5–9", "10–24", ..., "500 or more"),
    from :data:`MAP_BINS` cut to the classes the values reach."""
    low = max(float(values.min()), 1.0) if len(values) else 1.0
    top = max(float(values.max()), 1.0) if len(values) else 1.0
    start = max(b for b in MAP_BINS if b <= low)
    edges = [b for b in MAP_BINS if start <= b <= top]
    names = [f"{a:,}–{b - 1:,}" for a, b in itertools.pairwise(edges)] + [f"{edges[-1]:,} or more"]
    classes = pd.Series(
        np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1, index=values.index
    )
    return classes.clip(lower=0), names


@unless_withheld
def world_map(table: PublishedTable, *, title: str, value: str = "count") -> ReportFigure:
    """Choropleth of a per-country table (``iso3`` and `value`) in classes that roughly double
    (:func:`map_classes`), drawn offline; hidden countries grey, named "suppressed" on hover."""
    published = require_published(table, "world_map")
    data = published.table
    hidden = _hidden(published, value)
    values = data[value][~hidden].astype(float)
    classes, names = map_classes(values)
    n = len(names)
    colours = pc.sample_colorscale(SEQUENTIAL, [i / max(n - 1, 1) for i in range(n)])
    scale = [[edge, colours[i]] for i in range(n) for edge in (i / n, (i + 1) / n)]
    names_text = data["name"][~hidden] if "name" in data else data["iso3"][~hidden]
    fig = go.Figure(go.Choropleth(locations=data["iso3"][~hidden], z=classes + 0.5, zmin=0, zmax=n, locationmode="ISO-3",
                                  colorscale=scale, text=names_text, customdata=values, marker_line_color="white",
                                  hovertemplate="%{text}: %{customdata:,.0f}<extra></extra>",
                                  colorbar={"title": f"{column_label(value)}<br>(per country)", "tickvals": [i + 0.5 for i in range(n)],
                                            "ticktext": names, "ticks": ""}))  # fmt: skip
    if hidden.any():
        fig.add_trace(go.Choropleth(locations=data["iso3"][hidden], z=[1.0] * int(hidden.sum()), locationmode="ISO-3",
                                    colorscale=[[0, HIDDEN_COLOUR], [1, HIDDEN_COLOUR]], showscale=False, name=HIDDEN_LABEL,
                                    text=data["name"][hidden] if "name" in data else None, marker_line_color="white",
                                    hovertemplate=f"%{{text}}: {HIDDEN_LABEL}<extra></extra>"))  # fmt: skip
        fig.add_annotation(text=f"<span style='color:{HIDDEN_COLOUR}'>■</span> {HIDDEN_LABEL} (fewer than the threshold, or hidden)"
                                f"   □ {'no participant, or left out (see below)' if published.left_out else 'no participant'}",
                           showarrow=False,
                           x=0, y=0, xref="paper", yref="paper", xanchor="left", bgcolor="white")  # fmt: skip
    fig.update_geos(projection_type="natural earth", projection_rotation={"lon": 10}, center={"lon": 10, "lat": 10},
                    showcountries=True, showframe=False, resolution=110, lataxis_range=[-58, 85])  # fmt: skip
    fig.update_layout(title=title, margin={"l": 0, "r": 0, "t": 50, "b": 0})
    alt = (f"{title}. World map of {int((~hidden).sum())} countries shaded by {column_label(value).lower()} in classes "
           f"({', '.join(names)}) and {int(hidden.sum())} shown grey as {HIDDEN_LABEL}; the same figures are in the table below.")  # fmt: skip
    return ReportFigure(fig, alt, data, published.legend)


def date_axis(dates: pd.Series) -> tuple[list, str]:
    """A chart's x values for `dates` and how hover reads them: a date known to the month only
    (``period[M]``) as "2021-03", the value its table downloads, read "March 2021"; a day as
    the day ("27 May 2024")."""
    if isinstance(dates.dtype, pd.PeriodDtype) and dates.dtype.freq.freqstr.startswith("M"):
        return dates.dt.strftime("%Y-%m").tolist(), "%B %Y"
    return pd.to_datetime(dates).tolist(), "%-d %b %Y"


def month_span(dates: pd.Series) -> dict[str, str]:
    """Trace settings that draw a month (``period[M]``) across its month, its point or bar in the
    middle: a milestone of 30 May then stands before June's bar, not on it."""
    if isinstance(dates.dtype, pd.PeriodDtype) and dates.dtype.freq.freqstr.startswith("M"):
        return {"xperiod": "M1", "xperiodalignment": "middle"}
    return {}


def _when(value: object) -> str:
    """A date in a sentence: a month as "March 2024", a day as "27 May 2024"."""
    if isinstance(value, pd.Period):
        day = value.start_time
        return (
            value.strftime("%B %Y") if value.freqstr.startswith("M") else f"{day.day} {day:%B %Y}"
        )
    return f"{pd.Timestamp(value):%B %Y}"


def milestone_marks(
    fig: go.Figure, shown: pd.DataFrame, top: float, colour: str = PALETTE[3]
) -> str:
    """Number the milestones on the chart (staggered on three rows so close dates do not collide)
    and return their key, "1 = WSIS+20 ...", for the caption."""
    for i, m in enumerate(shown.itertuples(), start=1):
        x = pd.Timestamp(m.start)
        fig.add_vline(x=x.timestamp() * 1000, line_dash="dot", line_color=colour)
        fig.add_annotation(x=x, y=top * (1.06 + 0.07 * (i % 3)), text=f"<b>{i}</b>", showarrow=False,
                           font={"color": colour, "size": 12}, bgcolor="white")  # fmt: skip
    return "; ".join(f"{i} = {m.milestone} ({pd.Timestamp(m.start).day} {pd.Timestamp(m.start):%b %Y})"
                     for i, m in enumerate(shown.itertuples(), start=1))  # fmt: skip


@unless_withheld
def timeline(
    table: PublishedTable, milestones: pd.DataFrame, *, title: str, y: str = "activities"
) -> ReportFigure:
    """Bars per period with the WSIS+20 milestones (dates and names only) as numbered lines."""
    published = require_published(table, "timeline")
    series = published.table
    hidden = _hidden(published, y)
    x, hover = date_axis(series["period"])
    bars = _bars(x, series[y].astype(float), hidden, name=column_label(y), colour=PALETTE[0])
    fig = go.Figure(bars.update(month_span(series["period"])))
    shown = milestones[["start", "milestone"]].drop_duplicates("start").sort_values("start")
    top = series[y].where(~hidden).astype(float).max()
    top = float(top) if pd.notna(top) else 1.0
    key = milestone_marks(fig, shown, top)
    fig.add_trace(go.Scatter(x=shown["start"], y=[top * 1.02] * len(shown), mode="markers",
                             name="WSIS+20 milestone (numbered, see below)", text=shown["milestone"], hoverinfo="text+x",
                             marker={"symbol": "triangle-down", "color": PALETTE[3], "size": 10}))  # fmt: skip
    fig.update_layout(title=title, yaxis_title=column_label(y), yaxis_range=[0, top * 1.3],
                      xaxis={"type": "date", "hoverformat": hover}, legend={"orientation": "h", "y": -0.2})  # fmt: skip
    visible = series[~hidden].dropna(subset=[y])
    peak = visible.loc[visible[y].astype(float).idxmax()] if len(visible) else None
    alt = f"{title}. {len(series)} periods, {int(hidden.sum())} {HIDDEN_LABEL}" + (
        f"; peak {float(peak[y]):,.0f} in {_when(peak['period'])}." if peak is not None else "."
    )
    return ReportFigure(fig, f"{alt} Milestones: {key}." if key else alt, series, published.legend)


@unless_withheld
def grouped_bars(table: PublishedTable, *, x: str, color: str, y: str, title: str) -> ReportFigure:
    """Grouped bars (e.g. activities by topic, one colour per region); hidden bars hatched.
    Long or many category labels give horizontal bars, first category on top."""
    published = require_published(table, "grouped_bars")
    data = published.table.assign(_hidden=_hidden(published, y))
    flat = _horizontal(data[x].map(_label).drop_duplicates().tolist())
    fig = go.Figure()
    for i, (key, group) in enumerate(data.groupby(color, observed=True, sort=False)):
        fig.add_trace(_bars(group[x].map(_label).tolist(), group[y].astype(float), group["_hidden"].to_numpy(),
                            name=_label(key), colour=PALETTE[i % len(PALETTE)], horizontal=flat))  # fmt: skip
    legend = (
        {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
        if flat
        else {"orientation": "h", "y": -0.3}
    )
    fig.update_layout(barmode="group", title=title, legend=legend)
    if flat:
        n = data[x].nunique()
        fig.update_layout(xaxis_title=column_label(y), yaxis={"autorange": "reversed"}, margin={"t": 110},
                          height=220 + n * (12 * data[color].nunique() + 12))  # fmt: skip
    else:
        fig.update_layout(yaxis_title=column_label(y))
    if data["_hidden"].any():  # the bars may be too thin to carry their own label
        fig.add_annotation(text=f"<span style='color:#777777'>▨</span> hatched grey bars: {HIDDEN_LABEL}", showarrow=False,
                           xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-48)  # fmt: skip
        fig.update_layout(margin={"b": 100})  # room for the key below the axis title
    top = data[~data["_hidden"]].dropna(subset=[y]).nlargest(3, y)
    largest = "; ".join(
        f"{C.display_label(r[x], capital=True)}, {C.display_label(r[color])}: {r[y]:,.{0 if float(r[y]).is_integer() else 1}f}"
        for _, r in top.iterrows()
    )
    alt = f"{title}. Largest bars: {largest}; {int(data['_hidden'].sum())} {HIDDEN_LABEL}."
    return ReportFigure(fig, alt, data.drop(columns="_hidden"), published.legend)
