"""Concentration and evenness of a distribution over a named category set."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis.metrics.baselines import Baseline


def concentration(
    table: pd.DataFrame, by: str, *, count: str = "count", baseline: Baseline | None = None
) -> dict[str, object]:
    """HHI, normalized HHI, Pielou evenness and (with a baseline) the Gallagher index.

    `table` is a coverage table (one row per category). Unknown rows are left out; the
    category set used is returned with the numbers so a reader knows what was measured.

    - ``hhi``: sum of squared shares (1/k for an even spread up to 1 for one category).
    - ``hhi_normalized``: (HHI - 1/k) / (1 - 1/k), 0 = even, 1 = all in one category.
    - ``evenness``: Pielou's J = Shannon entropy / ln(k), 1 = perfectly even.
    - ``gallagher``: sqrt(½ Σ (share − baseline share)²) in percentage points.

    >>> t = pd.DataFrame({"g": ["a", "b"], "count": [5, 5]})
    >>> concentration(t, "g")["evenness"]
    1.0
    """
    known = table[table[by].astype(str) != "unknown"]
    counts = known[count].astype(float).to_numpy()
    categories = known[by].astype(str).tolist()
    k = len(counts)
    total = counts.sum()
    out: dict[str, object] = {"categories": categories, "k": k, "total": float(total)}
    if total <= 0 or k == 0:
        return {
            **out,
            "hhi": np.nan,
            "hhi_normalized": np.nan,
            "evenness": np.nan,
            "gallagher": np.nan,
        }
    shares = counts / total
    hhi = float((shares**2).sum())
    nonzero = shares[shares > 0]
    entropy = float(-(nonzero * np.log(nonzero)).sum())
    out.update(
        hhi=hhi,
        hhi_normalized=float((hhi - 1 / k) / (1 - 1 / k)) if k > 1 else np.nan,
        evenness=float(entropy / np.log(k)) if k > 1 else np.nan,
        gallagher=np.nan,
    )
    if baseline is not None:
        base = np.array([baseline.shares.get(c, 0.0) for c in categories])
        base = base / base.sum() if base.sum() else base
        out["gallagher"] = float(100 * np.sqrt(0.5 * ((shares - base) ** 2).sum()))
        out["baseline"] = baseline.name
    return out
