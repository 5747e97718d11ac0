"""Trends across events (issue #15): the series the trends page draws."""

from __future__ import annotations

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import guard, published_aggregate
from wsisanalysis.reference import igf_meetings
from wsisanalysis.reporting import trends


def test_the_igf_trend_puts_each_year_at_its_meetings_first_day():
    series = trends.igf_series()
    first_day = igf_meetings().set_index("year")["start"]
    assert (series["date"] == series["year"].map(first_day)).all()
    published_by_group = [2022, 2025]  # the years published by UN regional group
    assert sorted(series["year"].unique()) == published_by_group


def test_the_igf_trend_names_each_group_by_the_vocabulary_not_the_publishers_label():
    series = trends.igf_series()
    assert "label" not in series
    assert "Latin American and Caribbean Group (GRULAC)" in set(series[C.UN_REGIONAL_GROUP])


def test_icann_meetings_are_dated_to_the_month_only_as_published():
    """The blogs give a meeting's year and month: the series says so (a month, not day 1)."""
    dates = trends.meeting_series()["date"]
    assert dates.dtype == pd.PeriodDtype("M")
    assert str(dates.iloc[0]) == "2021-03"


def test_the_milestones_marked_are_the_main_ones_within_the_plotted_period():
    marks = trends.milestones("2021-01-01")
    assert len(marks) < len(trends.milestones("2021-01-01", main_only=False))
    names = " ".join(marks["milestone"])
    assert "UNGA High-Level Meeting on WSIS+20" in names and "A/RES/80/173" in names
    assert "Deadline for written comments" not in names  # a procedural step, not a milestone
    within = trends.within_period(marks, pd.Series(pd.to_datetime(["2022-11-28", "2025-06-23"])))
    assert within["start"].between("2022-11-28", "2025-06-23").all() and len(within) < len(marks)


def _lines(frame: pd.DataFrame, marks: pd.DataFrame | None = None, **kwargs):
    table = published_aggregate(frame, ["date", "group"], "test")
    return trends.trend_lines(table, color="group", y="share", title="t", marks=marks, **kwargs)


def test_lines_that_lie_on_each_other_are_told_apart_by_dash_and_marker_and_said_so():
    frame = pd.DataFrame({"date": pd.to_datetime(["2022-11-28", "2025-06-23"] * 3),
                          "group": ["A", "A", "B", "B", "C", "C"], "share": [0.5, 0.6, 0.1, 0.2, 0.1, 0.2]})  # fmt: skip
    fig = _lines(frame)
    lines = [t for t in fig.figure.data if "lines" in t.mode]
    assert len({t.line.dash for t in lines}) == 3 and len({t.marker.symbol for t in lines}) == 3
    assert "B and C have the same values: their lines lie on each other" in fig.alt


def test_milestones_are_numbered_with_their_key_under_the_chart_and_months_read_as_months():
    frame = pd.DataFrame({"date": pd.PeriodIndex(["2024-03", "2024-06"] * 2, freq="M"),
                          "group": ["A", "A", "B", "B"], "share": [0.5, 0.6, 0.5, 0.4]})  # fmt: skip
    marks = pd.DataFrame({"start": pd.to_datetime(["2024-05-27", "2020-01-01"]),
                          "milestone": ["WSIS+20 Forum", "Before the chart"]})  # fmt: skip
    fig = _lines(frame, marks)
    assert [a.text for a in fig.figure.layout.annotations] == ["<b>1</b>"]
    assert "numbered on the chart: 1 = WSIS+20 Forum (27 May 2024)." in fig.alt
    assert "Before the chart" not in fig.alt
    assert list(fig.figure.data[0].x) == ["2024-03", "2024-06"]  # the table's months, not day 1
    assert fig.figure.layout.xaxis.hoverformat == "%B %Y"


def test_a_hidden_point_is_a_gap_in_its_line_marked_suppressed():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 3),
                          "group": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
                          "count": [30, 3, 35, 40, 50, 45, 60, 70, 65]})  # fmt: skip
    fig = trends.trend_lines(
        guard(frame, ["date", "group"]), color="group", y="count", title="t", percent=False
    )
    drawn = [float(v) for t in fig.figure.data for v in (() if t.y is None else t.y)]
    assert 3.0 not in drawn and any(v > 0 for v in drawn)
    assert "0 suppressed" not in fig.alt
    crosses = [t for t in fig.figure.data if t.name == "suppressed"]  # the gap is marked
    assert len(crosses) == 1 and len(crosses[0].x) == int(
        fig.alt.split(" suppressed")[0].split()[-1]
    )
    assert set(crosses[0].y) == {0}
