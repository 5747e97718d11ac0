"""What the sectioned shapes share: a text export as rows of cells, and its sections.

Webinar and meeting reports are several tables in one file (a title row, a summary, then one
table per section, each with its own header). They are small, so they are read whole with the
``csv`` module; every row keeps the physical line it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis._text import compact, fold
from wsisanalysis.read.detect import detect_delimiter, detect_encoding, headers

SNIFF_BYTES = 64 * 1024
SNIFF_ROWS = 60


@dataclass(frozen=True)
class TextRows:
    """A delimited text file as rows of cells (trailing empty cells removed)."""

    rows: list[list[str]]
    lines: list[int]  # physical line (1-based) where each row starts
    encoding: str
    delimiter: str

    def find(self, test: Iterable[str] | str, start: int = 0) -> int | None:
        """Index of the first row at or after `start` holding every cell in `test`."""
        wanted = {fold(t) for t in ([test] if isinstance(test, str) else test)}
        for i in range(start, len(self.rows)):
            if wanted <= {fold(cell) for cell in self.rows[i]}:
                return i
        return None

    def record(self, header_at: int) -> dict[str, str]:
        """The one values row under a summary header, as folded header -> value."""
        header = self.rows[header_at]
        values = self.rows[header_at + 1] if header_at + 1 < len(self.rows) else []
        return {fold(h): v.strip() for h, v in zip(header, values, strict=False) if fold(h)}


def _parse(
    text: str, delimiter: str, limit: int | None = None
) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    for row in reader:
        while row and not row[-1].strip():
            row.pop()
        rows.append(row)
        lines.append(previous + 1)
        previous = reader.line_num
        if limit is not None and len(rows) >= limit:
            break
    return rows, lines


def _decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding, errors="replace").lstrip("\ufeff")


def sniff(path: Path, encoding: str | None = None, markers: Iterable[str] = ()) -> TextRows:
    """The first rows of a text export, enough to recognise its shape (none when `markers`
    are given and the first rows hold none of them)."""
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    encoding = encoding or detect_encoding(sample)
    try:
        text = _decode(sample, encoding)
    except LookupError:
        return TextRows([], [], encoding, ",")
    head = text.splitlines()[:SNIFF_ROWS]
    if markers and not any(marker in line for line in head for marker in markers):
        return TextRows([], [], encoding, ",")
    delimiter = detect_delimiter(head)
    try:
        rows, lines = _parse("\n".join(head), delimiter, SNIFF_ROWS)
    except csv.Error:  # not a shape we know; the generic reader reports what is wrong
        return TextRows([], [], encoding, delimiter)
    return TextRows(rows, lines, encoding, delimiter)


def read_rows(path: Path, sniffed: TextRows) -> TextRows:
    """The whole file as rows, in the encoding and delimiter `sniffed` found."""
    rows, lines = _parse(_decode(path.read_bytes(), sniffed.encoding), sniffed.delimiter)
    return TextRows(rows, lines, sniffed.encoding, sniffed.delimiter)


def section_frame(text: TextRows, header_at: int, stop: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The table whose header is row `header_at`, up to row `stop` (blank rows skipped)."""
    names = headers(text.rows[header_at])
    body, lines = [], []
    for row, line in zip(
        text.rows[header_at + 1 : stop], text.lines[header_at + 1 : stop], strict=True
    ):
        if any(cell.strip() for cell in row):
            body.append((row + [""] * len(names))[: len(names)])
            lines.append(line)
    frame = pd.DataFrame(body, columns=names, dtype="str")
    return frame.mask(frame.apply(lambda c: c.str.strip() == "")), np.array(lines, dtype=np.int64)


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column whose header is `name` up to case, accents and punctuation (all missing
    when there is none): exports vary in how they capitalise their own headers."""
    wanted = compact(name)
    found = next((c for c in frame.columns if compact(str(c)) == wanted), None)
    if found is None:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame[found]


def derive(frame: pd.DataFrame, name: str, values: pd.Series) -> tuple[pd.DataFrame, str]:
    """`frame` with a column the shape computed, named `name` unless a header already is
    (compared as headers are matched: case, accents and punctuation aside)."""
    taken = {compact(str(c)) for c in frame.columns}
    derived = name if compact(name) not in taken else f"{name} (derived)"
    return frame.assign(**{derived: pd.Series(values, index=frame.index, dtype="str")}), derived


def is_yes(values: pd.Series) -> pd.Series:
    """Cells that say yes (``Yes``, ``Y``, ``true``), case-insensitively."""
    return values.str.strip().str.casefold().isin(["yes", "y", "true", "1"]).fillna(False)
