"""The published aggregates in tidy, canonical form (ICANN meetings, IGF, ccNSO).

Each loader maps the publisher's labels onto wsisanalysis' vocabularies so the same
:func:`~wsisanalysis.metrics.coverage.coverage` call works on published counts and on clean
participation tables, and declares what the numbers are in ``attrs["nature"]``: ``census``
(an ICANN meeting's attendance counts everyone who came) or ``percentages`` (IGF shares; with
``attrs["total"]`` when the number of participants is published as an exact figure). These
counts are public already: pass ``published=True`` to
:func:`~wsisanalysis.metrics.disclosure.suppress`.
"""

from __future__ import annotations

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics.baselines import Baseline
from wsisanalysis.metrics.counts import CENSUS, PERCENTAGES
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
#: Where each in-person ICANN meeting took place (host country). Virtual meetings have no
#: host: ICANN73 was planned for San Juan, Puerto Rico, but held online only.
MEETING_HOSTS = {"ICANN74": "NL", "ICANN77": "US", "ICANN80": "RW"}
IGF_HOSTS = {2008: "IN", 2012: "AZ", 2022: "ET", 2025: "NO"}
FIVE_REGIONS = "ICANN 5 regions"


def _meetings_available(raw: pd.DataFrame) -> list[str]:
    meetings = raw.loc[raw["region_scheme"] == FIVE_REGIONS, "meeting"].unique()
    return sorted(meetings, key=lambda m: int(m.removeprefix("ICANN")))


def icann_meeting_attendance(meeting: str | None = None) -> pd.DataFrame:
    """ICANN meeting attendance by ICANN region (5-region scheme), as published.

    Columns: ``meeting, year, month, format, attendance`` (``virtual`` or ``in person``: what
    was counted), ``population, icann_region, count, percent, host`` (ISO alpha-2, in-person
    meetings only). ``count`` is missing where only percentages were published. The table is
    a census (``attrs["nature"]``): everyone who attended was counted, so no sampling
    interval applies. For one meeting without counts it is a table of ``percentages``.
    """
    raw = public_table("icann_meeting_attendance_by_region")
    if meeting is not None and meeting not in _meetings_available(raw):
        msg = f"No 5-region attendance breakdown for {meeting!r}. Expected one of: {', '.join(_meetings_available(raw))}."
        raise WsisAnalysisError(msg)
    raw = raw[raw["region_scheme"] == FIVE_REGIONS]
    if meeting:
        raw = raw[raw["meeting"] == meeting]
    in_person = raw["format"].ne("virtual")
    out = pd.DataFrame(
        {
            "meeting": raw["meeting"].to_numpy(),
            "year": pd.to_numeric(raw["year"]).to_numpy(),
            "month": pd.to_numeric(raw["month"]).to_numpy(),
            "format": raw["format"].to_numpy(),
            "attendance": in_person.map({True: "in person", False: "virtual"}).to_numpy(),
            "population": raw["population"].to_numpy(),
            C.ICANN_REGION: pd.Categorical(
                raw["region"].map(ICANN_REGION_LABELS), C.ICANN_REGIONS
            ),
            C.COUNT: pd.to_numeric(raw["count"].replace("", pd.NA)).astype("Int64").to_numpy(),
            "percent": pd.to_numeric(raw["percent"].replace("", pd.NA)).to_numpy(),
            "host": raw["meeting"].map(MEETING_HOSTS).where(in_person).to_numpy(),
        }
    )
    only_percent = bool(meeting) and out[C.COUNT].isna().all() and out["percent"].notna().all()
    out.attrs["nature"] = PERCENTAGES if only_percent else CENSUS
    return out


