"""Which countries took part, which did not (the outreach list), and LDC/LLDC/SIDS coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.reference import reference_countries


def _universe(universe: str) -> pd.DataFrame:
    ref = reference_countries()
    if universe == "un_members":
        return ref[ref["un_member"]]
    return ref[ref[C.ICANN_REGION].notna() & ref["iso3"].notna()]


def country_coverage(
    frame: pd.DataFrame, by: str = C.ICANN_REGION, *, universe: str = "all"
) -> pd.DataFrame:
    """Countries represented per category out of the countries in it, with the absent ones.

    Parameters
    ----------
    universe
        ``all`` (every ISO country and territory with an ICANN region) or ``un_members``.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``countries_total``, ``countries_present``, ``share`` and
        ``absent`` (ISO codes, sorted; the outreach target list).
    """
    ref = _universe(universe)
    present = set(frame[C.COUNTRY_ISO2].dropna().unique())
    rows = []
    for category, group in ref.groupby(by, observed=False):
        isos = set(group["iso2"])
        here = isos & present
        rows.append(
            {
                by: category,
                "countries_total": len(isos),
                "countries_present": len(here),
                "share": len(here) / len(isos) if isos else np.nan,
                "absent": sorted(isos - here),
            }
        )
    return pd.DataFrame(rows)


def absent_countries(frame: pd.DataFrame, *, universe: str = "all") -> pd.DataFrame:
    """The countries with nobody in `frame`, with their region and development flags."""
    ref = _universe(universe)
    present = set(frame[C.COUNTRY_ISO2].dropna().unique())
    cols = [
        "iso2",
        "name",
        C.ICANN_REGION,
        C.UN_REGIONAL_GROUP,
        C.LDC,
        C.LLDC,
        C.SIDS,
        "population",
    ]
    return (
        ref.loc[~ref["iso2"].isin(present), cols]
        .sort_values([C.ICANN_REGION, "name"])
        .reset_index(drop=True)
    )


def development_coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Coverage of the UN's LDC, LLDC and SIDS lists: countries present out of listed."""
    ref = reference_countries()
    present = set(frame[C.COUNTRY_ISO2].dropna().unique())
    rows = []
    for flag, label in (
        (C.LDC, "Least developed countries"),
        (C.LLDC, "Landlocked developing countries"),
        (C.SIDS, "Small island developing states"),
    ):
        listed = set(ref.loc[ref[flag].fillna(False).astype(bool), "iso2"])
        here = listed & present
        weight = pd.to_numeric(
            frame.get(C.COUNT, pd.Series(1, index=frame.index)), errors="coerce"
        ).fillna(1)
        people = int(weight[frame[C.COUNTRY_ISO2].isin(listed)].sum())
        rows.append({"group": label, "flag": flag, "countries_listed": len(listed), "countries_present": len(here),
                     "share": len(here) / len(listed), "count": people, "absent": sorted(listed - here)})  # fmt: skip
    return pd.DataFrame(rows)


def country_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Weighted count per country present, with ISO3, name, ICANN region and UN regional group
    (for maps; the groupings a reader may sum the map by, for the disclosure audit)."""
    ref = reference_countries().set_index("iso2")
    weight = pd.to_numeric(
        frame.get(C.COUNT, pd.Series(1, index=frame.index)), errors="coerce"
    ).fillna(1)
    counts = weight.groupby(frame[C.COUNTRY_ISO2]).sum().astype("int64")
    counts = counts[counts.index.isin(ref.index)]
    out = ref.loc[counts.index, ["iso3", "name", C.ICANN_REGION, C.UN_REGIONAL_GROUP]].assign(
        count=counts.to_numpy()
    )
    return (
        out.rename_axis("iso2")
        .reset_index()
        .sort_values("count", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
