from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from wsisanalysis import schema as C
from wsisanalysis.metrics import (
    activity_timeline,
    concentration,
    country_coverage,
    coverage,
    development_coverage,
    exclude_host,
    matrix,
    milestone_windows,
    reference_baseline,
    retention,
    suppress,
    table_baseline,
    topic_region,
    wilson_interval,
)

REGIONS = st.sampled_from([*C.ICANN_REGIONS, None])
GROUPS = st.sampled_from(list(C.STAKEHOLDER_GROUPS))


@st.composite
def participation(draw, max_rows=60):
    n = draw(st.integers(0, max_rows))
    return pd.DataFrame(
        {
            C.ICANN_REGION: draw(st.lists(REGIONS, min_size=n, max_size=n)),
            C.STAKEHOLDER_GROUP: draw(st.lists(GROUPS, min_size=n, max_size=n)),
            C.COUNT: draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)),
        }
    )


@pytest.mark.parametrize(
    ("x", "n"), [(0, 10), (3, 10), (10, 10), (202, 1578), (1, 3), (560, 1578)]
)
def test_wilson_matches_statsmodels(x, n):
    low, high = wilson_interval([x], [n])
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert low[0] == pytest.approx(ref_low, abs=1e-12)
    assert high[0] == pytest.approx(ref_high, abs=1e-12)


def test_wilson_is_nan_without_a_denominator():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_baseline_comparison_matches_an_independent_chi_square():
    frame = pd.DataFrame(
        {C.ICANN_REGION: ["AF", "AP", "EU", "LAC", "NA"], C.COUNT: [202, 346, 350, 120, 560]}
    )
    base = reference_baseline("internet_users", C.ICANN_REGION)
    table = coverage(frame, C.ICANN_REGION, base, include_unknown=False)
    expected = np.array([base.shares[r] for r in C.ICANN_REGIONS]) * 1578
    independent = stats.chisquare([202, 346, 350, 120, 560], expected)
    assert table.attrs["test"]["statistic"] == pytest.approx(independent.statistic)
    assert table.attrs["test"]["p_value"] == pytest.approx(independent.pvalue)
    assert table.attrs["test"]["reliable"]
    ratio = table.set_index(C.ICANN_REGION)["ratio"]
    assert ratio["NA"] == pytest.approx((560 / 1578) / base.shares["NA"])
    assert table.set_index(C.ICANN_REGION).loc["AP", "under_represented"]
    assert table["baseline"].iloc[0] == base.name
    assert table["baseline_version"].iloc[0]


def test_chi_square_warns_when_expected_counts_are_small():
    frame = pd.DataFrame({C.ICANN_REGION: ["AF", "EU", "NA"], C.COUNT: [1, 2, 3]})
    table = coverage(
        frame,
        C.ICANN_REGION,
        reference_baseline("countries", C.ICANN_REGION),
        include_unknown=False,
    )
    assert not table.attrs["test"]["reliable"]
    assert "below 5" in table.attrs["test"]["note"]


def test_user_and_previous_event_baselines():
    base = table_baseline(
        {"AF": 1, "AP": 1, "EU": 1, "LAC": 1, "NA": 1},
        dimension=C.ICANN_REGION,
        name="equal split",
    )
    frame = pd.DataFrame({C.ICANN_REGION: ["AF", "EU"], C.COUNT: [10, 40]})
    table = coverage(frame, C.ICANN_REGION, base, include_unknown=False)
    assert table.set_index(C.ICANN_REGION)["ratio"].to_dict() == pytest.approx(
        {"AF": 1.0, "AP": 0.0, "EU": 4.0, "LAC": 0.0, "NA": 0.0}
    )


@given(participation())
def test_shares_sum_to_one_or_are_all_nan(frame):
    table = coverage(frame, C.ICANN_REGION)
    assert len(table) == len(C.ICANN_REGIONS) + 1
    assert (table["count"] >= 0).all()
    if table["count"].sum() == 0:
        assert table["share"].isna().all()
    else:
        assert table["share"].sum() == pytest.approx(1.0)
        assert (
            (table["share_low"] <= table["share"]) & (table["share"] <= table["share_high"])
        ).all()


