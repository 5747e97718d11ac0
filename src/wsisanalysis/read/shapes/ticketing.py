"""Ticketing attendee lists (Eventbrite's Attendee Summary report and lists like it).

One row per ticket, not per order (Eventbrite, "Obtaining Attendee Information": one Attendee
per ticket). ``First Name``, ``Last Name`` and ``Email`` are the attendee, the participant;
``Buyer ...`` columns are whoever paid, who may not attend. ``Attendee Status`` (Eventbrite's
"Glossary of order and attendee statuses"): ``Checked In`` attended; ``Attending`` holds a
valid ticket, attendance unknown; ``Not Attending``, ``Refunded``, ``Deleted`` and
``Transferred`` tickets are registrations that were not used. ``Event Name`` and ``Date
Attending`` name the event. The attendee's own answer to a country question is their
country; ``Billing Country`` describes the buyer and is used only where the attendee bought
the ticket and left the question blank.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from wsisanalysis._text import fold
from wsisanalysis.read.shapes._text import column, derive
from wsisanalysis.read.table import RawTable

EVENTBRITE = "eventbrite_attendees"

_BUYER = {
    "Buyer First Name": "the buyer, who may not be the attendee",
    "Buyer Last Name": "the buyer, who may not be the attendee",
    "Buyer Email": "the buyer, who may not be the attendee",
    "Billing Country": "the buyer's: used only where the attendee bought the ticket and gave no country",
    "Order Date": "when the ticket was bought, not the event's date",
    "Check-In Date": "when the attendee checked in (Attendee Status says it)",
    "Order #": "order number (one order may hold several attendees' tickets)",
}


def detect(headers: list[str]) -> bool:
    """An attendee list: order numbers, and attendee status or buyer columns."""
    names = {fold(h) for h in headers}
    return "order" in names and bool({"attendee status", "buyer email"} & names)


def _country_question(headers: list[str]) -> str | None:
    for header in headers:
        words = fold(header).split()
        if "country" in words and "billing" not in words:
            return header
    return None


def _country(frame: pd.DataFrame, question: str | None) -> tuple[pd.Series, int]:
    """The attendee's answer, else the billing country when the attendee is the buyer."""
    answer = column(frame, question or "")
    attendee = column(frame, "Email").str.strip().str.casefold()
    buyer = column(frame, "Buyer Email").str.strip().str.casefold()
    own_ticket = (attendee == buyer).fillna(False)
    billing = column(frame, "Billing Country").where(own_ticket & answer.isna())
    return answer.fillna(billing), int(billing.notna().sum())


def adapt(table: RawTable) -> RawTable:
    """The attendee is the participant; the ticket's status says whether they attended."""
    frame = table.frame
    question = _country_question([str(h) for h in frame.columns])
    country, from_billing = _country(frame, question)
    frame, country_column = derive(frame, "country", country)
    columns = {
        "Email": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Attendee Status": "attended",
        "Event Name": "event",
        "Date Attending": "date",
        "Ticket Type": "role",
        "Company": "organisation",
        country_column: "country",
    }
    ignored = dict(_BUYER)
    if question is not None:
        ignored[question] = "the attendee's answer: read into country"
    status = column(frame, "Attendee Status")
    return replace(
        table,
        frame=frame,
        shape=EVENTBRITE,
        columns=columns,
        ignored=ignored,
        details={
            "tickets_by_status": {str(k): int(v) for k, v in status.value_counts().items()},
            "country_from_billing": from_billing,
        },
    )
