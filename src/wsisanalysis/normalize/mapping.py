"""The user's mapping file (YAML or TOML): their own header wording and labels.

A mapping file's ``columns`` table maps header -> canonical column; its other sections add
labels to each vocabulary (countries, stakeholder groups, communities, activity types, topics).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wsisanalysis import schema as C
from wsisanalysis.errors import MappingFileError

logger = logging.getLogger(__name__)

CANONICAL_INPUTS = frozenset(
    {
        C.NAME, C.FIRST_NAME, C.LAST_NAME, C.EMAIL, C.PARTICIPANT_ID, C.ORGANISATION,
        C.COUNTRY, C.STAKEHOLDER_GROUP, C.COMMUNITY, C.EVENT, C.SESSION, C.DATE,
        C.ATTENDANCE_MODE, C.ATTENDED, C.NEWCOMER, C.GENDER, C.ROLE, C.COUNT, C.ACTIVITY_TYPE,
        C.PROCESS, C.TOPICS, C.REACH, C.CHANNEL, C.RECORD_ID, C.SOURCE, C.SOURCE_ROW,
    }
)  # fmt: skip

#: Sections a mapping file may hold besides ``columns``: extra labels for each vocabulary.
LABEL_SECTIONS = ("countries", "stakeholder_groups", "communities", "activity_types", "topics")


@dataclass
class UserMapping:
    """A user mapping: header aliases and extra labels per vocabulary."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str | None = None


def _read_text(path: Path) -> str:
    """The file as text: UTF-8, else Windows-1252 (what Windows editors save), with a warning."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"Mapping file {str(path)!r} cannot be read ({exc.strerror or exc}). Check the path and permissions."
        raise MappingFileError(msg) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.warning("Mapping file %s is not UTF-8: read as Windows-1252 (cp1252).", path)
        return data.decode("cp1252", errors="replace")


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
    text = _read_text(path)
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
