"""Zoom reports: the webinar attendee report and the meeting participants report.

Webinar attendee report (Zoom Support KB0082659; layout as in real exports): a title line,
``Report Generated:``, a one-row summary (``Topic, Webinar ID, Actual Start Time, ...``), then
``Host Details``, ``Panelist Details`` and ``Attendee Details``, each with its own header; every
line padded with trailing commas. One row per join: a rejoin repeats a person. Registrants who
never joined have ``Attended = No`` and ``--`` for times. The attendee's declared
``Country/Region`` (a registration question) is their country; ``Country/Region Name`` is
derived from the IP address and used only where nothing was declared. Custom registration
questions are extra columns.

Meeting participants report: a one-row summary (``Meeting ID, Topic, Start Time, ...``,
``User Email`` is the host), a blank line, then one row per join under ``Name (Original
Name), User Email, Join Time, ...``; a row ``In Waiting Room = Yes`` is time spent waiting to
be admitted, not attendance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis._text import fold
from wsisanalysis.read.shapes._text import (
    TextRows,
    column,
    derive,
    is_yes,
    read_rows,
    section_frame,
)
from wsisanalysis.read.table import RawTable

WEBINAR = "zoom_webinar_attendees"
MEETING = "zoom_meeting_participants"

_NAME = "User Name (Original Name)"
_DECLARED = "Country/Region"
_IP_DERIVED = "Country/Region Name"
_SECTION_ROLES = {
    "host details": "host",
    "panelist details": "panelist",
    "attendee details": "attendee",
    "other attended": "attendee",
}
_TIMES = {
    "Join Time": "time of one join session",
    "Leave Time": "time of one join session",
    "Time in Session (minutes)": "length of one join session",
    "Duration (Minutes)": "length of one join session",
    "Registration Time": "when the person registered, not the event's date",
    "Approval Status": "registration approval",
    "Is Guest": "Zoom account type",
    "Guest": "Zoom account type",
    "Recording Consent": "consent to recording",
}


def _titles(text: TextRows) -> list[tuple[int, str]]:
    return [
        (i, _SECTION_ROLES[fold(row[0])])
        for i, row in enumerate(text.rows)
        if len(row) == 1 and fold(row[0]) in _SECTION_ROLES
    ]


def detect_webinar(text: TextRows) -> bool:
    """A webinar report: a ``Webinar ID`` summary and ``... Details`` section titles."""
    return text.find("Webinar ID") is not None and bool(_titles(text))


def detect_meeting(text: TextRows) -> bool:
    """A meeting report: a ``Name (Original Name)`` / ``Join Time`` header, no webinar sections."""
    return text.find(["Name (Original Name)", "Join Time"]) is not None and not _titles(text)


def _sections(text: TextRows) -> tuple[pd.DataFrame, np.ndarray, pd.Series, dict[str, int]]:
    """Every section's rows in one frame (columns united), their lines and their role."""
    titles = _titles(text)
    frames, lines, roles = [], [], []
    sizes: dict[str, int] = {}
    for n, (at, role) in enumerate(titles):
        stop = titles[n + 1][0] if n + 1 < len(titles) else len(text.rows)
        frame, rows = section_frame(text, at + 1, stop)
        frames.append(frame)
        lines.append(rows)
        roles += [role] * len(frame)
        sizes[role] = sizes.get(role, 0) + len(frame)
    frame = pd.concat(frames, ignore_index=True).astype("str")
    return frame, np.concatenate(lines), pd.Series(roles, index=frame.index), sizes


def _country(frame: pd.DataFrame) -> tuple[pd.Series, int]:
    """The declared country, else the IP-derived one; how many rows needed the IP."""
    declared, derived = column(frame, _DECLARED), column(frame, _IP_DERIVED)
    from_ip = declared.isna() & derived.notna()
    return declared.fillna(derived), int(from_ip.sum())


def read_webinar(path: Path, sniffed: TextRows) -> RawTable:
    """Every person row of a webinar report: hosts, panelists and attendees, with ``role``."""
    text = read_rows(path, sniffed)
    summary_at = text.find("Webinar ID")
    summary = text.record(summary_at) if summary_at is not None else {}
    frame, lines, roles, sizes = _sections(text)
    frame, role = derive(frame, "role", roles)
    country, from_ip = _country(frame)
    frame, country_column = derive(frame, "country", country)
    columns = {_NAME: "name", "Email": "email", "Attended": "attended", role: "role"}
    columns[country_column] = "country"
    ignored = {
        **_TIMES,
        _DECLARED: "the country the person declared: read into country",
        _IP_DERIVED: "country derived from the IP address: used only where none was declared",
    }
    return RawTable(
        frame,
        path.name,
        lines,
        "csv",
        text.encoding,
        text.delimiter,
        header_row=int(lines[0]) - 1 if len(lines) else 1,
        shape=WEBINAR,
        columns=columns,
        ignored=ignored,
        event=summary.get("topic") or None,
        event_date=summary.get("actual start time") or summary.get("start time") or None,
        details={
            "sections": sizes,
            "country_from_ip_address": from_ip,
            "webinar_id": summary.get("webinar id"),
        },
    )


def read_meeting(path: Path, sniffed: TextRows) -> RawTable:
    """The participant rows of a meeting report; waiting-room rows are not attendance."""
    text = read_rows(path, sniffed)
    summary_at = text.find(["Meeting ID", "Topic"])
    summary = text.record(summary_at) if summary_at is not None else {}
    header_at = text.find(["Name (Original Name)", "Join Time"])
    assert header_at is not None  # detect_meeting found it
    frame, lines = section_frame(text, header_at, len(text.rows))
    waiting = is_yes(column(frame, "In Waiting Room"))
    frame, attended_column = derive(frame, "attended", waiting.map({True: "no", False: "yes"}))
    host = summary.get("user email", "").strip().casefold()
    emails = column(frame, "User Email")
    is_host = (emails.str.strip().str.casefold() == host).fillna(False) & bool(host)
    frame, role = derive(frame, "role", is_host.map({True: "host", False: "attendee"}))
    columns = {
        "Name (Original Name)": "name",
        "User Email": "email",
        attended_column: "attended",
        role: "role",
    }
    ignored = {**_TIMES, "In Waiting Room": "waiting to be admitted: read into attended (false)"}
    return RawTable(
        frame,
        path.name,
        lines,
        "csv",
        text.encoding,
        text.delimiter,
        header_row=text.lines[header_at],
        shape=MEETING,
        columns=columns,
        ignored=ignored,
        event=summary.get("topic") or None,
        event_date=summary.get("start time") or None,
        details={
            "meeting_id": summary.get("meeting id"),
            "waiting_room_rows": int(waiting.sum()),
        },
    )
