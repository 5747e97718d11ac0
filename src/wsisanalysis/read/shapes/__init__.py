"""Export shapes: the tools events are run with, recognised from the file itself.

A *sectioned* shape (Zoom and Teams reports: several tables in one text file) is recognised
from the file's first rows and read whole by its own reader. A *table* shape (form responses,
ticketing lists: one ordinary table) is recognised from the headers the generic reader found,
and adds what it knows: which header is the participant, which are the buyer, where the event
is named, which record of a person wins. Anything else is read as a generic table. The shape
is named in the cleaning log.

A new shape is a new module here and one line in :data:`SECTIONED` or :data:`TABLES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wsisanalysis.read.shapes import forms, teams, ticketing, zoom
from wsisanalysis.read.shapes._text import TextRows, sniff
from wsisanalysis.read.table import GENERIC, RawTable


@dataclass(frozen=True)
class SectionedShape:
    """A multi-table text export, recognised from its first rows and read whole; `marker`
    is text its first rows always hold (a cheap test before parsing them)."""

    name: str
    marker: str
    detect: Callable[[TextRows], bool]
    read: Callable[[Path, TextRows], RawTable]


@dataclass(frozen=True)
class TableShape:
    """A one-table export, recognised from its headers; `adapt` adds what the shape knows."""

    name: str
    detect: Callable[[list[str]], bool]
    adapt: Callable[[RawTable], RawTable]


SECTIONED = (
    SectionedShape(zoom.WEBINAR, "Webinar ID", zoom.detect_webinar, zoom.read_webinar),
    SectionedShape(zoom.MEETING, "Join Time", zoom.detect_meeting, zoom.read_meeting),
    SectionedShape(teams.ATTENDANCE, "Participants", teams.detect, teams.read),
)
TABLES = (
    TableShape(forms.GOOGLE, forms.detect_google, forms.adapt_google),
    TableShape(forms.MICROSOFT, forms.detect_microsoft, forms.adapt_microsoft),
    TableShape(ticketing.EVENTBRITE, ticketing.detect, ticketing.adapt),
)
SHAPES = (GENERIC, *(s.name for s in SECTIONED), *(s.name for s in TABLES))


def sectioned_shape(
    path: Path, *, encoding: str | None = None
) -> tuple[SectionedShape, TextRows] | None:
    """The sectioned shape `path` has and its first rows, or ``None`` (not one of them)."""
    head = sniff(path, encoding, markers=[shape.marker for shape in SECTIONED])
    for shape in SECTIONED:
        if shape.detect(head):
            return shape, head
    return None


def read_sectioned(path: Path, *, encoding: str | None = None) -> RawTable | None:
    """Read `path` with the sectioned shape it has, or return ``None`` (not one of them)."""
    found = sectioned_shape(path, encoding=encoding)
    return None if found is None else found[0].read(path, found[1])


def adapt_table(table: RawTable) -> RawTable:
    """`table` with what its table shape knows added (unchanged when it has none)."""
    if table.shape != GENERIC:
        return table
    headers = [str(h) for h in table.frame.columns]
    for shape in TABLES:
        if shape.detect(headers):
            return shape.adapt(table)
    return table


__all__ = ["SECTIONED", "SHAPES", "TABLES", "adapt_table", "read_sectioned", "sectioned_shape"]
