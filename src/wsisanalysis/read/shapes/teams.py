"""Microsoft Teams attendance reports (UTF-16, tab-separated, three sections).

Layout (Microsoft Support, "Manage meeting attendance reports in Teams"; Microsoft Graph
``meetingAttendanceReport``): ``1. Summary`` holds key/value lines (``Meeting title``,
``Attended participants``, ``Start time``, ...); ``2. Participants`` one row per person
(``Name, First Join, Last Leave, In-Meeting Duration, Email, Participant ID (UPN), Role``);
``3. In-Meeting Activities`` one row per join session. The participants section is read: one
record per person, rejoins already summed. Display names carry ``(External)``, ``(Guest)`` or
``(Unverified)``; a guest's UPN (``...#EXT#@...``) is not an e-mail. "Presenter" is Teams'
default role for everyone, so it does not mean staff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from wsisanalysis._text import fold
from wsisanalysis.read.shapes._text import TextRows, column, derive, read_rows, section_frame
from wsisanalysis.read.table import RawTable

ATTENDANCE = "teams_attendance"

_SUMMARY = re.compile(r"^1\.\s")
_PARTICIPANTS = re.compile(r"^2\.\s")
_ACTIVITIES = re.compile(r"^3\.\s")
_SUFFIX = r"\s*\((?:External|Guest|Unverified)\)\s*$"
_UPN = "Participant ID (UPN)"


def _title_at(text: TextRows, pattern: re.Pattern[str], start: int = 0) -> int | None:
    for i in range(start, len(text.rows)):
        row = text.rows[i]
        if len(row) == 1 and pattern.match(row[0].strip()):
            return i
    return None


def detect(text: TextRows) -> bool:
    """An attendance report: ``1. Summary`` and ``2. Participants`` section titles."""
    summary = _title_at(text, _SUMMARY)
    return (
        summary is not None
        and fold(text.rows[summary][0]).endswith("summary")
        and _title_at(text, _PARTICIPANTS, summary) is not None
    )


def _summary(text: TextRows, start: int, stop: int) -> dict[str, str]:
    return {
        fold(row[0]): row[1].strip()
        for row in text.rows[start + 1 : stop]
        if len(row) >= 2 and row[0].strip()
    }


def _end_of(text: TextRows, start: int) -> int:
    """The row after a section: its first blank row or the next section's title."""
    for i in range(start + 1, len(text.rows)):
        if not any(cell.strip() for cell in text.rows[i]) or _title_at(text, _ACTIVITIES, i) == i:
            return i
    return len(text.rows)


def _email(frame: pd.DataFrame) -> pd.Series:
    """``Email``, else the UPN when it is an address (a guest's ``#EXT#`` UPN is not)."""
    email, upn = column(frame, "Email"), column(frame, _UPN)
    usable = upn.str.contains("@", regex=False, na=False) & ~upn.str.contains(
        "#EXT#", regex=False, na=False
    )
    return email.fillna(upn.where(usable))


def read(path: Path, sniffed: TextRows) -> RawTable:
    """The participants section, one record per person, with the meeting's title and start."""
    text = read_rows(path, sniffed)
    summary_at = _title_at(text, _SUMMARY) or 0
    participants_at = _title_at(text, _PARTICIPANTS, summary_at)
    assert participants_at is not None  # detect found it
    summary = _summary(text, summary_at, participants_at)
    stop = _end_of(text, participants_at + 1)
    frame, lines = section_frame(text, participants_at + 1, stop)
    activities_at = _title_at(text, _ACTIVITIES, stop)
    sessions = (
        len(section_frame(text, activities_at + 1, len(text.rows))[0]) if activities_at else None
    )
    frame, name = derive(frame, "name", column(frame, "Name").str.replace(_SUFFIX, "", regex=True))
    frame, email = derive(frame, "email", _email(frame))
    frame, attended = derive(frame, "attended", pd.Series("yes", index=frame.index))
    return RawTable(
        frame,
        path.name,
        lines,
        "csv",
        text.encoding,
        text.delimiter,
        header_row=text.lines[participants_at + 1],
        shape=ATTENDANCE,
        columns={name: "name", email: "email", attended: "attended", "Role": "role"},
        ignored={
            "Name": "display name: read into name without (External), (Guest), (Unverified)",
            "Email": "read into email",
            _UPN: "account id: used as e-mail only when it is one (a guest's #EXT# id is not)",
            "First Join": "time of the first join",
            "Last Leave": "time of the last leave",
            "In-Meeting Duration": "total time in the meeting",
        },
        event=summary.get("meeting title") or None,
        event_date=summary.get("start time") or summary.get("meeting start time") or None,
        details={
            "attended_participants": summary.get("attended participants"),
            "join_sessions": sessions,
        },
    )
