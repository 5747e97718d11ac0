"""Disclosure control for published tables and figure data (DESIGN §3.3).

Primary suppression hides counts of people in (0, threshold). Complementary suppression then
hides further cells until no hidden cell can be recovered by subtracting published cells from
a published total, along every grouping the table is summed over (its rows and its columns).
Shares built on a hidden count are hidden too; shares with small denominators are marked
unstable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
UNSTABLE_DENOMINATOR = 30
MARKER = f"<{DEFAULT_THRESHOLD}"
_SHARE_COLUMNS = (
    "share",
    "share_low",
    "share_high",
    "known_share",
    "ratio",
    "ratio_low",
    "ratio_high",
    "rate",
    "under_represented",
)


def _groups_needing_more(
    hidden: pd.Series, values: pd.Series, keys: pd.DataFrame, group_cols: Sequence[str]
) -> list[int]:
    """Rows to hide next: in each group with exactly one hidden cell, the smallest other cell."""
    extra: list[int] = []
    if not group_cols:
        groups = [(None, hidden.index)]
    else:
        key = list(group_cols) if len(group_cols) > 1 else group_cols[0]
        groups = list(keys.groupby(key, observed=True, dropna=False).groups.items())
    for _, idx in groups:
        h = hidden.loc[idx]
        if int(h.sum()) != 1:
            continue
        candidates = values.loc[idx][~h]
        if candidates.empty:
            continue
        # prefer non-zero cells: hiding a zero protects as well, but shows less data lost
        nonzero = candidates[candidates > 0]
        pick = (nonzero if not nonzero.empty else candidates).sort_values(kind="stable").index[0]
        extra.append(pick)
    return extra


def suppress(
    table: pd.DataFrame,
    *,
    count: str = "count",
    by: str | Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    published: bool = False,
    total: str | None = "total",
) -> pd.DataFrame:
    """Return a publishable copy of a count table.

    Parameters
    ----------
    table
        A tidy table with one row per category (or category pair) and a count column.
    count
        The column holding counts of people.
    by
        The category columns. For one column the table's grand total is published; for two
        (e.g. region × group) row and column totals are. Complementary suppression protects
        every one of those totals.
    threshold
        Counts with ``0 < count < threshold`` are hidden (default 5).
    published
        The counts are already public (e.g. an ICANN meeting's published attendance): nothing
        is hidden, the table is only marked.
    total
        A denominator column; hidden when below the threshold and flags ``unstable`` shares.

    Returns
    -------
    pandas.DataFrame
        The table with hidden counts as missing (``Int64``), ``suppressed`` (why: ``primary``,
        ``complementary``, ``missing`` for a count that was never known, or empty), shares on hidden counts missing, and ``unstable`` (the
        denominator is under 30). Does not modify `table`.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["AF", "AP", "EU"], "count": [3, 40, 50]})
    >>> suppress(t, by="region")[["region", "count", "suppressed"]].to_dict("list")
    {'region': ['AF', 'AP', 'EU'], 'count': [None, None, 50], 'suppressed': ['primary', 'complementary', '']}
    """
    out = table.copy()
    by = [by] if isinstance(by, str) else list(by or [])
    raw = pd.to_numeric(out[count], errors="coerce")
    values = raw.fillna(0)  # for choosing cells only: a missing count is never published as 0
    out["suppressed"] = ""
    if published:
        out["suppressed"] = "published"
        out["unstable"] = False
        return out
    hidden, reason = _hidden_cells(out, values, by, threshold)
    out[count] = pd.Series(raw.round(), index=out.index).astype("Int64").mask(hidden)
    out["suppressed"] = reason.mask(raw.isna() & (reason == ""), "missing").to_numpy()
    for col in _SHARE_COLUMNS:
        if col in out:
            out[col] = out[col].mask(hidden)
    return _mark_denominators(out, total, threshold)


def _hidden_cells(
    out: pd.DataFrame, values: pd.Series, by: list[str], threshold: int
) -> tuple[pd.Series, pd.Series]:
    """Primary suppression, then complementary suppression until every published total
    (the grand total, or the totals along each dimension) protects its hidden cells."""
    hidden = (values > 0) & (values < threshold)
    reason = pd.Series(np.where(hidden, "primary", ""), index=out.index, dtype=object)
    keys = out[by] if by else pd.DataFrame(index=out.index)
    # the grand total for one dimension; for two, the totals along each dimension
    groupings = [[]] if len(by) <= 1 else [[c for c in by if c != col] for col in by]
    for _ in range(len(out) + 1):
        extra: list[int] = []
        for group_cols in groupings:
            extra.extend(_groups_needing_more(hidden, values, keys, group_cols))
        extra = [i for i in dict.fromkeys(extra) if not hidden.loc[i]]
        if not extra:
            break
        hidden.loc[extra] = True
        reason.loc[extra] = "complementary"
    return hidden, reason


def _mark_denominators(out: pd.DataFrame, total: str | None, threshold: int) -> pd.DataFrame:
    """Hide a denominator below the threshold; flag shares on a denominator under 30."""
    if total and total in out:
        denominators = pd.to_numeric(out[total], errors="coerce")
        small_total = (denominators > 0) & (denominators < threshold)
        out[total] = pd.Series(denominators, dtype="Int64").mask(small_total)
        out["unstable"] = (denominators < UNSTABLE_DENOMINATOR).fillna(True)
    else:
        out["unstable"] = False
    return out


def display_counts(
    table: pd.DataFrame,
    columns: Sequence[str] = ("count", "total"),
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Render suppressed counts as ``<5`` for tables shown to readers (does not modify `table`)."""
    out = table.copy()
    marker = f"<{threshold}"
    for col in columns:
        if col in out:
            text = out[col].astype("Int64").astype("str")
            out[col] = text.where(out[col].notna(), marker)
    return out