@given(participation())
def test_region_by_group_table_is_complete_and_shares_sum_within_region(frame):
    table = coverage(
        frame, [C.ICANN_REGION, C.STAKEHOLDER_GROUP], within=C.ICANN_REGION, include_unknown=False
    )
    assert len(table) == len(C.ICANN_REGIONS) * (len(C.STAKEHOLDER_GROUPS) - 1)
    for _, group in table.groupby(C.ICANN_REGION, observed=True):
        if group["count"].sum() == 0:
            assert group["share"].isna().all()
        else:
            assert group["share"].sum() == pytest.approx(1.0)


@given(participation())
def test_weighting_by_count_equals_expanding_rows(frame):
    expanded = frame.loc[frame.index.repeat(frame[C.COUNT])].drop(columns=C.COUNT)
    weighted = coverage(frame, C.STAKEHOLDER_GROUP)
    unrolled = coverage(expanded, C.STAKEHOLDER_GROUP)
    pd.testing.assert_frame_equal(weighted, unrolled)


@given(participation(), st.integers(2, 10))
def test_suppressed_tables_publish_no_small_count_and_hide_nothing_recoverable(frame, threshold):
    for by in ([C.ICANN_REGION], [C.ICANN_REGION, C.STAKEHOLDER_GROUP]):
        table = coverage(frame, by, include_unknown=False)
        safe = suppress(table, by=by, threshold=threshold)
        published = safe["count"].dropna()
        assert not ((published > 0) & (published < threshold)).any()
        hidden = safe["count"].isna()
        assert (hidden == (safe["suppressed"] != "")).all()
        # along every total that is published, a hidden cell is never alone
        groupings = [[]] if len(by) == 1 else [[c for c in by if c != col] for col in by]
        for cols in groupings:
            groups = [safe] if not cols else [g for _, g in safe.groupby(cols, observed=True)]
            for g in groups:
                assert g["count"].isna().sum() != 1
        assert safe.loc[hidden, "share"].isna().all()


def test_published_aggregates_can_opt_out_of_suppression():
    table = pd.DataFrame({C.ICANN_REGION: ["AF", "EU"], "count": [3, 50]})
    assert suppress(table, by=C.ICANN_REGION, published=True)["count"].tolist() == [3, 50]


def test_small_denominators_are_flagged_unstable():
    table = coverage(
        pd.DataFrame({C.ICANN_REGION: ["AF"] * 12}), C.ICANN_REGION, include_unknown=False
    )
    assert suppress(table, by=C.ICANN_REGION)["unstable"].all()


def test_country_coverage_lists_the_absent_countries():
    frame = pd.DataFrame({C.COUNTRY_ISO2: ["KE", "GH", "FR"]})
    table = country_coverage(frame, universe="un_members").set_index(C.ICANN_REGION)
    assert table.loc["AF", "countries_present"] == 2
    assert table.loc["AF", "countries_total"] == 54
    assert "NG" in table.loc["AF", "absent"]
    assert "KE" not in table.loc["AF", "absent"]
    dev = development_coverage(pd.DataFrame({C.COUNTRY_ISO2: ["HT", "FJ", "FR"]})).set_index(
        "flag"
    )
    assert dev.loc["ldc", "countries_present"] == 1
    assert dev.loc["sids", "countries_present"] == 2


def test_concentration_names_its_categories_and_matches_hand_computation():
    table = pd.DataFrame({"g": ["a", "b", "c", "unknown"], "count": [50, 30, 20, 99]})
    result = concentration(
        table, "g", baseline=table_baseline({"a": 1, "b": 1, "c": 1}, dimension="g", name="even")
    )
    shares = np.array([0.5, 0.3, 0.2])
    assert result["categories"] == ["a", "b", "c"]
    assert result["hhi"] == pytest.approx((shares**2).sum())
    assert result["evenness"] == pytest.approx(-(shares * np.log(shares)).sum() / np.log(3))
    assert result["gallagher"] == pytest.approx(100 * np.sqrt(0.5 * ((shares - 1 / 3) ** 2).sum()))


