"""Reference tables shipped with the package (see data/README.md for sources and licences)."""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.reference.packaged import read_packaged

_DATA = resources.files("wsisanalysis") / "data"

#: Türkiye takes part in two UN regional groups; for tables that need one group per country we
#: follow UN electoral practice and count it in WEOG. ``un_regional_groups_all`` keeps both.
_PRIMARY_GROUP = {
    "Asia-Pacific Group|Western European and Others Group (WEOG)": (
        "Western European and Others Group (WEOG)"
    ),
}


def _read_csv(*parts: str) -> pd.DataFrame:
    return read_packaged(*parts)


def _flag(series: pd.Series) -> pd.Series:
    return series.map({"1": True, "0": False}).astype("boolean")


@functools.cache
def _countries() -> pd.DataFrame:
    raw = _read_csv("reference", "countries.csv")
    regions = _read_csv("reference", "icann_regions.csv")[["iso2", "cctld"]]
    frame = raw.merge(regions, on="iso2", how="left", validate="one_to_one")
    empty = frame.replace("", pd.NA)
    out = pd.DataFrame(
        {
            "iso2": frame["iso2"],
            "iso3": empty["iso3"],
            "m49": pd.to_numeric(empty["m49"]).astype("Int64"),
            "name": frame["country_name"],
            "cctld": empty["cctld"],
            C.ICANN_REGION: pd.Categorical(frame["icann_region_code"], C.ICANN_REGIONS),
            "icann_region_name": frame["icann_region"],
            C.M49_REGION: pd.Categorical(empty[C.M49_REGION], C.M49_REGIONS),
            C.M49_SUBREGION: empty[C.M49_SUBREGION],
            "m49_intermediate_region": empty["m49_intermediate_region"],
            C.UN_REGIONAL_GROUP: pd.Categorical(
                empty["un_regional_group"].replace(_PRIMARY_GROUP), C.UN_REGIONAL_GROUPS
            ),
            "un_regional_groups_all": empty["un_regional_group"],
            C.LDC: _flag(frame["ldc"]),
            C.LLDC: _flag(frame["lldc"]),
            C.SIDS: _flag(frame["sids"]),
            "un_member": frame["un_regional_group"].ne("") & frame["is_independent"].eq("Yes"),
            "independent": frame["is_independent"]
            .map({"Yes": True, "No": False})
            .astype("boolean"),
            C.INCOME_GROUP: pd.Categorical(empty["wb_income_level_hdx"], C.INCOME_GROUPS),
            "population": pd.to_numeric(empty["population_2024_wb"]).astype("Int64"),
            "internet_users_pct": pd.to_numeric(empty["internet_users_pct_owid"]),
            "internet_users_year": pd.to_numeric(empty["internet_users_year"]).astype("Int64"),
        }
    )
    users = out["population"].astype("Float64") * out["internet_users_pct"] / 100
    return out.assign(internet_users=users.round().astype("Int64"))


def reference_countries() -> pd.DataFrame:
    """Return the country reference table: one row per ISO 3166-1 code (and ``AC``).

    Columns include ``iso2, iso3, m49, name, cctld, icann_region, m49_region, m49_subregion,
    un_regional_group, ldc, lldc, sids, income_group, population, internet_users_pct,
    internet_users`` (the last three from the World Bank and ITU; see data/README.md).

    >>> countries = reference_countries()
    >>> countries.set_index("iso2").loc["KY", "icann_region"]
    'EU'
    >>> int(countries["ldc"].sum())
    44
    """
    return _countries().copy()


@functools.cache
def _community_structure() -> pd.DataFrame:
    return _read_csv("reference", "icann_community_structure.csv")


def reference_communities() -> pd.DataFrame:
    """Return ICANN's community structure (SOs, ACs, GNSO groups, RALOs) with parent links."""
    return _community_structure().copy()


@functools.cache
def _timeline() -> pd.DataFrame:
    raw = _read_csv("reference", "wsis20_timeline.csv")
    parts = raw["date"].str.extract(r"^(?P<start>\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:/(?P<end>\S+))?")
    start = pd.to_datetime(parts["start"].where(parts["start"].str.len() == 10), format="%Y-%m-%d")
    end = pd.to_datetime(parts["end"].where(parts["end"].str.len() == 10), format="%Y-%m-%d")
    return raw.assign(
        start=start,
        end=end.fillna(start),
        precise=start.notna(),
    )


def wsis_timeline(*, precise_only: bool = False) -> pd.DataFrame:
    """Return the WSIS milestones 2003–2027 with ``start`` and ``end`` dates.

    Milestones known only to the month or year have ``start`` missing and ``precise`` False.
    """
    frame = _timeline().copy()
    if precise_only:
        frame = frame[frame["precise"]].reset_index(drop=True)
    return frame


def public_table(name: str) -> pd.DataFrame:
    """Return a published aggregate table shipped in ``wsisanalysis/data/public`` by file stem.

    >>> public_table("ccnso_members_by_region")["members"].head(5).astype(int).sum()
    np.int64(172)
    """
    available = sorted(p.name.removesuffix(".csv") for p in (_DATA / "public").iterdir())
    if name not in available:
        from wsisanalysis.errors import WsisAnalysisError

        msg = f"No published table named {name!r}. Expected one of: {', '.join(available)}."
        raise WsisAnalysisError(msg)
    return _read_csv("public", f"{name}.csv")
