"""The metrics reproduce the real published figures exactly."""

from __future__ import annotations

import warnings

import pytest

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisWarning
from wsisanalysis.metrics import coverage, reconcile
from wsisanalysis.metrics.published import (
    ccnso_members,
    icann_meeting_attendance,
    igf_consultation_contributions,
    igf_participation,
)


@pytest.mark.parametrize(
    ("meeting", "total", "counts"),
    [
        ("ICANN73", 1578, {"AF": 202, "AP": 346, "EU": 350, "LAC": 120, "NA": 560}),
        ("ICANN74", 917, {"AF": 73, "AP": 113, "EU": 415, "LAC": 54, "NA": 262}),
        ("ICANN80", 1004, {"AF": 445, "AP": 136, "EU": 153, "LAC": 56, "NA": 214}),
    ],
)
def test_icann_meeting_attendance_by_region_is_reproduced(meeting, total, counts):
    published = icann_meeting_attendance(meeting)
    table = coverage(published, C.ICANN_REGION, include_unknown=False)
    assert table["count"].sum() == total
    assert dict(zip(table[C.ICANN_REGION].astype(str), table["count"], strict=True)) == counts
    # the published percentages are our shares, rounded as ICANN rounded them
    decimals = 1 if meeting == "ICANN80" else 0
    ours = (table.set_index(C.ICANN_REGION)["share"] * 100).round(decimals)
    theirs = published.set_index(C.ICANN_REGION)["percent"]
    assert ours.to_dict() == pytest.approx(theirs.to_dict())


@pytest.mark.parametrize(
    ("year", "by"),
    [(2022, C.STAKEHOLDER_GROUP), (2025, C.STAKEHOLDER_GROUP), (2022, "region"), (2025, "region")],
)
def test_igf_shares_are_reproduced(year, by):
    published = igf_participation(year, by)
    column = published.columns[0]
    assert published[column].notna().all(), "every published label maps to a canonical category"
    weighted = published.assign(count=published["percent"].astype(int))
    table = coverage(weighted, column, include_unknown=False)
    shares = table.set_index(column)["share"].mul(100).round(6)
    for row in published.itertuples():
        assert shares[getattr(row, column)] == pytest.approx(row.percent)
    assert table["share"].sum() == pytest.approx(1.0)


def test_igf_2025_stakeholder_categories_map_to_the_vocabulary():
    mapped = igf_participation(2025)[C.STAKEHOLDER_GROUP].tolist()
    assert mapped == [
        "government",
        "civil_society",
        "private_sector",
        "technical_community",
        "intergovernmental",
        "media",
    ]


def test_ccnso_membership_172_to_166_after_the_2019_removals():
    before = ccnso_members()
    after = ccnso_members(after_2019_removals=True)
    assert before["count"].sum() == 172
    assert after["count"].sum() == 166
    assert dict(zip(after[C.ICANN_REGION].astype(str), after["count"], strict=True)) == {
        "AF": 35,
        "AP": 52,
        "EU": 46,
        "LAC": 27,
        "NA": 6,
    }


def test_reconciliation_flags_only_the_igf_2021_page():
    contributions = igf_consultation_contributions()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = reconcile(contributions, population="process", breakdown="dimension")
    assert len(result) == 9
    assert result["reconciles"].sum() == 8
    bad = result.loc[~result["reconciles"], "process"].tolist()
    assert bad == ["IGF 2021 Suggestions (2020 Stocktaking)"]
    messages = [str(w.message) for w in caught if issubclass(w.category, WsisAnalysisWarning)]
    assert len(messages) == 1
    assert "43" in messages[0] and "88" in messages[0]
