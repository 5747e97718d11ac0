"""Detect how a file is written: its text encoding, delimiter and header row."""

from __future__ import annotations

import csv
import io
import zipfile
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
    """Header names: blanks named ``column_N``, repeats made unique by punctuation.

    A repeat gets ``_``, ``__``, ``___``, then ``_`` and a counter written in punctuation, so
    it still folds to the same name (and is reported as a duplicate of that column), and the
    names stay short: linear in the number of headers (10,000 identical ones take
    milliseconds; see ``benchmarks/hostile.py``).

    >>> headers(["Name", "Name", None, "Name_", "Name", "Name", "Name"])
    ['Name', 'Name_', 'column_3', 'Name__', 'Name___', 'Name_.-', 'Name_..']
    """
    names: list[str] = []
    taken: set[str] = set()
    repeats: dict[str, int] = {}
    for i, value in enumerate(values):
        text = (
            ""
            if value is None or (isinstance(value, float) and np.isnan(value))
            else str(value).strip()
        )
        base = text or f"column_{i + 1}"
        name, k = base, repeats.get(base, 0)
        while name in taken:
            k += 1
            name = base + ("_" * k if k <= 3 else "_" + _punctuation(k))
        repeats[base] = k
        taken.add(name)
        names.append(name)
    return names


def _punctuation(number: int) -> str:
    """`number` in base 4 written with ``-.~*`` (characters that header folding ignores)."""
    digits = ""
    while True:
        digits = "-.~*"[number % 4] + digits
        number //= 4
        if not number:
            return digits


# --- what the bytes are -----------------------------------------------------------------


def container(data: bytes) -> str | None:
    r"""What kind of binary container `data` starts with, if any.

    >>> container(b"\x1f\x8b\x08\x00"), container(b"Name,Email"), container(b"PAR1....")
    ('gzip', None, 'parquet')
    """
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "zip"
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


_MAGIC = (
    (b"PAR1", "parquet"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"%PDF", "pdf"),
)


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str, list[str]]:
    r"""Decode a whole file; return the text, the encoding and notes on how it was decoded.

    A file that is UTF-8 except for some lines (one pasted from a Windows program) is decoded
    line by line: those lines in the single-byte code page their bytes fit, with a note naming
    them. Otherwise the encoding is detected from every non-ASCII line of the file, not a
    sample, so a cp1252 character after the first megabyte is still read right.

    >>> decode_text("Türkiye\n".encode() + "Côte\n".encode("cp1252"))
    ('Türkiye\nCôte\n', 'utf-8', ['line 2 is not UTF-8: decoded as cp1252'])
    """
    if encoding:
        return data.decode(encoding, errors="replace"), encoding, []
    guess = detect_encoding(data[:4096])
    if guess != "utf-8" and guess != "cp1252":
        return data.decode(guess, errors="replace"), guess, []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad: list[int] = []
    utf8_evidence = False
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_evidence = True
        except UnicodeDecodeError:
            bad.append(number)
    single = detect_encoding(b"\n".join(lines[n - 1] for n in bad[:5000]))
    single = single if single not in ("utf-8", "utf-8-sig") else "cp1252"
    if not utf8_evidence:
        return data.decode(single, errors="replace"), single, []
    for n in bad:
        lines[n - 1] = lines[n - 1].decode(single, errors="replace").encode("utf-8")
    shown = ", ".join(map(str, bad[:20])) + (" ..." if len(bad) > 20 else "")
    plural = "s" if len(bad) > 1 else ""
    verb = "are" if len(bad) > 1 else "is"
    note = f"line{plural} {shown} {verb} not UTF-8: decoded as {single}"
    return b"\n".join(lines).decode("utf-8"), "utf-8", [note]
