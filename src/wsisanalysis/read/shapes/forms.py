"""Form responses: Google Forms response sheets and Microsoft Forms workbooks.

Google Forms ("Download responses (.csv)" or the linked sheet): ``Timestamp``, then
``Email Address`` when e-mails are collected, then one column per question titled with the
question. A person who submits twice is two rows; the latest response is the one that counts.
An "Other" choice arrives as the typed text alone.

Microsoft Forms ("Open results in Excel"): ``ID, Start time, Completion time, Email, Name``
(newer exports add ``Last modified time``), then one column per question. With "Anyone can
respond" a response's ``Email`` is ``anonymous`` and its ``Name`` empty; an optional e-mail
question is then the only identity. An anonymous response with no e-mail is a respondent of
its own, never merged with another.

Neither names the event: it comes from ``--event`` or the file name. The timestamps are
submission times, not the event's date.
"""

from __future__ import annotations

from dataclasses import replace

from wsisanalysis._text import fold
from wsisanalysis.read.shapes._text import column, derive
from wsisanalysis.read.table import RawTable

GOOGLE = "google_forms"
MICROSOFT = "microsoft_forms"

_TIMESTAMPS = {
    "timestamp",
    "marca temporal",
    "horodateur",
    "horodatage",
    "zeitstempel",
    "carimbo de data hora",
    "отметка времени",
}
_SUBMITTED = "when the response was submitted, not the event's date"


def _question_like(header: str) -> bool:
    return header.strip().endswith("?") or len(fold(header).split()) >= 4


def detect_google(headers: list[str]) -> bool:
    """``Timestamp`` first, then the e-mail or questions as headers."""
    if not headers or fold(headers[0]) not in _TIMESTAMPS:
        return False
    rest = headers[1:]
    return any(fold(h) == "email address" for h in rest) or sum(map(_question_like, rest)) >= 1


def adapt_google(table: RawTable) -> RawTable:
    """The latest response of a person wins; a response without identity is anonymous."""
    first = str(table.frame.columns[0])
    return replace(
        table,
        shape=GOOGLE,
        ignored={first: _SUBMITTED},
        latest_wins=True,
        anonymous=True,
    )


def detect_microsoft(headers: list[str]) -> bool:
    """``ID, Start time, Completion time`` first."""
    return [fold(h) for h in headers[:3]] == ["id", "start time", "completion time"]


def _optional_email(headers: list[str]) -> str | None:
    """The form's own e-mail question ("Your e-mail address (optional)"), if it has one."""
    for header in headers:
        words = set(fold(header).split())
        if fold(header) != "email" and ({"email", "mail"} & words or {"e", "mail"} <= words):
            return header
    return None


def adapt_microsoft(table: RawTable) -> RawTable:
    """Identity: ``Email`` unless ``anonymous``, else the form's e-mail question, else none."""
    frame = table.frame
    account = column(frame, "Email")
    anonymous = account.str.strip().str.casefold().eq("anonymous").fillna(False)
    question = _optional_email([str(h) for h in frame.columns])
    email = account.where(account.str.contains("@", regex=False, na=False))
    if question is not None:
        email = email.fillna(column(frame, question))
    frame, derived = derive(frame, "email", email)
    ignored = {
        "ID": "response number",
        "Start time": _SUBMITTED,
        "Completion time": _SUBMITTED,
        "Last modified time": _SUBMITTED,
        "Email": "the respondent's account, or 'anonymous': read into email",
    }
    if question is not None:
        ignored[question] = (
            "the form's own e-mail question: read into email where the response is anonymous"
        )
    return replace(
        table,
        frame=frame,
        shape=MICROSOFT,
        columns={derived: "email", "Name": "name"},
        ignored=ignored,
        latest_wins=True,
        anonymous=True,
        details={"anonymous_responses": int(anonymous.sum())},
    )
