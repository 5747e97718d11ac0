"""Cell-level rules: primary and complementary suppression, and hiding what a hidden cell
would give back (DESIGN §3.3).

Primary suppression hides counts of people in (0, threshold). Complementary suppression then
hides further cells until no hidden cell is alone along a published total, along every grouping
the table is summed over (its rows and its columns). Every other number in a hidden cell's row
(share, interval, ratio, flag, cohort size...) is derived from it and hidden with it, by rule:
only the key columns and the columns listed in :data:`INDEPENDENT` (facts that do not depend
on the counts) survive. The linear-programming audit in :mod:`.audit` then checks what this
heuristic leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
UNSTABLE_DENOMINATOR = 30
#: How every hidden cell is shown, whether hidden as a small count or to protect another.
HIDDEN_LABEL = "suppressed"
#: Columns that state facts independent of how many people are in the row.
INDEPENDENT = frozenset(
    {"baseline", "baseline_version", "baseline_share", "countries_total", "countries_listed",
     "name", "iso3", "iso2", "flag", "absent", "meaning", "group"}
)  # fmt: skip


def legend(threshold: int, count: str | None = "count") -> str:
    """The sentence under every guarded table and figure: what ``suppressed`` means.

    A count column named for what it counts (``activities``, ``rows``) names it; ``count``
    counts people.
    """
    unit = "people" if count in (None, "count") else str(count).replace("_", " ")
    return (
        f"{HIDDEN_LABEL}: fewer than {threshold} {unit}, or hidden so that such a count cannot "
        "be worked out from the other figures; every number derived from it is hidden too."
    )


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """`by` as a list of column names."""
    return [by] if isinstance(by, str) else list(by or [])


def counts_of(column: pd.Series) -> pd.Series:
    """A count column as floats (missing as 0)."""
    return pd.to_numeric(column, errors="coerce").fillna(0).astype(float)


def primary(values: pd.Series, threshold: int) -> pd.Series:
    """Counts of people that are too small to publish: ``0 < count < threshold``."""
    return (values > 0) & (values < threshold)


def _pick(hidden: pd.Series, values: pd.Series, idx: pd.Index) -> int | None:
    """In a group with exactly one hidden cell, its smallest other cell (non-zero first)."""
    h = hidden.loc[idx]
    if int(h.sum()) != 1:
        return None
    candidates = values.loc[idx][~h]
    if candidates.empty:
        return None
    nonzero = candidates[candidates > 0]
    return (nonzero if not nonzero.empty else candidates).sort_values(kind="stable").index[0]


def _groupings(by: Sequence[str]) -> list[list[str]]:
    """The totals a table is summed along: the grand total, or each dimension's margins."""
    if len(by) <= 1:
        return [[]]
    return [[c for c in by if c != col] for col in by]


def complementary(hidden: pd.Series, values: pd.Series, keys: pd.DataFrame) -> pd.Series:
    """Cells to hide so that no hidden cell is alone along any published total."""
    hidden = hidden.copy()
    groups_by = []
    for cols in _groupings(list(keys.columns)):
        if not cols:
            groups_by.append([hidden.index])
        else:
            key = cols if len(cols) > 1 else cols[0]
            groups_by.append(list(keys.groupby(key, observed=True, dropna=False).groups.values()))
    for _ in range(len(hidden) + 1):
        extra = [_pick(hidden, values, idx) for groups in groups_by for idx in groups]
        new = [i for i in dict.fromkeys(e for e in extra if e is not None) if not hidden.loc[i]]
        if not new:
            break
        hidden.loc[new] = True
    return hidden


def hide_derived(frame: pd.DataFrame, hidden: pd.Series, keep: Iterable[str]) -> pd.DataFrame:
    """Hide, in hidden rows, every column except `keep` and :data:`INDEPENDENT` ones."""
    out = frame.copy()
    kept = set(keep) | INDEPENDENT
    for col in out.columns:
        if col in kept or not hidden.any():
            continue
        if pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = out[col].astype("boolean")
        elif pd.api.types.is_integer_dtype(out[col].dtype):
            out[col] = out[col].astype("Int64")
        out[col] = out[col].mask(hidden.to_numpy())
    return out


def suppress(
    table: pd.DataFrame,
    *,
    count: str = "count",
    by: str | Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    published: bool = False,
    total: str | None = "total",
) -> pd.DataFrame:
    """Return a publishable copy of a count table (primary and complementary suppression).

    `by` names the category columns: for one, the grand total is taken as published; for two
    or more, each dimension's totals are. Hidden counts are missing (``Int64``) with their
    reason in ``suppressed`` (``primary`` or ``complementary``, for the audit and never shown;
    ``missing`` for a count that was never known, which stays missing, never 0);
    every column derived from a hidden count, or from a denominator `total` under the
    threshold, is hidden with it; ``unstable`` marks denominators under 30. ``published=True``
    (counts that are already public) hides nothing. Does not modify `table`.

    >>> t = pd.DataFrame({"region": ["AF", "AP", "EU"], "count": [3, 40, 50], "share": [.03, .43, .54]})
    >>> suppress(t, by="region")[["count", "share", "suppressed"]].to_dict("list")
    {'count': [None, None, 50], 'share': [nan, nan, 0.54], 'suppressed': ['primary', 'complementary', '']}
    """
    out = table.copy()
    if published:
        return out.assign(suppressed="published", unstable=False)
    by = as_list(by)
    raw = pd.to_numeric(out[count], errors="coerce")
    values = raw.fillna(0).astype(float)  # for choosing cells only: missing is never shown as 0
    first = primary(values, threshold)
    hidden = complementary(first, values, out[by] if by else pd.DataFrame(index=out.index))
    out[count] = raw.round().astype("Int64").mask(hidden)
    reason = np.where(first, "primary", np.where(hidden, "complementary", ""))
    out["suppressed"] = np.where(raw.isna().to_numpy() & (reason == ""), "missing", reason)
    small_total = pd.Series(False, index=out.index)
    if total and total in out:
        denominators = pd.to_numeric(out[total], errors="coerce")
        small_total = primary(denominators.fillna(0), threshold)
        out[total] = denominators.round().astype("Int64").mask(small_total)
        out["unstable"] = (denominators < UNSTABLE_DENOMINATOR).fillna(True)
    else:
        out["unstable"] = False
    return hide_derived(
        out, hidden | small_total, {count, *(by or []), total or "", "suppressed", "unstable"}
    )


def display_counts(
    table: pd.DataFrame,
    columns: Sequence[str] = ("count", "total"),
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Render hidden counts as ``suppressed`` for tables shown to readers (does not modify `table`)."""
    out = table.copy()
    for col in columns:
        if col in out:
            text = out[col].astype("Int64").astype("str")
            out[col] = text.where(out[col].notna(), HIDDEN_LABEL)
    return out
