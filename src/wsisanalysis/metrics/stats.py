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


def goodness_of_fit(observed: object, expected_shares: object) -> dict[str, object]:
    """Chi-square goodness of fit of counts against baseline shares (scipy.stats.chisquare).

    Returns the statistic, degrees of freedom, p-value, the smallest expected count and
    ``reliable`` (every expected count >= 5, the usual condition for the chi-square
    approximation) with a plain-language ``note``.
    """
    obs = np.asarray(observed, dtype=float)
    shares = np.asarray(expected_shares, dtype=float)
    keep = shares > 0
    obs, shares = obs[keep], shares[keep] / shares[keep].sum()
    n = obs.sum()
    if n == 0 or len(obs) < 2:
        return {"statistic": np.nan, "dof": max(len(obs) - 1, 0), "p_value": np.nan, "min_expected": np.nan,
                "reliable": False, "note": "no observations to test"}  # fmt: skip
    from scipy import stats

    expected = shares * n
    result = stats.chisquare(obs, expected)
    reliable = bool(expected.min() >= 5)
    note = (
        "expected counts are all at least 5: the chi-square approximation holds"
        if reliable
        else f"some expected counts are below 5 (smallest {expected.min():.1f}): treat the p-value as unreliable"
    )
    return {
        "statistic": float(result.statistic),
        "dof": len(obs) - 1,
        "p_value": float(result.pvalue),
        "min_expected": float(expected.min()),
        "reliable": reliable,
        "note": note,
    }
