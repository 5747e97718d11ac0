"""Reference tables shipped with the package (see data/README.md for sources and licences)."""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.reference.development import as_date, check_recorded, development_flags
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


#: Internet-use values older than this year are not used in baselines: a 1995 value of 0%
#: (American Samoa, Northern Mariana Islands, Turks and Caicos) says nothing about today.
INTERNET_USE_OLDEST_YEAR = 2015
POPULATION_YEAR = 2024


def _flag(series: pd.Series) -> pd.Series:
    return series.map({"1": True, "0": False}).astype("boolean")


def _internet_use(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The latest internet-use share and its year per country: the shipped ITU/OWID value,
    replaced by a newer verified World Bank value from ``internet_use_updates.csv``."""
    pct = pd.to_numeric(frame["internet_users_pct_owid"].replace("", pd.NA))
    year = pd.to_numeric(frame["internet_users_year"].replace("", pd.NA)).astype("Int64")
    updates = _read_csv("reference", "internet_use_updates.csv").set_index("iso2")
    newer = frame["iso2"].map(pd.to_numeric(updates["year"])).astype("Int64")
    use = newer.notna() & (year.isna() | (newer > year)).fillna(True)
    pct = pct.where(~use, frame["iso2"].map(pd.to_numeric(updates["internet_users_pct"])))
    return pct.astype(float), year.where(~use, newer)


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
            C.LDC: _flag(frame["ldc"]),  # as retrieved; reference_countries() dates them
            C.LLDC: _flag(frame["lldc"]),
            C.SIDS: _flag(frame["sids"]),
            "un_member": frame["un_regional_group"].ne("") & frame["is_independent"].eq("Yes"),
            "independent": frame["is_independent"]
            .map({"Yes": True, "No": False})
            .astype("boolean"),
            C.INCOME_GROUP: pd.Categorical(empty["wb_income_level_hdx"], C.INCOME_GROUPS),
            "population": pd.to_numeric(empty["population_2024_wb"]).astype("Int64"),
            "population_year": pd.Series(POPULATION_YEAR, index=frame.index, dtype="Int64").where(
                empty["population_2024_wb"].notna()
            ),
        }
    )
    pct, year = _internet_use(frame)
    current = (year >= INTERNET_USE_OLDEST_YEAR).fillna(False).to_numpy()
    users = (out["population"].astype("Float64") * pct / 100).where(current)
    return out.assign(
        internet_users_pct=pct,
        internet_users_year=year,
        internet_users=users.round().astype("Int64"),
    )


def reference_countries(as_of: object = None) -> pd.DataFrame:
    """Return the country reference table: one row per ISO 3166-1 code (and ``AC``).

    Parameters
    ----------
    as_of
        The day whose LDC, LLDC and SIDS lists the flags follow (a date, datetime or ISO
        string; default today). Pass the event's date: the LDC list changes as countries
        graduate (Bhutan 13 Dec 2023, Sao Tome and Principe 13 Dec 2024, ...).

    Returns
    -------
    pandas.DataFrame
        Columns include ``iso2, iso3, m49, name, cctld, icann_region, m49_region,
        m49_subregion, un_regional_group, ldc, lldc, sids, income_group, population,
        population_year, internet_users_pct, internet_users_year, internet_users`` (World
        Bank and ITU; ``internet_users`` is missing where the latest share is older than
        :data:`INTERNET_USE_OLDEST_YEAR`). ``attrs["as_of"]`` is the day the flags follow.

    >>> countries = reference_countries("2025-06-23")
    >>> countries.set_index("iso2").loc["KY", "icann_region"]
    'EU'
    >>> int(countries["ldc"].sum()), int(reference_countries("2023-07-03")["ldc"].sum())
    (44, 46)
    """
    day = as_date(as_of)
    check_recorded(day)
    return _countries_on(day).copy()  # a copy: callers may add columns


@functools.lru_cache(maxsize=16)
def _countries_on(day: pd.Timestamp) -> pd.DataFrame:
    """The reference table with the flags in force on `day` (built once per day: cleaning
    asks for it once per batch)."""
    out = _countries().copy()
    flags = development_flags(out["iso2"], pd.Series(day, index=out.index))
    for group in flags:
        out[group] = flags[group].mask(out[group].isna())  # no M49 data (AC): unknown
    out.attrs["as_of"] = day.date().isoformat()
    return out


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


@functools.cache
def _igf_meetings() -> pd.DataFrame:
    raw = _read_csv("reference", "igf_meetings.csv")
    return raw.assign(
        year=pd.to_numeric(raw["year"]).astype(int),
        start=pd.to_datetime(raw["start"], format="%Y-%m-%d"),
        end=pd.to_datetime(raw["end"], format="%Y-%m-%d"),
    )


def igf_meetings() -> pd.DataFrame:
    """Return the IGF annual meetings of the published IGF tables: year, meeting, host city and
    country, first and last day, with the source of the dates (see data/README.md).

    >>> igf_meetings().set_index("year").loc[2022, ["meeting", "start"]].tolist()
    ['IGF 17', Timestamp('2022-11-28 00:00:00')]
    """
    return _igf_meetings().copy()


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
