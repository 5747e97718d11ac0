"""Check that two breakdowns of the same population add up to the same total."""

from __future__ import annotations

import warnings

import pandas as pd

from wsisanalysis.errors import WsisAnalysisWarning


def reconcile(
    table: pd.DataFrame,
    *,
    population: str,
    breakdown: str,
    count: str = "count",
    tolerance: float = 0,
) -> pd.DataFrame:
    """Compare the totals of each breakdown of each population.

    Parameters
    ----------
    table
        Long table: one row per population × breakdown × category with a count.
    population
        Column naming what is counted (e.g. the consultation page).
    breakdown
        Column naming the breakdown (e.g. ``stakeholder_group`` vs ``regional_group``).

    Returns
    -------
    pandas.DataFrame
        One row per population: the total of every breakdown, ``difference`` (largest minus
        smallest) and ``reconciles``. A :class:`~wsisanalysis.errors.WsisAnalysisWarning` names
        each population that does not reconcile, with both totals.
    """
    counts = pd.to_numeric(table[count], errors="coerce")
    totals = table.assign(_c=counts).pivot_table(
        index=population, columns=breakdown, values="_c", aggfunc="sum", sort=False
    )
    totals.columns = [f"total_{c}" for c in totals.columns]
    out = totals.reset_index()
    values = out[[c for c in out.columns if c.startswith("total_")]]
    out["difference"] = values.max(axis=1) - values.min(axis=1)
    out["reconciles"] = out["difference"] <= tolerance
    for row in out[~out["reconciles"]].itertuples(index=False):
        parts = ", ".join(
            f"{c.removeprefix('total_')} {getattr(row, c):g}" for c in values.columns
        )
        warnings.warn(
            f"{getattr(row, population)!s}: breakdowns do not reconcile ({parts})",
            WsisAnalysisWarning,
            stacklevel=2,
        )
    return out
