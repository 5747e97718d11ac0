"""Trends across events (issue #15): regional shares and representation ratios per event of
the user's data, the published ICANN meetings and IGF years, with the WSIS+20 milestones.

The series are tables for :func:`~wsisanalysis.reporting.tables.publish` (the user's data) or
:func:`~wsisanalysis.reporting.tables.publish_aggregate` (shipped public figures);
:func:`trend_lines` draws a published table only.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wsisanalysis import metrics
from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics import published
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, PublishedTable
from wsisanalysis.reference import igf_meetings, wsis_timeline
from wsisanalysis.reporting.figures import (
    PALETTE,
    ReportFigure,
    date_axis,
    milestone_marks,
    month_span,
)
from wsisanalysis.reporting.tables import column_label, require_published, unless_withheld


def event_regions(frame: pd.DataFrame, baseline: str = "internet_users") -> pd.DataFrame:
    """Per event of `frame` (rows of a clean participation table): participants by ICANN region,
    share of the event, baseline share and representation ratio, with the event's first day.

    One row per event × region (zero rows kept), events in date order.
    """
    if frame.empty:
        msg = "No records: the trend needs at least one event in the clean table."
        raise WsisAnalysisError(msg)
    reference = metrics.reference_baseline(baseline, "icann_region")
    parts = []
    for event, rows in frame.groupby("event", sort=False, observed=True):
        table = metrics.coverage(rows, "icann_region", reference)
        day = pd.to_datetime(rows["date"], errors="coerce").min().strftime("%Y-%m-%d")
        parts.append(table.assign(event=str(event), date=day))
    out = pd.concat(parts, ignore_index=True)
    columns = [
        "event",
        "date",
        "icann_region",
        "count",
        "total",
        "share",
        "baseline_share",
        "ratio",
    ]
    return out.sort_values(["date", "event"], kind="stable")[columns].reset_index(drop=True)


def meeting_series() -> pd.DataFrame:
    """ICANN meetings' regional shares (published figures), one row per meeting × region.

    ``date`` is the meeting's month (``period[M]``): the blogs give the year and month only, so a
    page shows "March 2021", never a first day nobody published.
    """
    shares = published.meeting_shares()
    day = pd.to_datetime({"year": shares["year"], "month": shares["month"], "day": 1})
    out = shares.assign(
        date=day.dt.to_period("M"), icann_region=shares["icann_region"].astype(str)
    )
    return out[["meeting", "date", "icann_region", "share", "attendance"]].dropna(subset=["share"])


def igf_series() -> pd.DataFrame:
    """IGF participation by UN regional group per year (published percentages), each year at
    the first day of that year's meeting (shipped reference data, :func:`igf_meetings`); groups
    by their names in the vocabulary ("Latin American and Caribbean Group (GRULAC)")."""
    first_day = igf_meetings().set_index("year")["start"]
    parts = []
    for year in sorted(published.IGF_HOSTS):
        try:
            table = published.igf_participation(year, by=C.UN_REGIONAL_GROUP)
        except WsisAnalysisError:
            continue  # that year was not published by regional group
        parts.append(table.assign(year=year, date=first_day[year]))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(share=out["percent"] / 100)[["year", "date", C.UN_REGIONAL_GROUP, "share"]]


#: What makes a milestone one a trend chart marks: meetings of several days (WSIS Forums, IGFs,
#: consultations, the General Assembly's high-level meeting) and General Assembly resolutions.
#: One-day procedural steps (drafts, deadlines, letters) stay on the engagement page's timeline.
MAIN_MILESTONES = "meetings of several days and General Assembly resolutions"


def milestones(since: str = "2021-01-01", *, main_only: bool = True) -> pd.DataFrame:
    """Precisely dated WSIS+20 milestones from `since` (date and name only); with `main_only`,
    those of :data:`MAIN_MILESTONES`."""
    timeline = wsis_timeline(precise_only=True)
    keep = timeline["start"] >= pd.Timestamp(since)
    if main_only:
        resolution = timeline["milestone"].str.contains(r"A/RES/|UNGA resolution", regex=True)
        keep &= (timeline["end"] > timeline["start"]) | resolution
    return timeline.loc[keep, ["start", "milestone"]].reset_index(drop=True)


def _positions(dates: pd.Series) -> pd.Series:
    """Where points stand on a date axis: a month (``period[M]``) at its first day."""
    return (
        dates.dt.start_time if isinstance(dates.dtype, pd.PeriodDtype) else pd.to_datetime(dates)
    )


def within_period(marks: pd.DataFrame, dates: pd.Series) -> pd.DataFrame:
    """The milestones of `marks` from the first to the last of `dates` (a chart's points), one
    per day, in date order: a chart marks only what falls inside the period it plots."""
    where = _positions(dates)
    inside = marks["start"].between(where.min(), where.max())
    return marks[inside].drop_duplicates("start").sort_values("start").reset_index(drop=True)


#: Line styles and marker symbols, one per series, so lines that lie on each other stay apart.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")


def _same_values(values: dict[str, pd.Series]) -> list[list[str]]:
    """Groups of series with the same values at every point (lines lying on each other)."""
    groups: dict[tuple, list[str]] = {}
    for name, series in values.items():
        if series.notna().any():
            groups.setdefault(tuple(series.round(9).fillna(-1.0)), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _line_traces(fig: go.Figure, data: pd.DataFrame, hidden: pd.Series, *, color: str, y: str,
                 scale: float) -> tuple[dict[str, pd.Series], list[str]]:  # fmt: skip
    """One line per `color` category, each with its own colour, dash and marker; categories
    with no value and nothing hidden are left out (named in the second list)."""
    drawn, empty = {}, []
    whole = data[y].dropna().astype(float).map(float.is_integer).all() and scale == 1
    number = ",.0f" if whole else (".1f" if scale == 100 else ".2f")
    for i, (key, rows) in enumerate(data.groupby(color, sort=True, observed=True)):
        name = C.display_label(key, capital=True)
        values = rows[y].where(~hidden[rows.index]).astype(float) * scale
        if values.isna().all() and not hidden[rows.index].any():
            empty.append(name)
            continue
        x, _ = date_axis(rows["date"])
        fig.add_trace(go.Scatter(x=x, y=values, mode="lines+markers", name=name, connectgaps=False,
                                 line={"color": PALETTE[i % len(PALETTE)], "dash": DASHES[i % len(DASHES)], "width": 2},
                                 marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 9},
                                 hovertemplate=f"{name}: %{{y:{number}}}{'%' if scale == 100 else ''}<extra></extra>",
                                 **month_span(rows["date"])))  # fmt: skip
        drawn[name] = pd.Series(values.to_numpy(), index=x)
    return drawn, empty


def _hidden_points(fig: go.Figure, data: pd.DataFrame, hidden: pd.Series, color: str) -> None:
    """Each hidden point as a grey cross on the axis, named "suppressed" in the legend and on
    hover, so a gap in a line reads as a hidden count, not as an event without data."""
    rows = data[hidden.to_numpy(dtype=bool)]
    if rows.empty:
        return
    x, _ = date_axis(rows["date"])
    text = [f"{C.display_label(v, capital=True)}: {HIDDEN_LABEL}" for v in rows[color]]
    fig.add_trace(go.Scatter(x=x, y=[0] * len(rows), mode="markers", name=HIDDEN_LABEL, text=text, cliponaxis=False,
                             hovertemplate="%{text}<extra></extra>", **month_span(rows["date"]),
                             marker={"symbol": "x-thin-open", "size": 11, "color": "#777777",
                                     "line": {"width": 2, "color": "#777777"}}))  # fmt: skip


def _mark_milestones(
    fig: go.Figure, marks: pd.DataFrame | None, dates: pd.Series, top: float
) -> str:
    """Number the milestones of `marks` within the plotted period; the key for the caption."""
    if marks is None:
        return ""
    shown = within_period(marks, dates)
    if shown.empty:
        return f" No WSIS+20 milestone ({MAIN_MILESTONES}) falls within this period."
    key = milestone_marks(fig, shown, top, colour="#666666")
    labels = [
        f"{i}. {m.milestone} ({m.start.day} {m.start:%b %Y})"
        for i, m in enumerate(shown.itertuples(), start=1)
    ]
    fig.add_trace(go.Scatter(x=shown["start"], y=[top * 1.28] * len(shown), mode="markers", text=labels,
                             name="WSIS+20 milestone (numbered, see below)", hovertemplate="%{text}<extra></extra>",
                             marker={"symbol": "triangle-down", "color": "#666666", "size": 9}))  # fmt: skip
    fig.update_layout(yaxis_range=[0, top * 1.36])
    return f" WSIS+20 milestones ({MAIN_MILESTONES}) numbered on the chart: {key}."


@unless_withheld
def trend_lines(table: PublishedTable, *, color: str, y: str, title: str,
                marks: pd.DataFrame | None = None, percent: bool = True) -> ReportFigure:  # fmt: skip
    """One line per `color` category over ``date`` (shares in % with `percent`), hidden points left
    as gaps marked by grey crosses named "suppressed", each line with its own dash and marker (said in the caption where two lie on each
    other), and the main WSIS+20 milestones in `marks` that fall within the plotted period as
    numbered dotted lines, their key in the caption. A ``date`` known to the month only
    (``period[M]``) is drawn and read as that month."""
    scale = 100 if percent else 1
    data = require_published(table, "trend_lines").table
    hidden = table.hidden_cells[y] if y in table.hidden_cells else pd.Series(False, data.index)
    fig = go.Figure()
    drawn, empty = _line_traces(fig, data, hidden, color=color, y=y, scale=scale)
    _hidden_points(fig, data, hidden, color)
    top = float((data[y].where(~hidden).astype(float) * scale).max())
    key = _mark_milestones(fig, marks, data["date"], top if top > 0 else 1.0)
    fig.update_layout(title=title, yaxis_title="Share (%)" if percent else column_label(y),
                      xaxis={"type": "date", "hoverformat": date_axis(data["date"])[1]}, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.2})  # fmt: skip
    alt = (f"{title}. {data['date'].nunique()} points in time, {len(drawn)} series, "
           f"{int(hidden.sum())} {HIDDEN_LABEL}.")  # fmt: skip
    for names in _same_values(drawn):
        alt += f" {_names(names)} have the same values: their lines lie on each other."
    if empty:
        alt += f" No value for {_names(empty)}."
    return ReportFigure(fig, alt + key, data, table.legend)
