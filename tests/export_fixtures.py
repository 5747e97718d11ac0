"""The hand-written export fixtures (tests/data/exports) and their expected outcome.

Each clean row is traced back to its source row to find the person it stands for, keyed as
``expected.json`` keys people: the e-mail, lower-cased; else ``name:<display name>``; else,
for Microsoft Forms, ``response:<ID>``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
from helpers import DATA, assert_accounted

from wsisanalysis.clean import CleaningResult, clean_participation
from wsisanalysis.read import read_export

EXPORTS = DATA / "exports"

#: Per fixture: the header holding the person's e-mail (``None``: the column the export shape
#: derives it into) and the one holding their display name.
IDENTITY = {
    "zoom_webinar_attendee_report.csv": ("Email", "User Name (Original Name)"),
    "zoom_meeting_participants.csv": ("User Email", "Name (Original Name)"),
    "teams_attendance_report.csv": (None, "Name"),
    "google_forms_responses.csv": ("Email Address", "Full name"),
    "microsoft_forms_responses.xlsx": (None, None),
    "eventbrite_attendees.csv": ("Email", None),
}


@cache
def expected(name: str) -> dict:
    return json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))["files"][name]


def _key(row: pd.Series, email: str, name: str | None) -> str:
    value = row.get(email)
    if isinstance(value, str) and "@" in value:
        return value.strip().lower()
    if name is not None and isinstance(row.get(name), str):
        return f"name:{row[name]}"
    return f"response:{row['ID']}"


@cache
def cleaned(name: str) -> tuple[CleaningResult, pd.DataFrame]:
    """The fixture cleaned with no mapping, and its clean rows with each person's key."""
    path = EXPORTS / name
    result = clean_participation(path, key="test-key-not-secret")
    assert_accounted(result.log)
    table = read_export(path)
    raw = table.frame.assign(source_row=table.source_rows)
    email, display = IDENTITY[name]
    if email is None:
        email = next(h for h, column in table.columns.items() if column == "email")
    keys = raw.apply(_key, axis=1, args=(email, display)).set_axis(raw["source_row"])
    clean = result.clean.assign(key=result.clean["source_row"].map(keys))
    return result, clean


def people(path: Path) -> set[str]:
    """Every e-mail and name in a fixture (to check no output file holds one)."""
    table = read_export(path)
    found = set()
    for column in table.frame.columns:
        if re.search(r"mail|name", str(column), re.IGNORECASE) and not re.search(
            r"event|device", str(column), re.IGNORECASE
        ):
            found |= {str(v).strip() for v in table.frame[column].dropna() if len(str(v)) > 3}
    return {v for v in found if "@" in v or " " in v}


def by_key(clean: pd.DataFrame, column: str) -> dict[str, object]:
    """``{person key: value}`` for a clean column (missing values as None)."""
    values = clean[column].astype(object).where(clean[column].notna(), None)
    return dict(zip(clean["key"], values, strict=True))


def assert_matches_expected(name: str) -> pd.DataFrame:
    """Shape, event, countries and stakeholder groups as ``expected.json`` has them."""
    result, clean = cleaned(name)
    facts = expected(name)
    assert result.log.files[0].shape == facts["shape"]
    if facts["event"] is not None:
        assert set(clean["event"]) == {facts["event"]}
    if facts.get("date"):
        assert set(clean["date"].dt.strftime("%Y-%m-%d")) == {facts["date"]}
    countries = by_key(clean, "country_iso2")
    for person, iso in facts["countries"].items():
        assert countries[person] == iso, (person, countries[person], iso)
    groups = by_key(clean, "stakeholder_group")
    for person, group in facts["stakeholder_groups"].items():
        assert groups[person] == group, (person, groups[person], group)
    return clean


def assert_no_personal_data_written(name: str, out: Path) -> None:
    """Clean table, quarantine and log: not one e-mail or name of the fixture."""
    result, _ = cleaned(name)
    paths = result.write(out)
    text = pd.read_parquet(paths["clean"]).astype(str).to_csv()
    text += paths["quarantine"].read_text(encoding="utf-8") + paths["log"].read_text(
        encoding="utf-8"
    )
    folded = text.casefold()
    leaked = {p for p in people(EXPORTS / name) if p.casefold() in folded}
    assert not leaked, leaked
    assert "@" not in pd.read_parquet(paths["clean"]).astype(str).to_csv()
