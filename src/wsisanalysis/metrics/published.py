"""The published aggregates in tidy, canonical form (ICANN meetings, IGF, ccNSO).

Each loader maps the publisher's labels onto wsisanalysis' vocabularies so the same
:func:`~wsisanalysis.metrics.coverage.coverage` call works on published counts and on clean
participation tables. These counts are public already: pass ``published=True`` to
:func:`~wsisanalysis.metrics.disclosure.suppress`.
"""

from __future__ import annotations

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.normalize.countries import normalize_countries
from wsisanalysis.normalize.vocabularies import stakeholder_mapper
from wsisanalysis.reference import public_table, reference_countries

ICANN_REGION_LABELS = {
    "Africa": "AF",
    "Asia, Australia, and Pacific Islands": "AP",
    "Asia/Australia/Pacific": "AP",
    "Europe": "EU",
    "Latin America and the Caribbean": "LAC",
    "Latin America/Caribbean": "LAC",
    "North America": "NA",
}
UN_GROUP_LABELS = {
    "African Group": "African Group",
    "Asia-Pacific Group": "Asia-Pacific Group",
    "Eastern European Group": "Eastern European Group",
    "Eastern Europe Group": "Eastern European Group",
    "GRULAC": "Latin American and Caribbean Group (GRULAC)",
    "Latin American and Caribbean Group": "Latin American and Caribbean Group (GRULAC)",
    "WEOG": "Western European and Others Group (WEOG)",
    "Western European and Others Group": "Western European and Others Group (WEOG)",
    "Intergovernmental organizations": "Intergovernmental organizations",
    "Intergovernmental Organizations": "Intergovernmental organizations",
    "Other": "Other",
}
#: Where each ICANN meeting took place (host country), for host-excluded comparisons.
MEETING_HOSTS = {"ICANN73": "PR", "ICANN74": "NL", "ICANN77": "US", "ICANN80": "RW"}
IGF_HOSTS = {2008: "IN", 2012: "AZ", 2022: "ET", 2025: "NO"}


def icann_meeting_attendance(meeting: str | None = None) -> pd.DataFrame:
    """ICANN meeting attendance by ICANN region (5-region scheme), as published.

    Columns: ``meeting, year, format, population, icann_region, count, percent, host``.
    ``count`` is missing where only percentages were published.
    """
    raw = public_table("icann_meeting_attendance_by_region")
    raw = raw[raw["region_scheme"] == "ICANN 5 regions"]
    if meeting:
        raw = raw[raw["meeting"] == meeting]
    return pd.DataFrame(
        {
            "meeting": raw["meeting"].to_numpy(),
            "year": pd.to_numeric(raw["year"]).to_numpy(),
            "format": raw["format"].to_numpy(),
            "population": raw["population"].to_numpy(),
            C.ICANN_REGION: pd.Categorical(
                raw["region"].map(ICANN_REGION_LABELS), C.ICANN_REGIONS
            ),
            C.COUNT: pd.to_numeric(raw["count"].replace("", pd.NA)).astype("Int64").to_numpy(),
            "percent": pd.to_numeric(raw["percent"].replace("", pd.NA)).to_numpy(),
            "host": raw["meeting"].map(MEETING_HOSTS).to_numpy(),
        }
    )


