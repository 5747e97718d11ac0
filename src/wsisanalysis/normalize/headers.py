"""Map export headers onto canonical column names (DESIGN §2.2).

Headers are compared after folding case, accents, punctuation and spacing (see
:mod:`wsisanalysis.reference.vocab`); the user's mapping file adds their own wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wsisanalysis._text import compact
from wsisanalysis.errors import MissingColumnError
from wsisanalysis.reference.vocab import display_headers, header_aliases


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of one export were mapped."""

    mapping: dict[str, str]  # original header -> canonical column
    ignored: list[str]  # headers that map to nothing (kept out of the clean table)
    duplicates: dict[str, list[str]]  # canonical column -> headers beyond the first


def match_headers(headers: Iterable[str], user: Mapping[str, str] | None = None) -> HeaderMatch:
    """Map headers to canonical columns; the first header wins when two map to one column.

    >>> match_headers(["E-mail Address", "Country/Territory", "Stakeholder Category"]).mapping
    {'E-mail Address': 'email', 'Country/Territory': 'country', 'Stakeholder Category': 'stakeholder_group'}
    """
    aliases = {**header_aliases(), **{compact(k): v for k, v in (user or {}).items()}}
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    duplicates: dict[str, list[str]] = {}
    taken: set[str] = set()
    for header in headers:
        target = aliases.get(compact(str(header)))
        if target is None:
            ignored.append(str(header))
        elif target in taken:
            duplicates.setdefault(target, []).append(str(header))
        else:
            mapping[str(header)] = target
            taken.add(target)
    return HeaderMatch(mapping, ignored, duplicates)


def require_columns(
    found: HeaderMatch, required: Iterable[Iterable[str]], *, source: str, kind: str
) -> None:
    """Raise :class:`MissingColumnError` unless each group in `required` has one column present.

    Each element of `required` is a group of alternatives (e.g. ``("email", "name",
    "first_name", "count")``); the error lists every missing group, the headers found and the
    aliases that would have been accepted.
    """
    present = set(found.mapping.values())
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
