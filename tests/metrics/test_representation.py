"""Representation against a baseline: worked examples and seeded simulations (fast, vectorized
over replicates through the same functions coverage() uses)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wsisanalysis import schema as C
from wsisanalysis.metrics import coverage, goodness_of_fit, reference_baseline, table_baseline
from wsisanalysis.metrics.coverage import previous_baseline
from wsisanalysis.metrics.representation import impact_ratio, ratio_interval
from wsisanalysis.metrics.stats import wilson_interval

SHARES = np.array([0.10, 0.20, 0.30, 0.15, 0.25])
REPLICATES = 4000


def _frame(counts):
    return pd.DataFrame({C.ICANN_REGION: list(C.ICANN_REGIONS), C.COUNT: counts})


def _even():
    return table_baseline(
        dict(zip(C.ICANN_REGIONS, SHARES, strict=True)), dimension=C.ICANN_REGION, name="worked"
    )


def test_four_fifths_compares_with_the_highest_rate_worked_example():
    # rates (share / baseline share): AF .2/.1 = 2.0 (highest), AP .1/.2 = .5, EU .3/.3 = 1,
    # LAC .15/.15 = 1, NA .25/.25 = 1. Impact ratios: 1, .25, .5, .5, .5
    table = coverage(
        _frame([200, 100, 300, 150, 250]), C.ICANN_REGION, _even(), include_unknown=False
    )
    t = table.set_index(C.ICANN_REGION)
    assert t["ratio"].to_dict() == pytest.approx({"AF": 2, "AP": 0.5, "EU": 1, "LAC": 1, "NA": 1})
    assert t["impact_ratio"].to_dict() == pytest.approx(
        {"AF": 1, "AP": 0.25, "EU": 0.5, "LAC": 0.5, "NA": 0.5}
    )
    # Katz interval of AP against AF, 4 comparisons (Bonferroni z at 1 - 0.05/4)
    from scipy import stats

    z = stats.norm.ppf(1 - 0.05 / 8)
    half = z * np.sqrt(1 / 100 + 1 / 200)
    assert t.loc["AP", "impact_high"] == pytest.approx(0.25 * np.exp(half))
    assert t.loc["AP", "impact_low"] == pytest.approx(0.25 * np.exp(-half))
    # EU, LAC and NA are at the baseline (ratio 1) yet below four fifths of the highest rate
    assert t["under_represented"].to_dict() == {
        "AF": False,
        "AP": True,
        "EU": True,
        "LAC": True,
        "NA": True,
    }


def test_flag_needs_the_interval_not_just_the_point_below_four_fifths():
    # impact 0.7 for LAC on small counts: point below 0.8, interval reaches above -> no flag
    counts = [20, 40, 60, 21, 50]  # rates 200, 200, 200, 140, 200 (per unit of baseline)
    table = coverage(_frame(counts), C.ICANN_REGION, _even(), include_unknown=False).set_index(
        C.ICANN_REGION
    )
    assert table.loc["LAC", "impact_ratio"] == pytest.approx(0.7)
    assert table.loc["LAC", "impact_high"] > 0.8
    assert not table.loc["LAC", "under_represented"]
    # the same shares from 50 times as many people: the interval is below 0.8 too -> flag
    big = coverage(
        _frame([c * 50 for c in counts]), C.ICANN_REGION, _even(), include_unknown=False
    )
    assert big.set_index(C.ICANN_REGION).loc["LAC", "under_represented"]


def test_a_census_flags_on_the_point_against_a_fixed_baseline():
    frame = _frame([20, 40, 60, 21, 50])
    frame.attrs["nature"] = "census"
    table = coverage(frame, C.ICANN_REGION, _even(), include_unknown=False).set_index(
        C.ICANN_REGION
    )
    assert table.loc["LAC", "impact_low"] == table.loc["LAC", "impact_high"] == pytest.approx(0.7)
    assert table.loc["LAC", "under_represented"]


def test_katz_interval_for_an_estimated_baseline_worked_example():
    previous = _frame([10, 20, 30, 15, 25])  # 100 people at an earlier event
    base = previous_baseline(previous, dimension=C.ICANN_REGION, name="ICANN79")
    assert base.sample_size == 100
    table = coverage(_frame([20, 20, 30, 15, 15]), C.ICANN_REGION, base, include_unknown=False)
    af = table.set_index(C.ICANN_REGION).loc["AF"]
    # r = (20/100) / (10/100) = 2; var log r = 1/20 - 1/100 + 1/10 - 1/100
    half = 1.959963984540054 * np.sqrt(1 / 20 - 1 / 100 + 1 / 10 - 1 / 100)
    assert af["ratio"] == pytest.approx(2)
    assert af["ratio_low"] == pytest.approx(2 * np.exp(-half))
    assert af["ratio_high"] == pytest.approx(2 * np.exp(half))
    assert table.attrs["test"]["method"] == "chi-square homogeneity (two tables)"


def test_host_is_excluded_from_both_sides():
    frame = pd.DataFrame(
        {
            C.COUNTRY_ISO2: ["US", "CA", "FR", "IN", "BR", "KE"],
            C.ICANN_REGION: ["NA", "NA", "EU", "AP", "LAC", "AF"],
            C.COUNT: [300, 20, 100, 100, 50, 30],
        }
    )
    both = reference_baseline("internet_users", exclude="US")
    assert both.excluded == ("US",) and "excluding US" in both.name
    table = coverage(frame, C.ICANN_REGION, both, include_unknown=False).set_index(C.ICANN_REGION)
    assert table["count"].sum() == 300  # the 300 from the host are gone too
    assert table.loc["NA", "ratio"] == pytest.approx((20 / 300) / both.shares["NA"])
    one_sided = coverage(frame[frame[C.COUNTRY_ISO2] != "US"], C.ICANN_REGION,
                         reference_baseline("internet_users"), include_unknown=False)  # fmt: skip
    assert one_sided.set_index(C.ICANN_REGION).loc["NA", "ratio"] < 1.1
    assert table.loc["NA", "ratio"] > 8


def test_baseline_version_names_the_data_years():
    version = reference_baseline("internet_users").version
    assert "2016–2024" in version and "World Bank 2024" in version
    # the name, printed wherever a baseline is, carries the data years too
    assert reference_baseline("internet_users").name == (
        "internet users (latest year per country, 2016–2024) per ICANN region"
    )
    assert reference_baseline("population").name == "population (World Bank 2024) per ICANN region"
    # India's 2024 value moves Asia-Pacific's share of internet users from 58.2% to 60.6%
    assert reference_baseline("internet_users").shares["AP"] == pytest.approx(0.6056, abs=5e-4)


def test_chi_square_keeps_a_category_with_people_and_no_baseline_share():
    result = goodness_of_fit([10, 5, 3], [0.5, 0.5, 0.0])
    assert result["p_value"] == 0.0 and np.isinf(result["statistic"])
    assert "baseline share of 0" in result["note"]
    assert np.isfinite(goodness_of_fit([10, 5, 0], [0.5, 0.5, 0.0])["p_value"])


# --- simulations ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [100, 200, 500])
def test_ratio_interval_covers_95_percent_with_a_fixed_baseline(n):
    rng = np.random.default_rng(n)
    x = rng.multinomial(n, SHARES, size=REPLICATES).astype(float)
    _, low, high = ratio_interval(x, SHARES)
    covered = ((low <= 1) & (high >= 1)).mean()
    assert 0.93 <= covered <= 0.97


@pytest.mark.parametrize(("n", "m"), [(100, 100), (200, 400), (500, 250)])
def test_ratio_interval_covers_95_percent_with_an_estimated_baseline(n, m):
    rng = np.random.default_rng(n + m)
    x = rng.multinomial(n, SHARES, size=REPLICATES).astype(float)
    y = rng.multinomial(m, SHARES, size=REPLICATES).astype(float)
    _, low, high = ratio_interval(x, y / m, y=y, m=m)
    covered = ((low <= 1) & (high >= 1)).mean()
    assert 0.93 <= covered <= 0.97
    # ignoring the baseline's own uncertainty (the Wilson interval scaled) covers far less
    w_low, w_high = wilson_interval(x, np.full(x.shape, n))
    naive = ((w_low.reshape(x.shape) * m / y <= 1) & (w_high.reshape(x.shape) * m / y >= 1)).mean()
    assert naive < 0.9


@pytest.mark.parametrize("n", [100, 200, 1000])
@pytest.mark.parametrize("estimated", [False, True])
def test_flag_false_alarm_rate_at_a_true_ratio_of_one_is_at_most_5_percent(n, estimated):
    rng = np.random.default_rng(7 * n + estimated)
    x = rng.multinomial(n, SHARES, size=REPLICATES).astype(float)
    y = rng.multinomial(n, SHARES, size=REPLICATES).astype(float) if estimated else None
    b = SHARES if y is None else y / n
    flag = impact_ratio(x, b, y=y)[3]
    any_flag = (flag == 1).any(axis=1).mean()  # any category flagged in a table
    assert any_flag <= 0.05
    # the old rule (point ratio against the baseline below 0.8) fires far more often
    if not estimated and n <= 200:
        assert ((x / n) / SHARES < 0.8).any(axis=1).mean() > 0.25


def test_flag_has_power_when_a_group_is_at_half_the_rate():
    rng = np.random.default_rng(3)
    true = SHARES * np.array([1, 0.5, 1, 1, 1])
    x = rng.multinomial(500, true / true.sum(), size=REPLICATES).astype(float)
    flag = impact_ratio(x, SHARES)[3]
    assert (flag[:, 1] == 1).mean() > 0.8
