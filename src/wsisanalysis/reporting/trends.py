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
from wsisanalysis.reporting.figures import PALETTE, ReportFigure
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
    """ICANN meetings' regional shares (published figures), one row per meeting × region."""
    shares = published.meeting_shares()
    day = pd.to_datetime({"year": shares["year"], "month": shares["month"], "day": 1})
    out = shares.assign(date=day, icann_region=shares["icann_region"].astype(str))
    return out[["meeting", "date", "icann_region", "share", "attendance"]].dropna(subset=["share"])


def igf_series() -> pd.DataFrame:
    """IGF participation by UN regional group per year (published percentages), each year at
    the first day of that year's meeting (shipped reference data, :func:`igf_meetings`)."""
    first_day = igf_meetings().set_index("year")["start"]
    parts = []
    for year in sorted(published.IGF_HOSTS):
        try:
            table = published.igf_participation(year, by="un_regional_group")
        except WsisAnalysisError:
            continue  # that year was not published by regional group
        parts.append(table.assign(year=year, date=first_day[year]))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(share=out["percent"] / 100)[["year", "date", "label", "share"]]


def milestones(since: str = "2021-01-01") -> pd.DataFrame:
    """Precisely dated WSIS+20 milestones from `since` (date and name only)."""
    timeline = wsis_timeline(precise_only=True)
    return timeline.loc[timeline["start"] >= pd.Timestamp(since), ["start", "milestone"]]


@unless_withheld
def trend_lines(table: PublishedTable, *, color: str, y: str, title: str,
                marks: pd.DataFrame | None = None, percent: bool = True) -> ReportFigure:  # fmt: skip
    """One line per `color` category over ``date`` (shares in % with `percent`), hidden points left
    as gaps, and the WSIS+20 milestones in `marks` as dotted vertical lines, a marker naming each."""
    scale, x = (100 if percent else 1), "date"
    data = require_published(table, "trend_lines").table
    hidden = table.hidden_cells[y] if y in table.hidden_cells else pd.Series(False, data.index)
    fig = go.Figure()
    for i, (name, rows) in enumerate(data.groupby(color, sort=True, observed=True)):
        values = rows[y].where(~hidden[rows.index]).astype(float) * scale
        fig.add_trace(go.Scatter(x=rows[x], y=values, mode="lines+markers", name=C.display_label(name, capital=True),
                                 line={"color": PALETTE[i % len(PALETTE)]}, connectgaps=False))  # fmt: skip
    shown = marks.drop_duplicates("start") if marks is not None else pd.DataFrame()
    for mark in shown.itertuples():
        fig.add_vline(
            x=pd.Timestamp(mark.start).timestamp() * 1000, line_dash="dot", line_color="#888"
        )
    if len(shown):
        top = float((data[y].where(~hidden).astype(float) * scale).max()) * 1.05
        fig.add_trace(go.Scatter(x=shown["start"], y=[top] * len(shown), mode="markers", name="WSIS+20 milestone",
                                 text=shown["milestone"], hoverinfo="text+x",
                                 marker={"symbol": "triangle-down", "color": "#888", "size": 9}))  # fmt: skip
    fig.update_layout(
        title=title,
        yaxis_title="Share (%)" if percent else column_label(y),
        legend={"orientation": "h", "y": -0.2},
    )
    alt = (f"{title}. {data[x].nunique()} points in time, {data[color].nunique()} series, "
           f"{int(hidden.sum())} {HIDDEN_LABEL}; {len(shown)} WSIS+20 milestones marked.")  # fmt: skip
    return ReportFigure(fig, alt, data, table.legend)
