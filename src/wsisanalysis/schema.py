"""Canonical column names and controlled vocabularies (DESIGN §2.2)."""

from __future__ import annotations

from pathlib import Path

# Provenance
RECORD_ID = "record_id"
SOURCE = "source"
SOURCE_ROW = "source_row"
#: Input columns named like provenance columns are kept as scrubbed free text under these
#: names (never as provenance), and only when an input has them.
INPUT_SOURCE = "input_source"
INPUT_RECORD_ID = "input_record_id"
INPUT_SOURCE_ROW = "input_source_row"
INPUT_PROVENANCE = {SOURCE: INPUT_SOURCE, RECORD_ID: INPUT_RECORD_ID, SOURCE_ROW: INPUT_SOURCE_ROW}

# Participation
EVENT = "event"
SESSION = "session"
DATE = "date"
PARTICIPANT_ID = "participant_id"
COUNTRY = "country"  # raw label, before normalization
COUNTRY_ISO2 = "country_iso2"
STAKEHOLDER_GROUP = "stakeholder_group"
COMMUNITY = "community"
ATTENDANCE_MODE = "attendance_mode"
ATTENDED = "attended"  # true, false or unknown (missing): did the person take part
NEWCOMER = "newcomer"
GENDER = "gender"
ROLE = "role"
COUNT = "count"

# Engagement
ACTIVITY_TYPE = "activity_type"
PROCESS = "process"
ORGANISATION = "organisation"
TOPICS = "topics"
REACH = "reach"
CHANNEL = "channel"

# Personal data, only ever in raw frames and the quarantine file
NAME = "name"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
PERSONAL_COLUMNS = (NAME, FIRST_NAME, LAST_NAME, EMAIL)

# Reference columns joined from the country table
ICANN_REGION = "icann_region"
M49_REGION = "m49_region"
M49_SUBREGION = "m49_subregion"
UN_REGIONAL_GROUP = "un_regional_group"
LDC = "ldc"
LLDC = "lldc"
SIDS = "sids"
INCOME_GROUP = "income_group"
REFERENCE_COLUMNS = (
    ICANN_REGION,
    M49_REGION,
    M49_SUBREGION,
    UN_REGIONAL_GROUP,
    LDC,
    LLDC,
    SIDS,
    INCOME_GROUP,
)

PARTICIPATION_COLUMNS = (
    RECORD_ID,
    SOURCE,
    SOURCE_ROW,
    EVENT,
    DATE,
    PARTICIPANT_ID,
    COUNTRY_ISO2,
    STAKEHOLDER_GROUP,
    COMMUNITY,
    ATTENDANCE_MODE,
    ATTENDED,
    NEWCOMER,
    GENDER,
    ROLE,
    COUNT,
    *REFERENCE_COLUMNS,
)

ENGAGEMENT_COLUMNS = (
    RECORD_ID,
    SOURCE,
    SOURCE_ROW,
    DATE,
    ACTIVITY_TYPE,
    PROCESS,
    ORGANISATION,
    COUNTRY_ISO2,
    STAKEHOLDER_GROUP,
    COMMUNITY,
    TOPICS,
    REACH,
    CHANNEL,
    COUNT,
    *REFERENCE_COLUMNS,
)

UNKNOWN = "unknown"

STAKEHOLDER_GROUPS = (
    "government",
    "private_sector",
    "civil_society",
    "technical_community",
    "academia",
    "intergovernmental",
    "media",
    "other",
    UNKNOWN,
)

COMMUNITIES = (
    "ccNSO",
    "GNSO",
    "RySG",
    "RrSG",
    "BC",
    "IPC",
    "ISPCP",
    "NCUC",
    "NPOC",
    "ASO",
    "ALAC",
    "AFRALO",
    "APRALO",
    "EURALO",
    "LACRALO",
    "NARALO",
    "GAC",
    "SSAC",
    "RSSAC",
    "Board",
    "ICANN org",
    "none",
    UNKNOWN,
)

