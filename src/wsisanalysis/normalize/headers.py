"""Map export headers onto canonical column names (DESIGN §2.2).

Headers are compared after folding case, accents, punctuation and spacing (see
:mod:`wsisanalysis.reference.vocab`); the user's mapping file adds their own wording. A
question-style header ("Which stakeholder group do you belong to?") that no alias names is
matched by keywords (``header_keywords.tsv``), only when one canonical column clearly wins.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wsisanalysis._text import compact, fold
from wsisanalysis.errors import MissingColumnError
from wsisanalysis.reference.packaged import read_packaged
from wsisanalysis.reference.vocab import display_headers, header_aliases


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of one export were mapped."""

    mapping: dict[str, str]  # original header -> canonical column
    ignored: list[str]  # headers that map to nothing (kept out of the clean table)
    duplicates: dict[str, list[str]]  # canonical column -> headers beyond the first
    reasons: dict[str, str] = field(default_factory=dict)  # header -> why it maps, or does not
    keyword: dict[str, str] = field(default_factory=dict)  # header -> column, by keywords


@functools.cache
def _keywords() -> tuple[tuple[frozenset[str], str, str], ...]:
    table = read_packaged("vocab", "header_keywords.tsv")
    return tuple(
        (frozenset(fold(words).split()), words, column)
        for words, column in zip(table["keywords"], table["column"], strict=True)
    )


def keyword_column(header: str) -> tuple[str, list[str]] | None:
    """The column a question-style header names by keywords, and the keywords that matched.

    ``None`` unless the keywords of exactly one column appear: a header that names two
    columns ("stakeholder group or community") is not guessed.

    >>> keyword_column("Which stakeholder group do you belong to?")
    ('stakeholder_group', ['stakeholder'])
    >>> keyword_column("Is this your first ICANN or IGF event?")[0]
    'newcomer'
    >>> keyword_column("Which stakeholder group or ICANN community are you in?") is None
    True
    """
    words = set(fold(header).split())
    hits: dict[str, list[str]] = {}
    for keywords, phrase, column in _keywords():
        if keywords <= words:
            hits.setdefault(column, []).append(phrase)
    if len(hits) != 1:
        return None
    return next(iter(hits.items()))


@dataclass
class _Matcher:
    """Assigns headers to columns pass by pass; an earlier pass wins a column."""

    headers: list[str]
    mapping: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    keyword: dict[str, str] = field(default_factory=dict)

    def assign(self, header: str, target: str, why: str) -> None:
        taken = next((h for h, c in self.mapping.items() if c == target), None)
        if taken is None:
            self.mapping[header] = target
            self.reasons[header] = why
        else:
            self.duplicates.setdefault(target, []).append(header)
            self.reasons[header] = f"{why}; {taken!r} already gives {target}"

    def open_headers(self) -> list[str]:
        return [h for h in self.headers if h not in self.reasons]

    def result(self) -> HeaderMatch:
        order = {h: i for i, h in enumerate(self.headers)}
        mapping = dict(sorted(self.mapping.items(), key=lambda item: order[item[0]]))
        ignored = [h for h in self.headers if h not in mapping and not self._duplicate(h)]
        return HeaderMatch(mapping, ignored, self.duplicates, self.reasons, self.keyword)

    def _duplicate(self, header: str) -> bool:
        return any(header in hs for hs in self.duplicates.values())


def match_headers(
    headers: Iterable[str],
    user: Mapping[str, str] | None = None,
    *,
    shape: Mapping[str, str] | None = None,
    shape_ignored: Mapping[str, str] | None = None,
) -> HeaderMatch:
    """Map headers to canonical columns.

    In order of precedence: the user's mapping file, the export shape's own knowledge of its
    columns (`shape`; `shape_ignored` lists headers the shape leaves out, with the reason), the
    alias table, and keywords for question-style headers; all compared after folding case,
    accents and punctuation. Within one of these the first header wins when two map to one
    column.

    >>> match_headers(["E-mail Address", "Country/Territory", "Stakeholder Category"]).mapping
    {'E-mail Address': 'email', 'Country/Territory': 'country', 'Stakeholder Category': 'stakeholder_group'}
    >>> found = match_headers(["Email", "Which stakeholder group do you belong to?"])
    >>> found.keyword
    {'Which stakeholder group do you belong to?': 'stakeholder_group'}
    """
    matcher = _Matcher([str(h) for h in headers])
    users = {compact(k): v for k, v in (user or {}).items()}
    for header in matcher.open_headers():
        if compact(header) in users:
            matcher.assign(header, users[compact(header)], "mapping file")
    known = {compact(k): v for k, v in (shape or {}).items()}
    left_out = {compact(k): v for k, v in (shape_ignored or {}).items()}
    for header in matcher.open_headers():
        if compact(header) in known:
            matcher.assign(header, known[compact(header)], "export shape")
        elif compact(header) in left_out:
            matcher.reasons[header] = f"left out by the export shape: {left_out[compact(header)]}"
    aliases = header_aliases()
    for header in matcher.open_headers():
        if compact(header) in aliases:
            matcher.assign(header, aliases[compact(header)], "alias")
    for header in matcher.open_headers():
        found = keyword_column(header)
        if found is not None:
            matcher.keyword[header] = found[0]
            matcher.assign(header, found[0], f"keywords: {', '.join(found[1])}")
        else:
            matcher.reasons[header] = "no alias or keyword names a column"
    return matcher.result()


def require_columns(
    found: HeaderMatch,
    required: Iterable[Iterable[str]],
    *,
    source: str,
    kind: str,
    present: Iterable[str] | None = None,
) -> None:
    """Raise :class:`MissingColumnError` unless each group in `required` has one column present.

    Each element of `required` is a group of alternatives (e.g. ``("email", "name",
    "first_name", "count")``); the error lists every missing group, the headers found and the
    aliases that would have been accepted. `present` is what the export provides, headers
    and otherwise (an event named by the export); by default the mapped headers.
    """
    present = set(found.mapping.values()) if present is None else set(present)
    missing = [tuple(group) for group in required if not present.intersection(group)]
    if not missing:
        return
    display = display_headers()
    lines = []
    for group in missing:
        accepted = [h for c in group for h in display.get(c, [])[:4]]
        lines.append(
            f"  - one of {', '.join(group)} (headers accepted include: {', '.join(accepted)})"
        )
    headers = [*found.mapping, *found.ignored]
    msg = (
        f"{source}: cannot clean as {kind} data; required columns are missing:\n"
        + "\n".join(lines)
        + f"\nFound headers: {', '.join(repr(h) for h in headers) or '(none)'}.\n"
        "Rename the column in the export or map it in a mapping file (--mapping), e.g.\n"
        '  columns:\n    "<your header>": <canonical column>'
    )
    raise MissingColumnError(msg)
