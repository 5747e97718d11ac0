"""Representation against a baseline: ratios, their intervals, the four-fifths flag, a test.

Definitions (each tested against worked examples in ``tests/metrics/test_representation.py``):

ratio
    A category's share of the participants with a known category, divided by its baseline
    share. 1 means represented as in the baseline.
ratio interval (95%)
    Against a fixed baseline (reference data) the Wilson interval of the share divided by the
    baseline share. Against an estimated baseline (a previous event, with ``sample_size``)
    the Katz log interval, which adds the baseline's own sampling variance:
    ``exp(log r ± z·sqrt(1/x − 1/n + 1/y − 1/m))``. For a census the share is exact and only
    the baseline's variance (if any) remains.
impact ratio and the four-fifths flag
    As in adverse-impact analysis (the US Uniform Guidelines' "four-fifths rule"), each
    category's rate (its ratio) is compared with the *highest* category's rate:
    ``impact_ratio = ratio / max(ratio)``. Its interval is a Katz log interval for the ratio
    of two shares of the same table, variance ``1/x_g + 1/x_max`` (plus ``1/y_g + 1/y_max``
    for an estimated baseline), at 95% jointly over the k − 1 comparisons with the highest
    category (Bonferroni: each at 1 − 0.05/(k − 1)), because the highest category is itself
    picked from the data. ``under_represented`` is true only when the whole interval lies
    below 0.8 — the point estimate alone is not enough. For a census with a fixed baseline
    there is no sampling error and the point decides.
test
    For a sample against a fixed baseline, chi-square goodness of fit; against an estimated
    baseline, chi-square homogeneity of the two tables. No test for a census or for
    percentages: nothing was sampled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis.metrics.baselines import Baseline
from wsisanalysis.metrics.counts import SAMPLE
from wsisanalysis.metrics.stats import goodness_of_fit, homogeneity, wilson_interval, z_value

FOUR_FIFTHS = 0.8
CONFIDENCE = 0.95
NOT_SAMPLED = "the table is not a sample (a census or published percentages): there is no sampling variation to test"


def compare(counts: pd.DataFrame, column: str, baseline: Baseline) -> pd.DataFrame:
    """Add the baseline comparison to a one-dimension coverage table.

    Adds ``baseline``, ``baseline_version``, ``baseline_share``, ``known_share`` (share among
    the categories the baseline knows), ``ratio``, ``ratio_low``, ``ratio_high``,
    ``impact_ratio``, ``impact_low``, ``impact_high`` and ``under_represented`` (see the
    module's definitions), and ``attrs["test"]``.
    """
    out = counts.copy()
    sampled = counts.attrs.get("nature", SAMPLE) == SAMPLE
    out["baseline"] = baseline.name
    out["baseline_version"] = baseline.version
    out["baseline_share"] = out[column].astype(str).map(baseline.shares).astype(float)
    known = out["baseline_share"].notna()
    known_sum = out.loc[known, "share"].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["known_share"] = (out["share"] / known_sum).where(known & (known_sum > 0))
    # the observed weights: counts for a sample, exact shares otherwise (only ratios of them matter)
    weight = out["count"] if sampled else out["share"]
    x = weight.where(known).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    b = out["baseline_share"].to_numpy(dtype=float)
    m = baseline.sample_size
    y = None if m is None else b * m
    out["ratio"], out["ratio_low"], out["ratio_high"] = ratio_interval(
        x, b, sampled=sampled, y=y, m=m
    )
    impact, low, high, flag = impact_ratio(x, b, sampled=sampled, y=y)
    out["impact_ratio"], out["impact_low"], out["impact_high"] = impact, low, high
    out["under_represented"] = pd.array(flag, dtype="boolean")
    out.attrs["test"] = _test(out, known, column, baseline, x=x if sampled else None, y=y)
    return out


def _inverse(k: np.ndarray) -> np.ndarray:
    """1/k with the 0.5 continuity correction for empty cells."""
    return 1 / np.where(k > 0, k, 0.5)


def ratio_interval(
    x: np.ndarray,
    b: np.ndarray,
    *,
    sampled: bool = True,
    y: np.ndarray | None = None,
    m: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Representation ratio and its 95% interval, vectorized over the last axis (categories).

    `x` holds the observed counts (or exact shares when not `sampled`), `b` the baseline
    shares; `y` of `m` the baseline's own counts when it is an estimate. Categories the
    baseline does not know are NaN in `x` and `b`.

    >>> r, low, high = ratio_interval(np.array([50.0, 50.0]), np.array([0.5, 0.5]))
    >>> float(r[0]), round(float(low[0]), 3), round(float(high[0]), 3)
    (1.0, 0.808, 1.192)
    """
    x = np.asarray(x, dtype=float)
    n = np.nansum(x, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(b > 0, b, np.nan)
        ratio = (x / np.where(n > 0, n, np.nan)) / base
        if y is None and sampled:  # fixed baseline: the share's Wilson interval, scaled
            low, high = wilson_interval(x, np.broadcast_to(n, x.shape))
            return ratio, low.reshape(x.shape) / base, high.reshape(x.shape) / base
        if y is None:  # a census against fixed shares: exact
            return ratio, np.full(x.shape, np.nan), np.full(x.shape, np.nan)
        variance = (_inverse(x) - 1 / n if sampled else 0) + _inverse(y) - 1 / float(m or np.inf)
        half = z_value() * np.sqrt(np.clip(variance, 0, None))
        return ratio, ratio * np.exp(-half), ratio * np.exp(half)


def impact_ratio(
    x: np.ndarray, b: np.ndarray, *, sampled: bool = True, y: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each category's rate against the highest category's, its 95% interval and the
    four-fifths flag (the whole interval below 0.8), vectorized over the last axis.

    >>> impact, low, high, flag = impact_ratio(np.array([60.0, 40.0]), np.array([0.5, 0.5]))
    >>> round(float(impact[1]), 3), round(float(high[1]), 3), bool(flag[1])
    (0.667, 0.995, False)
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = x / np.where(b > 0, b, np.nan)
        valid = np.isfinite(rate)
        top = np.argmax(np.where(valid, rate, -np.inf), axis=-1)[..., None]
        top_rate = np.take_along_axis(rate, top, axis=-1)
        impact = np.where(top_rate > 0, rate / top_rate, np.nan)
        variance = np.zeros(x.shape)
        if sampled:
            variance = variance + _inverse(x) + _inverse(np.take_along_axis(x, top, axis=-1))
        if y is not None:
            yy = np.broadcast_to(y, x.shape)
            variance = variance + _inverse(yy) + _inverse(np.take_along_axis(yy, top, axis=-1))
        np.put_along_axis(variance, top, 0.0, axis=-1)
        comparisons = max(int(valid.sum(axis=-1).max(initial=0)) - 1, 1)
        half = z_value(1 - (1 - CONFIDENCE) / comparisons) * np.sqrt(variance)
        low, high = impact * np.exp(-half), impact * np.exp(half)
    flag = np.where(np.isfinite(impact), high < FOUR_FIFTHS, np.nan)
    return impact, low, high, flag


def _test(
    out: pd.DataFrame,
    known: pd.Series,
    column: str,
    baseline: Baseline,
    *,
    x: np.ndarray | None,
    y: np.ndarray | None,
) -> dict[str, object]:
    categories = out.loc[known, column].astype(str).tolist()
    about = {"baseline": baseline.name, "categories": categories}
    if x is None:
        return {"statistic": np.nan, "dof": 0, "p_value": np.nan, "min_expected": np.nan,
                "reliable": False, "note": NOT_SAMPLED, "method": "none", **about}  # fmt: skip
    keep = known.to_numpy()
    if y is None:
        result = goodness_of_fit(x[keep], out.loc[known, "baseline_share"])
        return {**result, "method": "chi-square goodness of fit", **about}
    result = homogeneity(x[keep], y[keep])
    return {**result, "method": "chi-square homogeneity (two tables)", **about}
