"""Provenance and free text that cannot carry personal data (issue #12).

``source``, ``source_row`` and ``record_id`` come from the reader alone, never from an input
column of that name; file names are reduced to a safe form; e-mails are removed from free text
in every disguise exports carry (``%40``, ``&#64;``, fullwidth ``＠``, ``[at] [dot]``); and a
label that looks like a person's name is never shown verbatim in the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.normalize.headers import HeaderMatch

EMAIL_PLACEHOLDER = "[e-mail removed]"
NAME_PLACEHOLDER = "[name-like label withheld]"
_PROVENANCE = (C.SOURCE, C.SOURCE_ROW, C.RECORD_ID)

_AT = r"(?:\s?(?:@|＠|﹫|%40|&#0*64;|&#x0*40;|&commat;)\s?|\s*[\[({<]\s*at\s*[\])}>]\s*)"
_DOT = r"(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*)"
#: An e-mail address, plain or disguised; the local part takes no ``_`` or ``/`` so a file
#: name such as ``export_from_jane.doe@example.org.csv`` keeps its prefix.
EMAIL_ANYWHERE = re.compile(
    rf"[A-Za-z0-9.+\-']*[A-Za-z0-9]{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}",
    re.IGNORECASE,
)
_PLAIN_EMAIL = re.compile(r"[^\s@<>\"',;()\[\]]+@[^\s@<>\"',;()\[\]]+")

#: Words that make a capitalized phrase an organisation, place or role rather than a name.
_NOT_NAME_WORDS = frozenset(
    [
        "academy",
        "academia",
        "association",
        "authority",
        "bank",
        "board",
        "business",
        "center",
        "centre",
        "civil",
        "college",
        "commission",
        "committee",
        "community",
        "company",
        "consortium",
        "corporation",
        "council",
        "country",
        "department",
        "federal",
        "forum",
        "foundation",
        "government",
        "group",
        "institute",
        "international",
        "internet",
        "islands",
        "kingdom",
        "league",
        "limited",
        "ltd",
        "inc",
        "llc",
        "member",
        "ministry",
        "africa",
        "america",
        "americas",
        "asia",
        "europe",
        "oceania",
        "pacific",
        "caribbean",
        "latin",
        "middle",
        "east",
        "west",
        "north",
        "south",
        "central",
        "saharan",
        "sub",
        "region",
        "global",
        "online",
        "remote",
        "other",
        "unknown",
        "none",
        "national",
        "network",
        "office",
        "organisation",
        "organization",
        "partners",
        "private",
        "public",
        "registry",
        "republic",
        "saint",
        "school",
        "sector",
        "services",
        "society",
        "staff",
        "state",
        "states",
        "technical",
        "telecom",
        "union",
        "united",
        "university",
    ]
)
_CAPITALIZED = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:[-'’][^\W\d_]+)*$")


def scrub_emails(text: str) -> str:
    """Replace every e-mail address in `text`, disguised or not, by a placeholder.

    >>> scrub_emails("Acme Ltd - jane [at] example [dot] org")
    'Acme Ltd - [e-mail removed]'
    >>> scrub_emails("Acme (jane%40example.org)"), scrub_emails("AT&T Inc.")
    ('Acme ([e-mail removed])', 'AT&T Inc.')
    """
    text = EMAIL_ANYWHERE.sub(EMAIL_PLACEHOLDER, text)
    return _PLAIN_EMAIL.sub(EMAIL_PLACEHOLDER, text) if "@" in text else text


def safe_source(name: str) -> str:
    """A file name fit to print on every page: e-mail addresses in it removed.

    >>> safe_source("export_from_jane.doe@example.org.csv")
    'export_from_[e-mail removed].csv'
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix.isalnum() or len(suffix) > 8:
        return scrub_emails(name)
    if suffix.lower() == "gz" and "." in stem:
        inner, _, inner_suffix = stem.rpartition(".")
        return f"{scrub_emails(inner)}.{inner_suffix}.{suffix}"
    return f"{scrub_emails(stem)}.{suffix}"


def without_provenance(found: HeaderMatch) -> HeaderMatch:
    """The header match with input columns mapped to provenance columns renamed to ordinary
    free-text columns (``Source`` -> ``input_source``, ``record_id`` -> ``input_record_id``,
    ``source_row`` -> ``input_source_row``): kept, scrubbed like all free text, never used
    as provenance."""
    mapping = {h: C.INPUT_PROVENANCE.get(c, c) for h, c in found.mapping.items()}
    return found if mapping == found.mapping else replace(found, mapping=mapping)


def input_provenance(columns: Iterable[object]) -> list[str]:
    """The ``input_*`` columns among `columns`, in a fixed order.

    >>> input_provenance(["event", "input_source_row", "input_source"])
    ['input_source', 'input_source_row']
    """
    present = set(columns)
    return [name for name in C.INPUT_PROVENANCE.values() if name in present]


def raw_without_clash(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw input columns named exactly like provenance columns renamed to ``input_*``, so the
    quarantine's own ``source`` and ``source_row`` never overwrite an input's values."""
    clash = {c: C.INPUT_PROVENANCE[c] for c in raw.columns if c in C.INPUT_PROVENANCE}
    return raw.rename(columns=clash) if clash else raw


def looks_like_name(label: str) -> bool:
    """Whether an unresolved label looks like a person's name: 2-4 capitalized words.

    >>> looks_like_name("Maria Gonzalez Lopez"), looks_like_name("Ghana Internet Society")
    (True, False)
    >>> looks_like_name("Lagos"), looks_like_name("Academia/Government")
    (False, False)
    """
    words = label.split()
    if not 2 <= len(words) <= 4:
        return False
    return all(
        _CAPITALIZED.match(w) and w[0].isupper() and w.casefold() not in _NOT_NAME_WORDS
        for w in words
    )
