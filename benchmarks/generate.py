"""Synthetic messy participation exports at any size, generated vectorized and seeded.

Several hundred distinct country spellings (names, codes, ccTLDs, French and Spanish names,
case variants, typos, regions and non-answers), tens of stakeholder-label variants, mixed date
formats (ISO, dd/mm/yyyy, Excel serials, month names), ~5% duplicate registrations and a
realistic share of unknowns.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from wsisanalysis.reference import reference_countries

STAKEHOLDER_VARIANTS = [
    "Government", "Gov.", "GOVERNMENT", "Public sector", "Ministry of ICT", "Gouvernement", "Private Sector",
    "Business", "Industry", "private", "Registrar", "Civil Society", "CSO", "NGO", "civil society organisation",
    "Société civile", "Technical Community", "Technical", "tech community", "ccTLD registry", "Academia",
    "Academic", "University", "Research", "IGO", "Intergovernmental Organization", "UN agency", "Press",
    "Media", "Journalist", "Other", "Individual", "", "??", "Consultant", "Youth",
]  # fmt: skip
COMMUNITY_VARIANTS = ["ccNSO", "GAC", "ALAC", "AFRALO", "APRALO", "EURALO", "LACRALO", "NARALO", "RySG", "RrSG", "BC", "IPC",
                      "NCUC", "NPOC", "ASO", "SSAC", "RSSAC", "ICANN org", "none", "N/A", "", "GNSO"]  # fmt: skip
NON_COUNTRIES = [
    "Global",
    "Online",
    "N/A",
    "Sub-Saharan Africa",
    "Latin America",
    "EU",
    "World",
    "",
    "Remote",
    "Europe",
]
EVENTS = ["WSIS+20 Forum 2024", "ICANN80 WSIS+20 session", "IGF 2025 Open Forum", "Zero Draft consultation",
          "UNGA WSIS+20 side event", "ICANN82 WSIS+20 update", "CSTD 28 side event", "WSIS+20 HLE 2025 session"]  # fmt: skip


def country_spellings(seed: int = 1) -> np.ndarray:
    """Several hundred distinct spellings of the reference countries, plus non-countries."""
    rng = np.random.default_rng(seed)
    ref = reference_countries().dropna(subset=["iso3"])
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    out: list[str] = []
    for row in ref.itertuples():
        country = pycountry.countries.get(alpha_2=row.iso2)
        if country is None:  # Kosovo (XK) is not in ISO 3166: no translations to draw on
            continue
        name = country.name
        out += [row.name, row.iso2, row.iso3, row.name.upper(), fr.gettext(name), es.gettext(name)]
        if isinstance(row.cctld, str):
            out.append(row.cctld)
        if len(row.name) > 7 and rng.random() < 0.5:
            i = int(rng.integers(1, len(row.name) - 1))
            out.append(row.name[:i] + row.name[i + 1 :])  # a typo
    out += NON_COUNTRIES * 3
    return np.array(sorted(set(out)), dtype=object)


def messy_participation(rows: int, *, seed: int = 7) -> pd.DataFrame:
    """A participation export with `rows` rows (about 5% of them duplicate registrations)."""
    rng = np.random.default_rng(seed)
    unique = int(rows * 0.95)
    spellings = country_spellings(seed)
    weights = rng.pareto(1.2, size=len(spellings)) + 0.05
    country = rng.choice(spellings, size=unique, p=weights / weights.sum())
    base = pd.Timestamp("2024-01-01").value // 86_400_000_000_000
    days = base + rng.integers(0, 730, size=unique)
    dates = pd.to_datetime(days, unit="D")
    form = rng.integers(0, 4, size=unique)
    iso = dates.strftime("%Y-%m-%d").to_numpy(dtype=object)
    dmy = dates.strftime("%d/%m/%Y").to_numpy(dtype=object)
    serial = (
        (days - (pd.Timestamp("1899-12-30").value // 86_400_000_000_000))
        .astype(str)
        .astype(object)
    )
    text = dates.strftime("%d %b %Y").to_numpy(dtype=object)
    date = np.select([form == 0, form == 1, form == 2], [iso, dmy, serial], text)
    ids = np.arange(unique)
    frame = pd.DataFrame(
        {
            "Full Name": pd.Series(ids).map(lambda i: f"Person {i}").to_numpy(),
            "E-mail Address": pd.Series(ids).map(lambda i: f"person{i}@example.org").to_numpy(),
            "Organization": rng.choice([f"Org {i}" for i in range(5000)], size=unique),
            "Country/Territory": country,
            "Stakeholder Category": rng.choice(STAKEHOLDER_VARIANTS, size=unique),
            "ICANN Community": rng.choice(COMMUNITY_VARIANTS, size=unique),
            "Meeting": rng.choice(EVENTS, size=unique),
            "Date": date,
            "Attendance Type": rng.choice(
                ["In person", "Remote", "Online", "Onsite", ""], size=unique
            ),
            "Gender": rng.choice(
                ["Female", "Male", "F", "M", "Prefer not to say", ""], size=unique
            ),
        }
    )
    dups = frame.iloc[rng.integers(0, unique, size=rows - unique)].copy()
    dups["E-mail Address"] = dups["E-mail Address"].str.upper()
    return pd.concat([frame, dups], ignore_index=True)


ACTIVITY_VARIANTS = [
    "Consultation submission", "Written input", "Comment", "Statement", "Intervention", "Remarks",
    "Briefing", "Briefing for missions", "Bilateral meeting", "Meeting with delegation", "Webinar",
    "Online session", "Publication", "Blog post", "Report", "Social post", "Tweet", "LinkedIn post",
    "Workshop", "Panel", "Side event", "???", "", "Other",
]  # fmt: skip
TOPIC_VARIANTS = [
    "Multistakeholder model", "Internet governance", "IGF", "LEO satellites", "Satellite networks",
    "Blockchain naming", "Web3 names", "DNS security", "DNSSEC", "Root server resilience",
    "IP addressing", "IPv6", "Standards", "Interoperability", "Capacity building", "Digital divide",
    "Human rights", "Ethics", "AI governance", "", "Misc",
]  # fmt: skip
PROCESSES = ["WSIS+20 Forum 2024", "Zero Draft", "Elements Paper", "Rev1", "IGF 2025", "CSTD 28",
             "WSIS+20 High-Level Event 2025", "UNGA high-level meeting", "", "n/a"]  # fmt: skip
CHANNELS = ["Zoom", "In person", "Online form", "Newsletter", "Website", "X", "LinkedIn", "Email", ""]


def _dates(rng: np.random.Generator, rows: int) -> np.ndarray:
    """ISO, dd/mm/yyyy, Excel serial and month-name dates, plus blanks and non-dates."""
    base = pd.Timestamp("2024-01-01").value // 86_400_000_000_000
    days = base + rng.integers(0, 730, size=rows)
    dates = pd.to_datetime(days, unit="D")
    form = rng.integers(0, 4, size=rows)
    serial = (days - (pd.Timestamp("1899-12-30").value // 86_400_000_000_000)).astype(str)
    date = np.select(
        [form == 0, form == 1, form == 2],
        [dates.strftime("%Y-%m-%d").to_numpy(dtype=object),
         dates.strftime("%d/%m/%Y").to_numpy(dtype=object), serial.astype(object)],
        dates.strftime("%d %b %Y").to_numpy(dtype=object),
    )  # fmt: skip
    odd = rng.random(rows)
    date[odd < 0.002] = ""  # quarantined: missing date
    date[(odd >= 0.002) & (odd < 0.003)] = "TBC"  # quarantined: invalid date
    return date


def messy_engagement(rows: int, *, seed: int = 11) -> pd.DataFrame:
    """An engagement log with `rows` rows: every mess of the participation generator's labels,
    multi-topic cells, reach with thousands separators and bad values, ~3% exact repeats."""
    rng = np.random.default_rng(seed)
    unique = rows - rows * 3 // 100
    spellings = country_spellings(seed)
    weights = rng.pareto(1.2, size=len(spellings)) + 0.05
    first = rng.choice(TOPIC_VARIANTS, size=unique)
    second = rng.choice(TOPIC_VARIANTS, size=unique)
    topics = np.where(rng.random(unique) < 0.3, first + "; " + second, first)
    reach = rng.integers(0, 20_000, size=unique).astype(str).astype(object)
    odd = rng.random(unique)
    reach[odd < 0.2] = ""
    reach[(odd >= 0.2) & (odd < 0.25)] = "1,578"
    reach[(odd >= 0.25) & (odd < 0.252)] = "many"  # quarantined: invalid reach
    frame = pd.DataFrame(
        {
            "Activity date": _dates(rng, unique),
            "Activity type": rng.choice(ACTIVITY_VARIANTS, size=unique),
            "Process or milestone": rng.choice(PROCESSES, size=unique),
            "Actor organisation": rng.choice([f"Org {i}" for i in range(2000)], size=unique),
            "Country": rng.choice(spellings, size=unique, p=weights / weights.sum()),
            "Stakeholder group": rng.choice(STAKEHOLDER_VARIANTS, size=unique),
            "ICANN community": rng.choice(COMMUNITY_VARIANTS, size=unique),
            "Topics": topics,
            "Reach": reach,
            "Channel": rng.choice(CHANNELS, size=unique),
        }
    )
    repeats = frame.iloc[rng.integers(0, unique, size=rows - unique)]
    return pd.concat([frame, repeats], ignore_index=True)


GENERATORS = {"participation": messy_participation, "engagement": messy_engagement}
BLOCK_ROWS = 1_000_000


def write_csv(rows: int, path: str | Path, *, seed: int = 7, kind: str = "participation") -> Path:
    """Write a messy export of `rows` rows. Engagement logs past a million rows are written in
    blocks of a million (each seeded on its own), so memory stays flat at 100M rows;
    participation exports are generated whole (their ids are unique across the file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generate = GENERATORS[kind]
    if rows <= BLOCK_ROWS or kind == "participation":
        generate(rows, seed=seed).to_csv(path, index=False)
        return path
    tmp = path.with_suffix(".partial")
    for i, start in enumerate(range(0, rows, BLOCK_ROWS)):
        block = generate(min(BLOCK_ROWS, rows - start), seed=seed + i)
        block.to_csv(tmp, index=False, header=i == 0, mode="w" if i == 0 else "a")
    tmp.replace(path)
    return path