def igf_participation(year: int, by: str = C.STAKEHOLDER_GROUP) -> pd.DataFrame:
    """IGF participation shares for one year by stakeholder group or by UN regional group.

    Columns: the category (``stakeholder_group`` or ``un_regional_group``), ``label`` (as
    published), ``percent`` and ``count`` (missing where only shares were published). A
    table of ``percentages`` (``attrs["nature"]``) carries ``attrs["total"]``, the number of
    participants, when it was published exactly (2022: 5,120), so coverage() can turn the
    shares into counts; without it there are shares only, never intervals as if 100 people
    had been counted.
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
    if raw.empty:
        msg = f"No published IGF {year} breakdown by {by}. Years with one: {', '.join(_igf_years(by))}."
        raise WsisAnalysisError(msg)
    out = pd.DataFrame(
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
    if out[C.COUNT].notna().all():
        out.attrs["nature"] = CENSUS
    else:
        out.attrs.update(nature=PERCENTAGES, total=igf_total(year))
    return out


def _igf_years(by: str) -> list[str]:
    if by == C.STAKEHOLDER_GROUP:
        raw = public_table("igf_participation_by_stakeholder")
    else:
        raw = public_table("igf_participation_by_region")
        raw = raw[raw["region_scheme"] == "UN regional groups + IGOs"]
    return sorted(raw["year"].unique())


def igf_total(year: int) -> int | None:
    """The number of IGF participants of `year` when published as an exact figure (2022:
    5,120); None where only a bound ("more than 9,435") or nothing was published."""
    totals = public_table("igf_participation_totals").set_index("year")["total_reported"]
    value = str(totals.get(str(year), "")).strip()
    return int(value) if value.isdigit() else None


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
    """Submissions to IGF consultation pages by stakeholder group and by regional group (long).

    A row that repeats its breakdown's total as a category is left out (see
    :func:`_subtotal_rows`)."""
    raw = public_table("igf_consultation_contributions")
    table = raw.assign(
        count=pd.to_numeric(raw["count"]), marginal_total=pd.to_numeric(raw["marginal_total"])
    )[["process", "dimension", "category", "count", "marginal_total"]]
    return table[~_subtotal_rows(table)].reset_index(drop=True)


def _subtotal_rows(table: pd.DataFrame) -> pd.Series:
    """Rows that repeat their breakdown's total as a category.

    The IGF 2021 Suggestions page lists "Other: 44" by region, which is the sum of the named
    groups (15 + 6 + 4 + 4 + 12 + 3): its published marginal (88) counts every submission
    twice. Such a row is dropped, so the page reconciles as 43 (by stakeholder group) vs 44.
    """
    group = table.groupby(["process", "dimension"])["count"]
    rest = group.transform("sum") - table["count"]
    return (table["count"] == rest) & (table["marginal_total"] == 2 * table["count"])


def meeting_shares() -> pd.DataFrame:
    """Regional shares of every ICANN meeting with a 5-region breakdown, in date order.

    ``share`` is computed from the exact counts where a meeting published a complete set
    (ICANN73, 74, 80), else it is the published percentage (``share_source`` says which);
    a region with neither is missing, never 0. ``attendance`` says what was counted
    (``virtual`` or ``in person``); ``host_region`` is set for in-person meetings only.
    """
    table = icann_meeting_attendance()
    complete = table.groupby("meeting")[C.COUNT].transform(lambda c: c.notna().all())
    from_counts = table[C.COUNT] / table.groupby("meeting")[C.COUNT].transform("sum")
    share = from_counts.astype("Float64").where(complete, table["percent"] / 100).astype(float)
    ref = reference_countries().set_index("iso2")[C.ICANN_REGION].astype(str)
    host_region = table["host"].map(ref)
    out = table.assign(
        share=share,
        share_source=pd.Series("counts", index=table.index).where(complete, "published percent"),
        host_region=host_region,
        is_host_region=table[C.ICANN_REGION].astype(str) == host_region,
    )
    out.attrs["nature"] = CENSUS
    return out.sort_values(["year", "month", C.ICANN_REGION], kind="stable").reset_index(drop=True)


def meeting_trend(shares: pd.DataFrame | None = None, *, percent: bool = False) -> pd.DataFrame:
    """Regional shares across all ICANN meetings in the shipped tables: one row per meeting
    in date order, one column per ICANN region (shares, or percentages with `percent`), with
    what was counted and how.

    ICANN69 is left out (named in ``attrs["left_out"]``): it was published in eight
    engagement regions that do not map onto the five ICANN regions.
    """
    shares = meeting_shares() if shares is None else shares
    keys = ["year", "month", "meeting"]
    wide = (
        shares.assign(**{C.ICANN_REGION: shares[C.ICANN_REGION].astype(str)})
        .set_index([*keys, C.ICANN_REGION])["share"]
        .unstack()[list(C.ICANN_REGIONS)]
    ) * (100 if percent else 1)
    about = shares.groupby("meeting")[["attendance", "share_source"]].first()
    out = wide.reset_index().join(about, on="meeting").sort_values(["year", "month"])
    out.columns.name = None
    out = out.reset_index(drop=True)
    out.attrs["left_out"] = {
        "ICANN69": "published in 8 engagement regions, not the 5 ICANN regions"
    }
    return out


def host_effect(shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each in-person meeting with a known host: the host region's share there and its
    mean share at the other in-person meetings. The difference is the host-country effect
    readers should discount. Virtual meetings (ICANN73, planned for Puerto Rico, met online)
    have no host and are left out."""
    shares = meeting_shares() if shares is None else shares
    in_person = shares[(shares["attendance"] == "in person") & shares["host"].notna()]
    rows = []
    for meeting, group in in_person.groupby("meeting", sort=False):
        host = str(group["host_region"].iloc[0])
        here = group.loc[group[C.ICANN_REGION].astype(str) == host, "share"].dropna()
        others = in_person[
            (in_person["meeting"] != meeting) & (in_person[C.ICANN_REGION].astype(str) == host)
        ]
        elsewhere = others["share"].dropna()
        if here.empty or elsewhere.empty:
            continue
        rows.append({"meeting": meeting, "host": group["host"].iloc[0], "host_region": host,
                     "share_at_host_meeting": float(here.iloc[0]), "share_elsewhere_mean": float(elsewhere.mean()),
                     "meetings_elsewhere": ", ".join(others.loc[elsewhere.index, "meeting"]),
                     "share_difference": float(here.iloc[0] - elsewhere.mean())})  # fmt: skip
    return pd.DataFrame(rows)


