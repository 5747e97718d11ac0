"""Record boundaries of delimited text, found line by line without trusting a parser.

A parser that meets a quote that never closes swallows every later line into one cell and
reports fewer rows than the file holds. Here each physical line is parsed alone first; a line
whose quote stays open is joined with the following lines only while none of them is, by
itself, a complete record of the header's width. Otherwise the opening line is a malformed
record (quarantined with its line number) and reading goes on at the next line. Records with
more non-empty fields than the header, or a cell longer than :data:`FIELD_LIMIT`, are
rejected the same way, so nothing is silently merged, shifted or dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

#: Python's csv field limit: a longer cell is refused (quarantined), never read half.
FIELD_LIMIT = 131_072
#: How many lines a quoted cell may span before its opening quote is taken as unbalanced.
MAX_SPAN = 200
_BARE_CR = "\ue000"  # private-use stand-in for a CR inside a record while csv parses it


class Reject:
    """Why a physical record was not read into the table (values of the quarantine Reason)."""

    MALFORMED = "malformed_record"
    FIELD_COUNT = "field_count_mismatch"
    TOO_LONG = "cell_too_long"


@dataclass
class Record:
    """One physical record: the line it starts on, its fields, and why it was rejected."""

    line: int
    fields: list[str] | None
    reason: str | None = None
    lines: int = 1
    bare_cr: int = 0


def physical_lines(text: str) -> list[str]:
    """Split text into lines on LF (a CR before it dropped); CR alone only in old Mac files.

    A bare CR inside a line stays in it: it is part of a cell, not a line break.

    >>> physical_lines("a,b\\r\\nc\\rd,e\\n")
    ['a,b', 'c\\rd,e']
    >>> physical_lines("a,b\\rc,d\\r")
    ['a,b', 'c,d']
    """
    if "\n" not in text and "\r" in text:
        lines = text.split("\r")
    else:
        lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_line(text: str, delimiter: str, *, strict: bool = False) -> list[str] | None:
    """The fields of one record's text, or None when a quote is left open.

    With `strict`, also None when a closing quote is followed by more text (``"a"b``); else
    such a cell is read leniently, as Excel does.

    >>> parse_line('a,"b,c",d', ",")
    ['a', 'b,c', 'd']
    >>> parse_line('"a,b', ",") is None
    True
    """
    if '"' not in text:
        return text.split(delimiter)
    text = text.replace("\r", _BARE_CR)
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if strict or "end of data" in str(exc):
            return None
        rows = list(csv.reader([text], delimiter=delimiter))  # a stray quote inside a cell
    fields = rows[0] if rows else []
    return [f.replace(_BARE_CR, "\r") for f in fields]


def _span(
    lines: list[str], i: int, delimiter: str, width: int | None
) -> tuple[list[str] | None, int]:
    """Fields of the record opening at line `i` with an open quote, and how many lines it takes.

    ``(None, 1)`` when the quote never closes, when it closes into fewer fields than the
    header has, or when a line it would swallow stands alone as a record (see
    :func:`_stands_alone`): then line `i` is the malformed one.
    """
    for j in range(i + 1, min(len(lines), i + MAX_SPAN)):
        if width is not None and _stands_alone(lines[j], delimiter, width):
            return None, 1
        fields = parse_line("\n".join(lines[i : j + 1]), delimiter)
        if fields is not None:
            if width is not None and len(fields) < width:
                return None, 1  # a quote closed by the next record's quote, not one record
            return fields, j - i + 1
    return None, 1


def _stands_alone(line: str, delimiter: str, width: int) -> bool:
    """Whether a line is a record by itself rather than the rest of a quoted cell.

    Any quote in it must open a field (a cell's continuation, ``...end of the cell",b,c``,
    has its first quote mid-field), and it must hold at least `width` fields: parsed strictly,
    or, when its last quoted cell goes on to the next lines, counting that cell as one.
    """
    if '"' in line and not (_opens_field(line, delimiter) and _quotes_in_place(line, delimiter)):
        return False
    alone = parse_line(line, delimiter, strict=True)
    if alone is None and parse_line(line, delimiter) is None:  # it opens a multi-line cell
        alone = next(csv.reader([line.replace("\r", _BARE_CR)], delimiter=delimiter), [])
    return alone is not None and len(alone) >= width


def _quotes_in_place(line: str, delimiter: str) -> bool:
    """Whether every quote of the line opens a field, closes it (before a delimiter or the
    end) or is doubled inside it; a quote anywhere else (``,b,c"d``) is the end of a quoted
    cell that began on an earlier line. A quoted cell still open at the end is in place."""
    i, start = 0, True
    while i < len(line):
        if start and line[i] == '"':
            i = _closing(line, i + 1)
            if i < 0:
                return True  # the cell goes on to the next line
            if i < len(line) and line[i] != delimiter:
                return False
        elif line[i] == '"':
            return False
        start = i < len(line) and line[i] == delimiter
        i += 1
    return True


def _closing(line: str, i: int) -> int:
    """The position after the quote that closes the quoted cell from `i`, or -1 (never)."""
    while i < len(line):
        if line[i] == '"':
            if line[i + 1 : i + 2] != '"':
                return i + 1
            i += 1
        i += 1
    return -1


def _opens_field(line: str, delimiter: str) -> bool:
    """Whether the line's first quote opens a quoted field (it starts the line or a field)."""
    at = line.find('"')
    return at == 0 or (at > 0 and line[at - 1] == delimiter)


def iter_records(
    lines: list[str], delimiter: str, *, width: int | None = None, first_line: int = 1
) -> Iterator[Record]:
    """Every physical record of `lines`, with the 1-based line it starts on.

    With `width` (the header's field count), records are checked: an open quote that never
    closes or would swallow complete records, more non-empty fields than the header, and cells
    over :data:`FIELD_LIMIT` give a :class:`Record` with `reason` set.
    """
    old_limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        i = 0
        while i < len(lines):
            fields = parse_line(lines[i], delimiter)
            span = 1
            if fields is None:
                fields, span = _span(lines, i, delimiter, width)
            yield _checked(Record(first_line + i, fields, lines=span), width)
            i += span
    finally:
        csv.field_size_limit(old_limit)


def _checked(record: Record, width: int | None) -> Record:
    fields = record.fields
    if fields is None:
        record.reason = Reject.MALFORMED
        return record
    record.bare_cr = sum(f.count("\r") for f in fields if "\r" in f)
    if width is None:
        return record
    if len(fields) > width:
        if any(f.strip() for f in fields[width:]):
            record.reason = Reject.FIELD_COUNT
        else:
            record.fields = fields[:width]
    if any(len(f) > FIELD_LIMIT for f in fields):
        record.reason = Reject.TOO_LONG
    return record
