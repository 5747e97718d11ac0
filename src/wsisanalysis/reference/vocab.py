"""The header vocabulary: which export headers name which canonical column (``headers.tsv``).

Headers are compared after folding case, accents, punctuation and spacing, so one alias line
covers "E-mail Address", "email_address" and "EMAIL ADDRESS".
"""

from __future__ import annotations

import functools

from wsisanalysis._text import compact
from wsisanalysis.reference.packaged import read_packaged


@functools.cache
def header_aliases() -> dict[str, str]:
    """Folded header -> canonical column, from the shipped ``headers.tsv``."""
    table = read_packaged("vocab", "headers.tsv")
    return {compact(h): c for h, c in zip(table["header"], table["column"], strict=True)}


@functools.cache
def display_headers() -> dict[str, list[str]]:
    """Canonical column -> the header wordings accepted, as written in ``headers.tsv``."""
    table = read_packaged("vocab", "headers.tsv")
    out: dict[str, list[str]] = {}
    for header, column in zip(table["header"], table["column"], strict=True):
        out.setdefault(column, []).append(header)
    return out