def published_figure(text: object) -> str:
    """A figure as the publisher gave it, in readers' words: ``"1800 (over)"`` → ``"over 1,800"``.

    >>> published_figure("1004"), published_figure("1100 (more than)"), published_figure("")
    ('1,004', 'more than 1,100', '')
    >>> published_figure("1638 (derived sum)")
    '1,638 (derived sum)'
    """
    import re

    value = str(text if text is not None and not pd.isna(text) else "").strip()
    found = re.fullmatch(r"(\d+)\s*\((over|more than|approx)\)(.*)", value)
    if found:
        return f"{found.group(2)} {int(found.group(1)):,}{found.group(3)}"
    return re.sub(r"^\d{4,}", lambda m: f"{int(m.group(0)):,}", value)


def meeting_facts(meeting: str) -> dict[str, str]:
    """What was published about one ICANN meeting, as text: ``city``, ``format`` (virtual,
    hybrid), ``when`` ("June 2024"), what the regional breakdown counted (``counted``),
    ``in_person``, ``online``, ``total``, ``countries`` (``""`` where nothing was published)."""
    rows = icann_meeting_attendance(meeting)
    raw = public_table("icann_meeting_attendance_by_region")
    first = raw[raw["meeting"] == meeting].iloc[0]
    totals = public_table("icann_meeting_totals").set_index("meeting")
    about = totals.loc[meeting] if meeting in totals.index else pd.Series(dtype=object)
    when = pd.Timestamp(year=int(first["year"]), month=int(first["month"]), day=1)
    return {"meeting": meeting, "city": str(first["city"]).strip("()"), "format": str(first["format"]),
            "when": f"{when:%B %Y}", "attendance": str(rows["attendance"].iloc[0]),
            "counted": "online participants" if first["format"] == "virtual" else str(first["population"]),
            "in_person": published_figure(about.get("in_person")), "online": published_figure(about.get("remote")),
            "total": published_figure(about.get("total")),
            "countries": published_figure(about.get("countries_territories"))}  # fmt: skip


def igf_facts(year: int) -> dict[str, str]:
    """What the IGF published about one year's meeting, as text: ``meeting``, ``city``,
    ``total``, ``onsite``, ``online``, ``countries``, ``first_time_pct``, ``gender``."""
    totals = public_table("igf_participation_totals").set_index("year")
    if str(year) not in totals.index:
        msg = f"No published IGF totals for {year}. Years with them: {', '.join(totals.index)}."
        raise WsisAnalysisError(msg)
    about = totals.loc[str(year)]
    return {"meeting": str(about["meeting"]), "city": str(about["host_city"]),
            **{k: published_figure(about.get(c)) for k, c in (("total", "total_reported"), ("onsite", "onsite"),
               ("online", "online"), ("countries", "countries"), ("first_time_pct", "first_time_pct"))},
            "gender": str(about.get("gender") or "")}  # fmt: skip


def igf_coverage(
    year: int, by: str = C.STAKEHOLDER_GROUP, baseline: Baseline | None = None
) -> pd.DataFrame:
    """:func:`~wsisanalysis.metrics.coverage.coverage` of one IGF year's published shares, with
    only the categories the IGF reported: a group it did not report (2025: academia) is
    missing, never a share of 0."""
    from wsisanalysis.metrics.coverage import coverage

    raw = igf_participation(year, by)
    column = by if by == C.STAKEHOLDER_GROUP else C.UN_REGIONAL_GROUP
    table = coverage(raw, column, baseline, include_unknown=False)
    reported = table[column].astype(str).isin(raw[column].astype(str))
    out = table[reported.to_numpy()].reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


def meeting_shares_by_mode(shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`meeting_shares` with each meeting named with what it counted — ``"ICANN73
    (virtual)"``, ``"ICANN80 (in person)"`` — so that a chart or table never mixes online
    participants of virtual meetings with attendees in the room unlabelled; ``share_pct`` is the
    share in percent."""
    shares = meeting_shares() if shares is None else shares
    named = shares["meeting"] + " (" + shares["attendance"] + ")"
    out = shares.assign(meeting=named, share_pct=shares["share"] * 100)
    out.attrs = dict(shares.attrs)
    return out


def host_effect_named(shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`host_effect` for readers: the host country and its ICANN region by name
    (``Rwanda``, ``Africa``), not by code."""
    effect = host_effect(shares)
    names = reference_countries().set_index("iso2")["name"]
    return effect.assign(
        host=effect["host"].map(names).fillna(effect["host"]),
        host_region=effect["host_region"].map(C.ICANN_REGION_NAMES).fillna(effect["host_region"]),
    )
