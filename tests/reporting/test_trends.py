"""Trends across events (issue #15): the series the trends page draws."""

from __future__ import annotations

from wsisanalysis.reference import igf_meetings
from wsisanalysis.reporting import trends


def test_the_igf_trend_puts_each_year_at_its_meetings_first_day():
    series = trends.igf_series()
    first_day = igf_meetings().set_index("year")["start"]
    assert (series["date"] == series["year"].map(first_day)).all()
    published_by_group = [2022, 2025]  # the years published by UN regional group
    assert sorted(series["year"].unique()) == published_by_group