def test_matrix_and_host_exclusion():
    frame = pd.DataFrame(
        {
            C.ICANN_REGION: ["AF", "AF", "EU"],
            C.STAKEHOLDER_GROUP: ["government", "academia", "media"],
            C.COUNTRY_ISO2: ["RW", "KE", "FR"],
        }
    )
    m = matrix(frame, include_unknown=False)
    assert m.shape == (5, 8)
    assert m.to_numpy().sum() == 3
    assert exclude_host(frame, "rw")[C.COUNTRY_ISO2].tolist() == ["KE", "FR"]


def test_retention_cohorts():
    frame = pd.DataFrame(
        {
            C.PARTICIPANT_ID: ["p1", "p2", "p3", "p1", "p3", "p4"],
            C.EVENT: ["A", "A", "A", "B", "B", "B"],
            C.DATE: pd.to_datetime(["2024-01-01"] * 3 + ["2025-01-01"] * 3),
        }
    )
    table = retention(frame).set_index(["cohort", "event"])
    assert table.loc[("A", "A"), "participants"] == 3
    assert table.loc[("A", "B"), "participants"] == 2
    assert table.loc[("A", "B"), "rate"] == pytest.approx(2 / 3)
    assert table.loc[("B", "B"), "participants"] == 1


def test_engagement_over_time_and_by_topic(clean_dir):
    frame = pd.read_parquet(clean_dir / "engagement.parquet")
    monthly = activity_timeline(frame)
    assert monthly["activities"].sum() == len(frame)
    assert monthly["period"].is_monotonic_increasing
    windows = milestone_windows(frame)
    assert set(windows["phase"]) == {"before", "during", "after"}
    assert "Zero Draft outcome document published" in set(windows["milestone"])
    grid = topic_region(frame)
    assert len(grid) == (len(C.TOPICS_VOCAB) + 1) * (len(C.ICANN_REGIONS) + 1)
    exploded = frame[C.TOPICS].str.split(";").str.len().sum()
    assert grid["activities"].sum() == exploded


def test_coverage_by_topic_counts_each_listed_topic():
    frame = pd.DataFrame({C.TOPICS: ["ip_addressing;capacity_building", "ip_addressing", None]})
    table = coverage(frame, C.TOPICS).set_index(C.TOPICS)
    assert table.loc["ip_addressing", "count"] == 2
    assert table.loc["capacity_building", "count"] == 1
    assert table.loc["unknown", "count"] == 1
    assert len(table) == len(C.TOPICS_VOCAB) + 1


def test_communities_roll_up_to_their_so_or_ac():
    from wsisanalysis.metrics import rollup_communities

    frame = pd.DataFrame(
        {C.COMMUNITY: pd.Categorical(["AFRALO", "NARALO", "NCUC", "RySG", "ccNSO"], C.COMMUNITIES)}
    )
    table = coverage(rollup_communities(frame), C.COMMUNITY, include_unknown=False).set_index(
        C.COMMUNITY
    )
    assert table.loc["ALAC", "count"] == 2
    assert table.loc["GNSO", "count"] == 2
    assert "AFRALO" not in table.index


def test_registrations_that_never_attended_are_not_counted_as_participants():
    from wsisanalysis.metrics import absent_countries, country_counts

    frame = pd.DataFrame(
        {
            C.PARTICIPANT_ID: ["p1", "p2", "p3", "p4"],
            C.EVENT: ["E", "E", "E", "F"],
            C.DATE: pd.to_datetime(["2025-01-01"] * 3 + ["2025-02-01"]),
            C.COUNTRY_ISO2: ["KE", "FR", "BR", "BR"],
            C.ICANN_REGION: ["AF", "EU", "LAC", "LAC"],
            C.ATTENDED: pd.array([True, None, False, False], dtype="boolean"),
        }
    )
    table = coverage(frame, C.ICANN_REGION).set_index(C.ICANN_REGION)["count"]
    assert table.to_dict() == {"AF": 1, "AP": 0, "EU": 1, "LAC": 0, "NA": 0, "unknown": 0}
    assert set(country_counts(frame)["iso2"]) == {"KE", "FR"}
    assert "BR" in set(absent_countries(frame)["iso2"])
    lac = country_coverage(frame).set_index(C.ICANN_REGION).loc["LAC", "countries_present"]
    assert lac == 0
    assert set(retention(frame)["event"]) == {"E"}
