"""Named, versioned baselines: what a fair share of each category would be.

A baseline is a set of shares over the categories of one dimension, with a name and a version
that every comparison reports, so a reader knows what "under-represented" was measured against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._version import __version__
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.reference import reference_countries

REFERENCE_VERSION = f"wsisanalysis {__version__} reference data (population: World Bank 2024; internet use: ITU via OWID, latest year)"

KINDS = ("countries", "un_members", "population", "internet_users")
DIMENSION_LABELS = {
    C.ICANN_REGION: "ICANN region",
    C.M49_REGION: "UN M49 region",
    C.UN_REGIONAL_GROUP: "UN regional group",
    C.INCOME_GROUP: "income group",
}


@dataclass(frozen=True)
class Baseline:
    """Shares per category of one dimension, with the name and version reports print."""

    name: str
    dimension: str
    shares: dict[str, float]
    version: str = ""
    note: str = ""

    def table(self) -> pd.DataFrame:
        """The baseline as a tidy table (category, baseline_share)."""
        return pd.DataFrame(
            {self.dimension: list(self.shares), "baseline_share": list(self.shares.values())}
        )


def normalized_shares(values: Mapping[str, float]) -> dict[str, float]:
    total = float(sum(v for v in values.values() if pd.notna(v)))
    if total <= 0:
        msg = "A baseline needs positive values to turn into shares."
        raise WsisAnalysisError(msg)
    return {str(k): float(v) / total for k, v in values.items() if pd.notna(v)}


def reference_baseline(kind: str, by: str = C.ICANN_REGION) -> Baseline:
    """A baseline from the reference country table.

    Parameters
    ----------
    kind
        ``countries`` (countries and territories per category), ``un_members`` (UN member
        states per category), ``population`` or ``internet_users`` (people per category).
    by
        The dimension: ``icann_region``, ``m49_region``, ``un_regional_group``,
        ``income_group``...

    >>> b = reference_baseline("un_members", "un_regional_group")
    >>> round(b.shares["African Group"] * 193)
    54
    """
    ref = reference_countries()
    if kind not in KINDS:
        msg = f"Unknown baseline {kind!r}. Expected one of: {', '.join(KINDS)} (or a previous event / your own table)."
        raise WsisAnalysisError(msg)
    if by not in ref:
        msg = f"The reference table has no dimension {by!r}. Use one of: icann_region, m49_region, un_regional_group, income_group."
        raise WsisAnalysisError(msg)
    if kind == "countries":
        values = ref.groupby(by, observed=True)["iso2"].count()
    elif kind == "un_members":
        values = ref[ref["un_member"]].groupby(by, observed=True)["iso2"].count()
    else:
        values = ref.groupby(by, observed=True)[kind].sum()
    label = {"countries": "countries and territories", "un_members": "UN member states",
             "population": "population", "internet_users": "internet users"}[kind]  # fmt: skip
    return Baseline(
        f"{label} per {DIMENSION_LABELS.get(by, by)}",
        by,
        normalized_shares(values.to_dict()),
        REFERENCE_VERSION,
    )


def table_baseline(
    values: Mapping[str, float] | pd.Series,
    *,
    dimension: str,
    name: str,
    version: str = "user table",
) -> Baseline:
    """A baseline from your own numbers (counts or shares; they are normalized)."""
    return Baseline(name, dimension, normalized_shares(dict(values)), version)
