"""Map export headers onto canonical column names (DESIGN §2.2).

Headers are compared after folding case, accents, punctuation and spacing, so one alias line
covers "E-mail Address", "email_address" and "EMAIL ADDRESS". Users add their own wording with
a mapping file (YAML or TOML) whose ``columns`` table maps header -> canonical column.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wsisanalysis import columns as C
from wsisanalysis._data import read_packaged
from wsisanalysis._text import compact
from wsisanalysis.errors import MappingFileError, MissingColumnError

CANONICAL_INPUTS = frozenset(
    {
        C.NAME, C.FIRST_NAME, C.LAST_NAME, C.EMAIL, C.PARTICIPANT_ID, C.ORGANISATION,
        C.COUNTRY, C.STAKEHOLDER_GROUP, C.COMMUNITY, C.EVENT, C.SESSION, C.DATE,
        C.ATTENDANCE_MODE, C.NEWCOMER, C.GENDER, C.ROLE, C.COUNT, C.ACTIVITY_TYPE,
        C.PROCESS, C.TOPICS, C.REACH, C.CHANNEL, C.RECORD_ID, C.SOURCE, C.SOURCE_ROW,
    }
)  # fmt: skip

#: Sections a mapping file may hold besides ``columns``: extra labels for each vocabulary.
LABEL_SECTIONS = ("countries", "stakeholder_groups", "communities", "activity_types", "topics")


@functools.cache
def header_aliases() -> dict[str, str]:
    """Folded header -> canonical column, from the shipped ``headers.tsv``."""
    table = read_packaged("vocab", "headers.tsv")
    return {compact(h): c for h, c in zip(table["header"], table["column"], strict=True)}


@functools.cache
def _display_headers() -> dict[str, list[str]]:
    """Canonical column -> the header wordings accepted, as written in ``headers.tsv``."""
    table = read_packaged("vocab", "headers.tsv")
    out: dict[str, list[str]] = {}
    for header, column in zip(table["header"], table["column"], strict=True):
        out.setdefault(column, []).append(header)
    return out


@dataclass
class UserMapping:
    """A user mapping: header aliases and extra labels per vocabulary."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str | None = None


def load_mapping(path: str | Path | None) -> UserMapping:
    """Read a YAML or TOML mapping file.

    The file may hold ``columns`` (export header -> canonical column) and any of
    ``countries`` (label -> ISO alpha-2), ``stakeholder_groups``, ``communities``,
    ``activity_types`` and ``topics`` (label -> canonical value)::

        columns:
          "Sector of work": stakeholder_group
        countries:
          "Republic of Somaliland": SO
        stakeholder_groups:
          "Ccomunidad técnica": technical_community
    """
    if path is None:
        return UserMapping()
    path = Path(path)
    if not path.is_file():
        msg = (
            f"Mapping file {str(path)!r} not found. Expected a YAML or TOML file; check the path."
        )
        raise MappingFileError(msg)
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text) or {}
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        msg = f"Mapping file {str(path)!r} could not be parsed: {exc}. Fix the syntax and re-run."
        raise MappingFileError(msg) from None
    if not isinstance(data, dict):
        msg = f"Mapping file {str(path)!r} must hold a table at the top level; found {type(data).__name__}."
        raise MappingFileError(msg)
    unknown = set(data) - {"columns", *LABEL_SECTIONS}
    if unknown:
        msg = (
            f"Mapping file {str(path)!r} has unknown sections {sorted(unknown)}. "
            f"Expected any of: columns, {', '.join(LABEL_SECTIONS)}."
        )
        raise MappingFileError(msg)
    for section, content in data.items():
        if not isinstance(content, dict):
            msg = f"Section {section!r} of {str(path)!r} must map labels to values; found {content!r}."
            raise MappingFileError(msg)
    cols = {str(k): str(v) for k, v in (data.get("columns") or {}).items()}
    bad = {k: v for k, v in cols.items() if v not in CANONICAL_INPUTS}
    if bad:
        msg = (
            f"Mapping file {str(path)!r} maps headers to unknown columns: {bad}. "
            f"Expected one of: {', '.join(sorted(CANONICAL_INPUTS))}."
        )
        raise MappingFileError(msg)
    labels = {s: {str(k): str(v) for k, v in data[s].items()} for s in LABEL_SECTIONS if s in data}
    return UserMapping(columns=cols, labels=labels, source=str(path))


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
    display = _display_headers()
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