def igf_participation(year: int, by: str = C.STAKEHOLDER_GROUP) -> pd.DataFrame:
    """IGF participation shares for one year by stakeholder group or by UN regional group.

    Columns: the category (``stakeholder_group`` or ``un_regional_group``), ``label`` (as
    published), ``percent`` and ``count`` (missing where only shares were published).
    """
    if by == C.STAKEHOLDER_GROUP:
        raw = public_table("igf_participation_by_stakeholder")
        raw = raw[raw["year"] == str(year)]
        mapped, _ = stakeholder_mapper().map_series(raw["stakeholder_group"])
        category = mapped.astype(str).to_numpy()
        label = raw["stakeholder_group"]
    else:
        raw = public_table("igf_participation_by_region")
        raw = raw[
            (raw["year"] == str(year)) & (raw["region_scheme"] == "UN regional groups + IGOs")
        ]
        category = raw["region"].map(UN_GROUP_LABELS).to_numpy()
        label = raw["region"]
        by = C.UN_REGIONAL_GROUP
    return pd.DataFrame(
        {
            by: category,
            "label": label.to_numpy(),
            "percent": pd.to_numeric(raw["percent"].replace("", pd.NA)).to_numpy(),
            C.COUNT: pd.to_numeric(
                raw.get("count", pd.Series("", index=raw.index)).replace("", pd.NA)
            )
            .astype("Int64")
            .to_numpy(),
        }
    )


def ccnso_members(*, after_2019_removals: bool = False) -> pd.DataFrame:
    """ccNSO members by ICANN region: the reported 172, or 166 after the 2019-08-29 removals.

    With ``after_2019_removals`` the split is recomputed here from the 172 breakdown minus the
    six removed ccTLDs (.ec, .ml, .tg, .zm, .vg, .vu), each placed in its ICANN region through
    the reference table.
    """
    raw = public_table("ccnso_members_by_region")
    base = raw[~raw["as_of"].str.startswith("2019")]
    counts = base.set_index("region_code")["members"].astype(int)
    if after_2019_removals:
        removed = normalize_countries([".ec", ".ml", ".tg", ".zm", ".vg", ".vu"])["iso2"]
        regions = reference_countries().set_index("iso2").loc[removed.to_numpy(), C.ICANN_REGION]
        counts = counts.sub(regions.value_counts(), fill_value=0).astype(int)
    return (
        pd.DataFrame(
            {
                C.ICANN_REGION: pd.Categorical(counts.index, C.ICANN_REGIONS),
                C.COUNT: counts.to_numpy(),
            }
        )
        .sort_values(C.ICANN_REGION)
        .reset_index(drop=True)
    )


def igf_consultation_contributions() -> pd.DataFrame:
    """Submissions to IGF consultation pages by stakeholder group and by regional group (long)."""
    raw = public_table("igf_consultation_contributions")
    return raw.assign(count=pd.to_numeric(raw["count"]))[
        ["process", "dimension", "category", "count", "marginal_total"]
    ]


def meeting_shares() -> pd.DataFrame:
    """Regional shares of every ICANN meeting with a 5-region breakdown (percent as published,
    or computed from counts), with the host region marked."""
    table = icann_meeting_attendance()
    share = table["percent"].where(
        table["percent"].notna(),
        100 * table[C.COUNT] / table.groupby("meeting")[C.COUNT].transform("sum"),
    )
    ref = reference_countries().set_index("iso2")[C.ICANN_REGION].astype(str)
    host_region = table["host"].map(ref)
    return table.assign(
        share=share / 100,
        host_region=host_region,
        is_host_region=table[C.ICANN_REGION].astype(str) == host_region,
    )


def host_effect(shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each meeting with a known host: the host region's share there and its mean share at
    the other meetings. The difference is the host-country effect readers should discount."""
    shares = meeting_shares() if shares is None else shares
    rows = []
    for meeting, group in shares.groupby("meeting"):
        host = group["host_region"].iloc[0]
        if not isinstance(host, str) or host == "nan":
            continue
        here = group.loc[group[C.ICANN_REGION].astype(str) == host, "share"]
        elsewhere = shares[
            (shares["meeting"] != meeting) & (shares[C.ICANN_REGION].astype(str) == host)
        ]["share"]
        if here.empty or pd.isna(here.iloc[0]):
            continue
        rows.append({"meeting": meeting, "host": group["host"].iloc[0], "host_region": host, "share_at_host_meeting": float(here.iloc[0]),
                     "share_elsewhere_mean": float(elsewhere.mean()), "share_difference": float(here.iloc[0] - elsewhere.mean())})  # fmt: skip
    return pd.DataFrame(rows)
