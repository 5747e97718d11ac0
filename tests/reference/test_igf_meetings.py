"""The IGF meetings' dates ship as reference data and name the events the IGF tables publish."""

from __future__ import annotations

import pandas as pd

from wsisanalysis.metrics import published
from wsisanalysis.reference import igf_meetings, public_table, wsis_timeline

_IGF_TABLES = (
    "igf_participation_totals",
    "igf_participation_by_region",
    "igf_participation_by_stakeholder",
)


def test_every_event_of_the_published_igf_tables_has_its_meeting_and_dates():
    meetings = igf_meetings().set_index("year")
    named = pd.concat(
        [public_table(name)[["year", "host_city"]] for name in _IGF_TABLES], ignore_index=True
    ).drop_duplicates()
    named["year"] = named["year"].astype(int)
    assert set(named["year"]) == set(meetings.index)  # no event missing, none invented
    for event in named.itertuples():
        assert meetings.loc[event.year, "host_city"] == event.host_city, event
    totals = public_table("igf_participation_totals").assign(year=lambda t: t["year"].astype(int))
    assert totals.set_index("year")["meeting"].to_dict() == meetings["meeting"].to_dict()
    hosts = meetings.loc[list(published.IGF_HOSTS), "host_country"].to_dict()
    assert hosts == published.IGF_HOSTS


def test_each_meeting_starts_in_its_year_and_ends_after_it_starts():
    meetings = igf_meetings()
    assert (meetings["start"].dt.year == meetings["year"]).all()
    days = (meetings["end"] - meetings["start"]).dt.days
    assert days.between(2, 4).all()  # the annual meetings last three to five days
    assert meetings["source_url"].str.startswith("http").all()
    assert meetings["verification"].ne("").all()


def test_the_dates_agree_with_the_igf_meetings_of_the_wsis_timeline():
    timeline = wsis_timeline(precise_only=True)
    igf = timeline[timeline["milestone"].str.match(r"IGF \d{4},")]
    assert len(igf) >= 2  # IGF 2024 Riyadh and IGF 2025 Lillestrom
    meetings = igf_meetings().set_index("year")
    for row in igf.itertuples():
        year = int(row.milestone[4:8])
        assert (meetings.loc[year, "start"], meetings.loc[year, "end"]) == (row.start, row.end)
