"""Interval and test statistics used by the coverage metrics.

scipy is imported inside the functions that need it, so importing wsisanalysis (and starting
the command line) does not pay for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


def wilson_interval(
    successes: ArrayLike, totals: ArrayLike, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions, vectorized; NaN where the total is 0 or missing.

    >>> low, high = wilson_interval([202], [1578])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.1124, 0.1454)
    """
    x: np.ndarray = pd.to_numeric(pd.Series(np.ravel(successes)), errors="coerce").to_numpy(float)
    n: np.ndarray = pd.to_numeric(pd.Series(np.ravel(totals)), errors="coerce").to_numpy(float)
    from scipy import stats

    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low = np.clip(centre - half, 0, 1)
        high = np.clip(centre + half, 0, 1)
    low[x == 0] = 0.0  # exact at the edges (no floating-point residue)
    high[x == n] = 1.0
    bad = ~(n > 0) | np.isnan(x)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def z_value(confidence: float = 0.95) -> float:
    """The two-sided normal quantile for `confidence` (1.96 for 95%)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + confidence / 2))


def goodness_of_fit(observed: object, expected_shares: object) -> dict[str, object]:
    """Chi-square goodness of fit of counts against fixed baseline shares.

    Returns the statistic, degrees of freedom, p-value, the smallest expected count and
    ``reliable`` (every expected count >= 5, the usual condition for the chi-square
    approximation) with a plain-language ``note``. A category whose baseline share is 0 but
    which has people is kept: the baseline cannot produce such a table, so the statistic is
    infinite and p = 0 (it is never dropped to report p = 1).
    """
    obs = np.asarray(observed, dtype=float)
    shares = np.asarray(expected_shares, dtype=float)
    impossible = (shares <= 0) & (obs > 0)
    keep = shares > 0
    n = obs.sum()
    if n == 0 or keep.sum() < 2:
        return {"statistic": np.nan, "dof": max(int(keep.sum()) - 1, 0), "p_value": np.nan, "min_expected": np.nan,
                "reliable": False, "note": "no observations to test"}  # fmt: skip
    if impossible.any():
        return {"statistic": np.inf, "dof": len(obs) - 1, "p_value": 0.0, "min_expected": 0.0, "reliable": True,
                "note": f"{int(impossible.sum())} categor{'y has' if impossible.sum() == 1 else 'ies have'} people but a baseline share of 0: the baseline cannot produce this table"}  # fmt: skip
    from scipy import stats

    obs, shares = obs[keep], shares[keep] / shares[keep].sum()
    expected = shares * n
    result = stats.chisquare(obs, expected)
    return _test_result(float(result.statistic), len(obs) - 1, float(result.pvalue), expected)


def homogeneity(observed: object, baseline_counts: object) -> dict[str, object]:
    """Chi-square test that two counted tables (this event and a baseline event) share the
    same distribution (scipy.stats.chi2_contingency), for baselines that are themselves
    estimates. Categories empty in both are left out."""
    table = np.vstack(
        [np.asarray(observed, dtype=float), np.asarray(baseline_counts, dtype=float)]
    )
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return {"statistic": np.nan, "dof": 0, "p_value": np.nan, "min_expected": np.nan,
                "reliable": False, "note": "no observations to test"}  # fmt: skip
    from scipy import stats

    result = stats.chi2_contingency(table, correction=False)
    return _test_result(
        float(result.statistic), int(result.dof), float(result.pvalue), result.expected_freq
    )


def _test_result(
    statistic: float, dof: int, p_value: float, expected: np.ndarray
) -> dict[str, object]:
    smallest = float(np.min(expected))
    reliable = smallest >= 5
    note = (
        "expected counts are all at least 5: the chi-square approximation holds"
        if reliable
        else f"some expected counts are below 5 (smallest {smallest:.1f}): treat the p-value as unreliable"
    )
    return {"statistic": statistic, "dof": dof, "p_value": p_value, "min_expected": smallest,
            "reliable": reliable, "note": note}  # fmt: skip
