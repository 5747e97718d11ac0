"""Which countries took part, which did not (the outreach list), and LDC/LLDC/SIDS coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.counts import participants, weights
from wsisanalysis.reference import reference_countries


def event_date(frame: pd.DataFrame, as_of: object = None) -> object:
    """The day development-group flags are taken on: `as_of` if given, else the table's
    latest date (the event's), else today."""
    if as_of is not None:
        return as_of
    if C.DATE in frame:
        latest = pd.to_datetime(frame[C.DATE], errors="coerce").max()
        if pd.notna(latest):
            return latest
    return None


def _universe(universe: str, as_of: object = None) -> pd.DataFrame:
    ref = reference_countries(as_of)
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
    present = set(participants(frame)[C.COUNTRY_ISO2].dropna().unique())
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


def absent_countries(
    frame: pd.DataFrame, *, universe: str = "all", as_of: object = None
) -> pd.DataFrame:
    """The countries with nobody in `frame`, with their region and the development flags in
    force on `as_of` (default: the table's latest date, see :func:`event_date`)."""
    ref = _universe(universe, event_date(frame, as_of))
    present = set(participants(frame)[C.COUNTRY_ISO2].dropna().unique())
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


def development_coverage(frame: pd.DataFrame, *, as_of: object = None) -> pd.DataFrame:
    """Coverage of the UN's LDC, LLDC and SIDS lists: countries present out of listed.

    The lists are those in force on `as_of` (default: the table's latest date, the event's;
    see :func:`event_date`): WSIS Forum 2023 counts against 46 LDCs, an event in 2025 against
    44. ``attrs["as_of"]`` names the day.
    """
    ref = reference_countries(event_date(frame, as_of))
    frame = participants(frame)
    present = set(frame[C.COUNTRY_ISO2].dropna().unique())
    rows = []
    for flag, label in (
        (C.LDC, "Least developed countries"),
        (C.LLDC, "Landlocked developing countries"),
        (C.SIDS, "Small island developing states"),
    ):
        listed = set(ref.loc[ref[flag].fillna(False).astype(bool), "iso2"])
        here = listed & present
        people = int(weights(frame)[frame[C.COUNTRY_ISO2].isin(listed)].sum())
        rows.append({"group": label, "flag": flag, "countries_listed": len(listed), "countries_present": len(here),
                     "share": len(here) / len(listed), "count": people, "absent": sorted(listed - here)})  # fmt: skip
    out = pd.DataFrame(rows)
    out.attrs["as_of"] = ref.attrs["as_of"]
    return out


def country_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Weighted count per country present, with ISO3, name, ICANN region and UN regional group
    (for maps; the groupings a reader may sum the map by, for the disclosure audit)."""
    ref = reference_countries().set_index("iso2")
    frame = participants(frame)
    counts = weights(frame).groupby(frame[C.COUNTRY_ISO2]).sum().astype("int64")
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
