"""Text helpers shared by the normalizers: one canonical key per spelling."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

import pandas as pd

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>")
_SCRIPTS = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)


def fold(value: str) -> str:
    """Return `value` lower-cased, without accents, punctuation or repeated spaces.

    >>> fold("  Côte d’Ivoire ")
    'cote d ivoire'
    >>> fold("E-mail Address")
    'e mail address'
    """
    text = unicodedata.normalize("NFKD", str(value).translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("ß", "ss")
    return _NON_WORD.sub(" ", text).strip()


def compact(value: str) -> str:
    """Return `fold(value)` without spaces: ``"E-mail"`` and ``"Email"`` meet.

    >>> compact("E-mail Address")
    'emailaddress'
    """
    return fold(value).replace(" ", "")


def strip_tags(value: str) -> str:
    """Remove HTML tags (script and style with their content), entities, invisible format
    characters (zero-width, bidi overrides) and repeated white space.

    Free text in exports carries markup; a "<" that opens no tag stays.

    >>> strip_tags("<b>ICANN</b>  org"), strip_tags("Smith &amp; Partners"), strip_tags("5 < 6")
    ('ICANN org', 'Smith & Partners', '5 < 6')
    >>> strip_tags("<script>alert(1)</script>Open\u200b Data\u202e Lab")
    'Open Data Lab'
    """
    text = _TAGS.sub(" ", _SCRIPTS.sub(" ", value))
    if "&" in text:
        text = _TAGS.sub(" ", html.unescape(text))
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text).strip()


def map_distinct(series: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """Apply `func` to each distinct non-missing value once and map the results back.

    Free text repeats a lot (event names, organisations): a million rows carry a few thousand
    distinct values.

    >>> map_distinct(pd.Series(["<b>A</b>", "<b>A</b>", None]), strip_tags).tolist()
    ['A', 'A', nan]
    """
    import pyarrow as pa

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = pa.array([func(u) for u in uniques.tolist()], pa.large_string())
    values = mapped.take(pa.array(codes, mask=codes < 0))  # one arrow take, no object array
    return pd.Series(values, index=series.index, dtype="str")
