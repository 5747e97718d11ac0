"""The metrics reproduce the real published figures exactly."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError, WsisAnalysisWarning
from wsisanalysis.metrics import coverage, reconcile
from wsisanalysis.metrics.published import (
    ccnso_members,
    host_effect,
    icann_meeting_attendance,
    igf_consultation_contributions,
    igf_participation,
    meeting_shares,
    meeting_trend,
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
    assert published.attrs["nature"] == "census"
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
    assert published.attrs["nature"] == "percentages"
    table = coverage(published, column, include_unknown=False)
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
    # "Other: 44" by region is the sum of the named groups, not a category: 43 vs 44
    assert "stakeholder_group 43" in messages[0] and "regional_group 44" in messages[0]


def test_meeting_parameter_is_checked():
    with pytest.raises(WsisAnalysisError, match="Expected one of: ICANN70, ICANN71, ICANN73"):
        icann_meeting_attendance("ICANN99")
    with pytest.raises(WsisAnalysisError, match="Years with one: 2022, 2025"):
        igf_participation(2019, "region")


def test_virtual_and_in_person_meetings_are_labelled_and_icann73_has_no_host():
    table = icann_meeting_attendance().drop_duplicates("meeting").set_index("meeting")
    assert table["attendance"].to_dict() == {
        "ICANN70": "virtual", "ICANN71": "virtual", "ICANN73": "virtual",
        "ICANN74": "in person", "ICANN77": "in person", "ICANN80": "in person",
    }  # fmt: skip
    assert pd.isna(table.loc["ICANN73", "host"])  # planned for San Juan, held online
    assert table.loc["ICANN80", "host"] == "RW"


def test_meeting_shares_use_exact_counts_where_they_exist():
    shares = meeting_shares().set_index(["meeting", C.ICANN_REGION], drop=False)
    assert shares.loc[("ICANN73", "NA"), "share"] == 560 / 1578  # not the rounded 35%
    assert shares.loc[("ICANN73", "NA"), "share_source"] == "counts"
    assert shares.loc[("ICANN77", "EU"), "share"] == pytest.approx(0.20)  # published percent
    assert shares.loc[("ICANN77", "EU"), "share_source"] == "published percent"
    assert pd.isna(shares.loc[("ICANN77", "LAC"), "share"])  # not published: missing, not 0


def test_host_effect_covers_in_person_meetings_only():
    effect = host_effect().set_index("meeting")
    assert list(effect.index) == ["ICANN74", "ICANN80"]  # ICANN77's host region was not captured
    af = effect.loc["ICANN80"]
    assert af["host_region"] == "AF"
    assert af["share_at_host_meeting"] == pytest.approx(445 / 1004)
    assert af["share_elsewhere_mean"] == pytest.approx((73 / 917 + 0.072) / 2)
    assert af["meetings_elsewhere"] == "ICANN74, ICANN77"


def test_trend_lists_every_5_region_meeting_in_date_order():
    trend = meeting_trend()
    assert trend["meeting"].tolist() == ["ICANN70", "ICANN71", "ICANN73", "ICANN74", "ICANN77", "ICANN80"]
    assert "ICANN69" in trend.attrs["left_out"]
    complete = trend.dropna(subset=list(C.ICANN_REGIONS))
    assert complete[list(C.ICANN_REGIONS)].sum(axis=1).round(6).eq(1).all()
