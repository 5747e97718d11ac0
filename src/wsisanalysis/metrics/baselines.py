"""Named, versioned baselines: what a fair share of each category would be.

A baseline is a set of shares over the categories of one dimension, with a name and a version
that every comparison reports, so a reader knows what "under-represented" was measured against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._version import __version__
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.reference import reference_countries
from wsisanalysis.reference.tables import INTERNET_USE_OLDEST_YEAR

REFERENCE_VERSION = f"wsisanalysis {__version__} reference data"

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
    #: People counted to estimate the shares (a previous event): the ratio interval then
    #: accounts for the baseline's own uncertainty. None: the shares are fixed (reference data).
    sample_size: float | None = None
    #: Host countries (ISO alpha-2) left out of the baseline; coverage() leaves them out of
    #: the participants too, so both sides of the comparison exclude the host.
    excluded: tuple[str, ...] = ()

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


def _years(ref: pd.DataFrame, kind: str) -> str:
    """The data years behind a population or internet-use baseline, for its version line."""
    if kind == "population":
        return f"population: World Bank SP.POP.TOTL {int(ref['population_year'].max())}"
    if kind != "internet_users":
        return "country lists as shipped"
    used = ref.loc[ref["internet_users"].notna(), "internet_users_year"]
    counts = used.value_counts().sort_index()
    mode = int(counts.idxmax())
    left_out = int((ref["population"].notna() & ref["internet_users"].isna()).sum())
    return (
        f"internet use: ITU / World Bank, latest value per country, years {int(used.min())}–"
        f"{int(used.max())} (mostly {mode}); {left_out} countries and territories with a population "
        f"but no value since {INTERNET_USE_OLDEST_YEAR} left out; population: World Bank "
        f"{int(ref['population_year'].max())}"
    )


def _data_year(ref: pd.DataFrame, kind: str) -> str:
    """The data year(s) a baseline's name shows, so every printed baseline carries them."""
    if kind == "population":
        return f"World Bank {int(ref['population_year'].max())}"
    years = ref.loc[ref["internet_users"].notna(), "internet_users_year"]
    return f"latest year per country, {int(years.min())}–{int(years.max())}"


def reference_baseline(
    kind: str, by: str = C.ICANN_REGION, *, exclude: str | Sequence[str] | None = None
) -> Baseline:
    """A baseline from the reference country table.

    Parameters
    ----------
    kind
        ``countries`` (countries and territories per category), ``un_members`` (UN member
        states per category), ``population`` or ``internet_users`` (people per category).
    by
        The dimension: ``icann_region``, ``m49_region``, ``un_regional_group``,
        ``income_group``...
    exclude
        Host country or countries (ISO alpha-2) to leave out of the baseline; coverage()
        then leaves their participants out too.

    The name shows the data years (``internet users (latest year per country, 2016–2024) per
    ICANN region``) and the version line gives the detail, so every printed baseline carries
    its years.

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
    hosts = _hosts(exclude)
    years = _years(ref, kind)
    ref = ref[~ref["iso2"].isin(hosts)]
    if kind == "countries":
        values = ref.groupby(by, observed=True)["iso2"].count()
    elif kind == "un_members":
        values = ref[ref["un_member"]].groupby(by, observed=True)["iso2"].count()
    else:
        values = ref.groupby(by, observed=True)[kind].sum()
    label = {"countries": "countries and territories", "un_members": "UN member states",
             "population": f"population ({_data_year(ref, 'population')})",
             "internet_users": f"internet users ({_data_year(ref, 'internet_users')})"}[kind]  # fmt: skip
    host = f", excluding {', '.join(hosts)}" if hosts else ""
    return Baseline(
        f"{label} per {DIMENSION_LABELS.get(by, by)}{host}",
        by,
        normalized_shares(values.to_dict()),
        f"{REFERENCE_VERSION} ({years})",
        excluded=hosts,
    )


def _hosts(exclude: str | Sequence[str] | None) -> tuple[str, ...]:
    if not exclude:
        return ()
    return tuple(h.upper() for h in ([exclude] if isinstance(exclude, str) else exclude))


def table_baseline(
    values: Mapping[str, float] | pd.Series,
    *,
    dimension: str,
    name: str,
    version: str = "user table",
) -> Baseline:
    """A baseline from your own numbers (counts or shares; they are normalized)."""
    return Baseline(name, dimension, normalized_shares(dict(values)), version)
