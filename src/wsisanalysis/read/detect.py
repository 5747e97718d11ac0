"""Detect how a file is written: its text encoding, delimiter and header row."""

from __future__ import annotations

import csv
from collections.abc import Sequence

import numpy as np

from wsisanalysis._text import compact
from wsisanalysis.reference.vocab import header_aliases

HEADER_SCAN_ROWS = 30


_DELIMITERS = ",;\t|"


def detect_encoding(sample: bytes) -> str:
    """Guess the text encoding of a file from its first bytes.

    BOMs decide first (UTF-8, UTF-16); then strict UTF-8; then charset-normalizer, limited to
    the single-byte code pages office software writes; Windows-1252 is the fallback.

    >>> detect_encoding("Côte d'Ivoire".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("\\ufeffa,b".encode("utf-8"))
    'utf-8-sig'
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if sample[:1000].count(b"\x00") > len(sample[:1000]) // 4:
        # UTF-16 without a BOM: the NULs sit on the high byte
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            from charset_normalizer import from_bytes

            if sum(b >= 0x80 for b in sample) < 40:
                return "cp1252"  # too little evidence for a guess: office software's default

            best = from_bytes(sample, cp_isolation=["cp1252", "cp1251", "mac_roman"]).best()
            return best.encoding if best is not None else "cp1252"
    return "utf-8"


def detect_delimiter(lines: list[str]) -> str:
    """Pick the delimiter that splits the first lines most consistently.

    >>> detect_delimiter(["name;country;date", "A;FR;01/02/2025"])
    ';'
    """
    text = "\n".join(line for line in lines if line.strip())
    try:
        return csv.Sniffer().sniff(text, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def header_index(rows: list[list[str]]) -> int:
    """Index of the header row: the first row naming two known columns, else the widest row."""
    aliases = header_aliases()
    best, best_hits = 0, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = sum(compact(cell) in aliases for cell in row if isinstance(cell, str) and cell)
        if hits >= 2 and hits > best_hits:
            return i
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits:
        return best
    widths = [
        sum(bool(str(c).strip()) for c in row if c is not None) for row in rows[:HEADER_SCAN_ROWS]
    ]
    return int(np.argmax(widths)) if widths else 0


def headers(values: Sequence[object]) -> list[str]:
    names: list[str] = []
    for i, value in enumerate(values):
        text = (
            ""
            if value is None or (isinstance(value, float) and np.isnan(value))
            else str(value).strip()
        )
        name = text or f"column_{i + 1}"
        while name in names:
            name += "_"
        names.append(name)
    return names
