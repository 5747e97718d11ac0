"""Counts are numbers of people, and what a table is decides which statistics it gets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics import coverage, reference_baseline, suppress
from wsisanalysis.metrics.counts import CountError
from wsisanalysis.metrics.published import icann_meeting_attendance, igf_participation


@pytest.mark.parametrize(
    ("counts", "named"),
    [
        ([3, None, 5], ["row 1 (count: missing)"]),
        ([3, 2.7, 5], ["row 1 (count: 2.7)"]),
        ([3, -3, 5], ["row 1 (count: -3)"]),
        (["3", "x", "5"], ["row 1 (count: 'x')"]),
        ([None, None, 1], ["row 0", "row 1"]),
    ],
)
def test_coverage_refuses_counts_that_are_not_people(counts, named):
    frame = pd.DataFrame({C.ICANN_REGION: ["AF", "EU", "NA"], C.COUNT: counts})
    with pytest.raises(CountError) as caught:
        coverage(frame, C.ICANN_REGION)
    for name in named:
        assert name in str(caught.value)
    assert "whole number of people" in str(caught.value)


def test_error_names_source_rows_of_a_clean_table():
    frame = pd.DataFrame({C.ICANN_REGION: ["AF", "EU"], C.COUNT: [1, None],
                          C.SOURCE: ["a.csv", "b.xlsx"], C.SOURCE_ROW: [4, 17]})  # fmt: skip
    with pytest.raises(CountError, match=r"b\.xlsx:17 \(count: missing\)"):
        coverage(frame, C.ICANN_REGION)


def test_icann77_with_unpublished_regions_is_refused_not_half_europe():
    # LAC and NA were not captured: counting them as one person each gave Europe 50%
    with pytest.raises(CountError, match="2 rows"):
        coverage(icann_meeting_attendance("ICANN77"), C.ICANN_REGION)


def test_a_census_gets_exact_shares_and_no_interval_or_test():
    table = coverage(
        icann_meeting_attendance("ICANN80"),
        C.ICANN_REGION,
        reference_baseline("internet_users", C.ICANN_REGION),
        include_unknown=False,
    )
    assert table.attrs["nature"] == "census"
    assert table["count"].sum() == 1004
    assert table[["share_low", "share_high", "ratio_low", "ratio_high"]].isna().all().all()
    assert np.isnan(table.attrs["test"]["p_value"])
    assert "not a sample" in table.attrs["test"]["note"]
    af = table.set_index(C.ICANN_REGION).loc["AF"]
    assert af["share"] == pytest.approx(445 / 1004)


def test_igf_percentages_with_a_published_total_become_counts_of_a_census():
    published = igf_participation(2022, "region")
    assert published.attrs == {"nature": "percentages", "total": 5120}
    table = coverage(published, C.UN_REGIONAL_GROUP, include_unknown=False).set_index(
        C.UN_REGIONAL_GROUP
    )
    assert table.loc["Asia-Pacific Group", "share"] == pytest.approx(0.15)
    assert table.loc["Asia-Pacific Group", "count"] == 768  # 15% of 5,120
    assert table["total"].eq(5120).all()
    assert table[["share_low", "share_high"]].isna().all().all()  # never "as if 100 people"
    assert table.attrs["nature"] == "census"


def test_igf_percentages_without_a_total_get_shares_only():
    published = igf_participation(2025, "region")
    assert published.attrs["total"] is None  # "more than 9,435" is a bound, not a total
    table = coverage(
        published,
        C.UN_REGIONAL_GROUP,
        reference_baseline("un_members", C.UN_REGIONAL_GROUP),
        include_unknown=False,
    )
    assert table["count"].isna().all() and table["total"].isna().all()
    assert table[["share_low", "share_high", "ratio_low", "ratio_high"]].isna().all().all()
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.attrs["nature"] == "percentages"
    assert np.isnan(table.attrs["test"]["statistic"])


def test_a_sample_keeps_its_intervals_and_test():
    frame = pd.DataFrame(
        {C.ICANN_REGION: ["AF", "AP", "EU", "LAC", "NA"], C.COUNT: [20, 30, 25, 10, 15]}
    )
    table = coverage(frame, C.ICANN_REGION, reference_baseline("countries"), include_unknown=False)
    assert table.attrs["nature"] == "sample"
    assert table[["share_low", "share_high", "ratio_low", "ratio_high"]].notna().all().all()
    assert np.isfinite(table.attrs["test"]["p_value"])


def test_suppress_never_publishes_a_missing_count_as_zero():
    table = pd.DataFrame({C.ICANN_REGION: ["AF", "AP", "EU"], "count": [None, 40, 50]})
    safe = suppress(table, by=C.ICANN_REGION)
    assert safe["count"].isna().tolist() == [True, False, False]
    assert safe["suppressed"].tolist() == ["missing", "", ""]


def test_development_coverage_takes_the_events_date():
    from wsisanalysis.metrics import development_coverage

    frame = pd.DataFrame(
        {C.COUNTRY_ISO2: ["BT", "NP"], C.DATE: pd.to_datetime(["2023-07-03"] * 2)}
    )
    wsis_forum_2023 = development_coverage(frame).set_index("flag")
    assert wsis_forum_2023.loc["ldc", "countries_listed"] == 46
    assert wsis_forum_2023.loc["ldc", "countries_present"] == 2
    assert wsis_forum_2023.attrs["as_of"] == "2023-07-03"
    later = development_coverage(frame, as_of="2025-06-23").set_index("flag")
    assert later.loc["ldc", "countries_listed"] == 44
    assert later.loc["ldc", "countries_present"] == 1  # Bhutan graduated on 13 Dec 2023


def test_igf_2022_read_as_a_sample_uses_its_5120_participants_not_100():
    from wsisanalysis.metrics import as_sample

    un = reference_baseline("un_members", C.UN_REGIONAL_GROUP)
    published = igf_participation(2022, "region")
    table = coverage(as_sample(published), C.UN_REGIONAL_GROUP, un, include_unknown=False)
    ap = table.set_index(C.UN_REGIONAL_GROUP).loc["Asia-Pacific Group"]
    assert (round(ap["ratio_low"], 2), round(ap["ratio_high"], 2)) == (0.55, 0.62)
    # the old reading, percentages as 100 people, gave 0.36-0.90
    as_100 = published.assign(count=published["percent"].astype(int))
    as_100.attrs = {}
    old = coverage(as_100, C.UN_REGIONAL_GROUP, un, include_unknown=False)
    old_ap = old.set_index(C.UN_REGIONAL_GROUP).loc["Asia-Pacific Group"]
    assert (round(old_ap["ratio_low"], 2), round(old_ap["ratio_high"], 2)) == (0.36, 0.90)
    with pytest.raises(WsisAnalysisError, match="attrs\\['total'\\]"):
        as_sample(igf_participation(2025, "region"))