#: Parent of each community in ICANN's structure (constituency -> GNSO, RALO -> ALAC).
COMMUNITY_PARENT = {
    "RySG": "GNSO",
    "RrSG": "GNSO",
    "BC": "GNSO",
    "IPC": "GNSO",
    "ISPCP": "GNSO",
    "NCUC": "GNSO",
    "NPOC": "GNSO",
    "AFRALO": "ALAC",
    "APRALO": "ALAC",
    "EURALO": "ALAC",
    "LACRALO": "ALAC",
    "NARALO": "ALAC",
}

ICANN_REGIONS = ("AF", "AP", "EU", "LAC", "NA")
ICANN_REGION_NAMES = {
    "AF": "Africa",
    "AP": "Asia/Australia/Pacific",
    "EU": "Europe",
    "LAC": "Latin America/Caribbean",
    "NA": "North America",
}

UN_REGIONAL_GROUPS = (
    "African Group",
    "Asia-Pacific Group",
    "Eastern European Group",
    "Latin American and Caribbean Group (GRULAC)",
    "Western European and Others Group (WEOG)",
)

M49_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")

INCOME_GROUPS = ("Low", "Lower middle", "Upper middle", "High")

ATTENDANCE_MODES = ("onsite", "remote", UNKNOWN)
NEWCOMER_VALUES = ("newcomer", "returning", UNKNOWN)
GENDERS = ("female", "male", "non_binary", "other", "prefer_not_to_say", UNKNOWN)

TOPICS_VOCAB = (
    "multistakeholder_model",
    "emerging_tech_satellite",
    "emerging_tech_blockchain_naming",
    "dns_security_stability",
    "ip_addressing",
    "standards_interoperability",
    "capacity_building",
    "inclusion_development",
    "human_rights_ethics_law",
    "other",
)

ACTIVITY_TYPES = (
    "consultation_submission",
    "statement",
    "briefing",
    "bilateral_meeting",
    "webinar",
    "publication",
    "social_post",
    "event_session",
    "other",
    UNKNOWN,
)


def output_paths(out_dir: str | Path, kind: str) -> dict[str, Path]:
    """The files ``wsisanalysis clean --out DIR`` writes for one kind (DESIGN §3.5).

    >>> sorted(p.name for p in output_paths("out", "participation").values())
    ['participation.parquet', 'participation_cleaning.json', 'participation_quarantine.csv']
    """
    out = Path(out_dir)
    return {
        "clean": out / f"{kind}.parquet",
        "quarantine": out / f"{kind}_quarantine.csv",
        "log": out / f"{kind}_cleaning.json",
    }


#: Display names of vocabulary codes whose spaced form is not plain English.
DISPLAY_NAMES = {
    "dns_security_stability": "DNS security and stability",
    "emerging_tech_satellite": "emerging tech: satellite networks",
    "emerging_tech_blockchain_naming": "emerging tech: blockchain naming",
    "ip_addressing": "IP addressing",
    "standards_interoperability": "standards and interoperability",
    "inclusion_development": "inclusion and development",
    "human_rights_ethics_law": "human rights, ethics and law",
    "intergovernmental": "intergovernmental organisations",
    "none": "no ICANN community",
    "true": "yes", "false": "no",
}  # fmt: skip


def display_label(value: object, *, capital: bool = False) -> str:
    """How a category is named on a page: ICANN region names, display names, else the code with
    spaces; as within a sentence, or with a `capital` letter to start a table cell or a chart
    label (acronyms such as ccNSO stay as they are).

    >>> display_label("AF"), display_label("civil_society"), display_label(True)
    ('Africa', 'civil society', 'yes')
    >>> display_label("intergovernmental", capital=True), display_label("ccNSO", capital=True)
    ('Intergovernmental organisations', 'ccNSO')
    """
    text = str(value)
    if isinstance(value, bool) or text.lower() in ("true", "false"):
        text = DISPLAY_NAMES[text.lower()]
    else:
        text = ICANN_REGION_NAMES.get(text) or DISPLAY_NAMES.get(text) or text.replace("_", " ")
    if capital and text[:1].islower() and text.split(" ")[0].islower():
        return text[:1].upper() + text[1:]
    return text
