"""Map free-text labels onto the controlled vocabularies (DESIGN §2.2).

Each vocabulary is an alias table (exact matches on folded text) plus ordered keyword rules,
both shipped as reviewed TSV files in ``wsisanalysis/data/vocab``. Users extend them with a
mapping file. Every mapper works on the distinct values of a column and maps the result back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._text import fold, strip_tags
from wsisanalysis.reference.packaged import read_packaged

_SPLIT = re.compile(r"\s*[;,|/]\s*")


def _read_tsv(name: str) -> pd.DataFrame:
    return read_packaged("vocab", name)


@dataclass(frozen=True)
class LabelMatch:
    """The outcome of mapping one distinct label."""

    value: str
    method: str  # alias, rule, user, empty, unresolved
    candidates: str = ""  # for an ambiguous label: the values its rules point to


@dataclass
class LabelMapper:
    """Alias table plus keyword rules for one vocabulary.

    Parameters
    ----------
    name
        The canonical column the mapper fills (used in messages and logs).
    vocabulary
        The allowed values; ``unknown`` is what an unresolved label becomes.
    aliases
        Folded label -> value.
    rules
        Ordered (compiled regex, value) pairs tried on the folded label.
    """

    name: str
    vocabulary: tuple[str, ...]
    aliases: dict[str, str]
    rules: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    empty: str = C.UNKNOWN
    #: value -> the value it is part of (AFRALO -> ALAC): a label naming both is the part
    parents: Mapping[str, str] = field(default_factory=dict)

    def _most_specific(self, found: set[str]) -> list[str]:
        ancestors = set()
        for value in found:
            parent = self.parents.get(value)
            while parent is not None and parent not in ancestors:
                ancestors.add(parent)
                parent = self.parents.get(parent)
        return sorted(found - ancestors)

    def with_user_aliases(self, extra: Mapping[str, str]) -> LabelMapper:
        """Return a mapper where the user's ``label -> value`` pairs win over the built-ins."""
        bad = {k: v for k, v in extra.items() if v not in self.vocabulary}
        if bad:
            from wsisanalysis.errors import MappingFileError

            listed = ", ".join(f"{k!r} -> {v!r}" for k, v in bad.items())
            msg = (
                f"The mapping for {self.name!r} names values outside its vocabulary: {listed}. "
                f"Expected one of: {', '.join(self.vocabulary)}."
            )
            raise MappingFileError(msg)
        aliases = {**self.aliases, **{fold(k): v for k, v in extra.items()}}
        user = {fold(k) for k in extra}
        mapper = LabelMapper(
            self.name, self.vocabulary, aliases, self.rules, self.empty, self.parents
        )
        mapper._user = user  # type: ignore[attr-defined]
        return mapper

    def match(self, label: object) -> LabelMatch:
        """Map one label.

        >>> stakeholder_mapper().match("NGO")
        LabelMatch(value='civil_society', method='alias', candidates='')
        >>> stakeholder_mapper().match("Ministry of ICT, Kenya").value
        'government'
        >>> stakeholder_mapper().match("Academia/Government")
        LabelMatch(value='unknown', method='unresolved', candidates='academia, government')
        """
        if not isinstance(label, str) or not strip_tags(label):
            return LabelMatch(self.empty, "empty")
        key = fold(strip_tags(label))
        if key in self.aliases:
            method = "user" if key in getattr(self, "_user", ()) else "alias"
            return LabelMatch(self.aliases[key], method)
        # every rule is tried, so their order never decides: a label whose rules point to two
        # values ("Academia/Government") is unresolved, with both as candidates
        found = self._most_specific({v for pattern, v in self.rules if pattern.search(key)})
        if len(found) == 1:
            return LabelMatch(found[0], "rule")
        return LabelMatch(C.UNKNOWN, "unresolved", ", ".join(found))

    def map_series(self, series: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
        """Map a column; return the categorical result and one row per distinct label.

        The second frame has columns ``label, value, method, rows`` and is what the cleaning
        log reports (unresolved labels with their row counts).
        """
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        matches = [self.match(u) for u in uniques]
        position = {v: i for i, v in enumerate(self.vocabulary)}
        value_codes = np.array(
            [position[m.value] for m in matches] + [position[self.empty]], dtype=np.int16
        )
        result = pd.Series(
            pd.Categorical.from_codes(value_codes[codes], categories=self.vocabulary),
            index=series.index,
            name=self.name,
        )
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        distinct = pd.DataFrame(
            {
                "label": pd.Series(uniques, dtype=object),
                "value": [m.value for m in matches],
                "method": [m.method for m in matches],
                "rows": counts,
                "candidates": [m.candidates for m in matches],
            }
        )
        return result, distinct


def _mapper(
    name: str,
    vocabulary: tuple[str, ...],
    aliases: str,
    rules: str | None,
    parents: Mapping[str, str] | None = None,
) -> LabelMapper:
    table = _read_tsv(aliases)
    alias_map = {
        fold(label): value for label, value in zip(table["label"], table["value"], strict=True)
    }
    rule_list: list[tuple[re.Pattern[str], str]] = []
    if rules:
        rule_table = _read_tsv(rules)
        rule_list = [
            (re.compile(p), v)
            for p, v in zip(rule_table["pattern"], rule_table["value"], strict=True)
        ]
    return LabelMapper(name, vocabulary, alias_map, rule_list, parents=dict(parents or {}))


@functools.cache
def stakeholder_mapper() -> LabelMapper:
    """Mapper for ``stakeholder_group`` (IGF/WSIS categories, academia separate)."""
    return _mapper(
        C.STAKEHOLDER_GROUP,
        C.STAKEHOLDER_GROUPS,
        "stakeholder_groups.tsv",
        "stakeholder_rules.tsv",
    )


@functools.cache
def community_mapper() -> LabelMapper:
    """Mapper for ``community`` (ICANN SOs, ACs, GNSO groups, RALOs, Board, org)."""
    return _mapper(
        C.COMMUNITY,
        C.COMMUNITIES,
        "communities.tsv",
        "community_rules.tsv",
        C.COMMUNITY_PARENT,
    )


@functools.cache
def activity_mapper() -> LabelMapper:
    """Mapper for engagement ``activity_type``."""
    return _mapper(C.ACTIVITY_TYPE, C.ACTIVITY_TYPES, "activity_types.tsv", "activity_rules.tsv")


@functools.cache
def topic_mapper() -> LabelMapper:
    """Mapper for one topic (a topics cell is split first, see :func:`map_topics`)."""
    return _mapper(C.TOPICS, (*C.TOPICS_VOCAB, C.UNKNOWN), "topics.tsv", "topic_rules.tsv")


def _simple(
    name: str, vocabulary: tuple[str, ...], table: dict[str, str], rules: list[tuple[str, str]]
) -> LabelMapper:
    return LabelMapper(
        name,
        vocabulary,
        {fold(k): v for k, v in table.items()},
        [(re.compile(p), v) for p, v in rules],
    )


@functools.cache
def mode_mapper() -> LabelMapper:
    """Mapper for ``attendance_mode`` (onsite / remote)."""
    table = {
        "onsite": "onsite",
        "on-site": "onsite",
        "in person": "onsite",
        "in-person": "onsite",
        "physical": "onsite",
        "f2f": "onsite",
        "face to face": "onsite",
        "presencial": "onsite",
        "présentiel": "onsite",
        "en personne": "onsite",
        "remote": "remote",
        "online": "remote",
        "virtual": "remote",
        "zoom": "remote",
        "webex": "remote",
        "en ligne": "remote",
        "a distancia": "remote",
        "distanciel": "remote",
        "hybrid (remote)": "remote",
    }
    rules = [
        (r"person|site|physical|venue|presen", "onsite"),
        (r"remote|online|virtual|zoom|web|distan", "remote"),
    ]
    return _simple(C.ATTENDANCE_MODE, C.ATTENDANCE_MODES, table, rules)


@functools.cache
def newcomer_mapper() -> LabelMapper:
    """Mapper for ``newcomer`` (first-time attendee flags in any common wording)."""
    table = {
        "yes": "newcomer",
        "y": "newcomer",
        "true": "newcomer",
        "1": "newcomer",
        "x": "newcomer",
        "newcomer": "newcomer",
        "new": "newcomer",
        "first time": "newcomer",
        "first-time": "newcomer",
        "oui": "newcomer",
        "si": "newcomer",
        "sí": "newcomer",
        "no": "returning",
        "n": "returning",
        "false": "returning",
        "0": "returning",
        "returning": "returning",
        "non": "returning",
        "repeat": "returning",
    }
    rules = [(r"first|new", "newcomer"), (r"return|repeat|previous|before", "returning")]
    return _simple(C.NEWCOMER, C.NEWCOMER_VALUES, table, rules)


@functools.cache
def gender_mapper() -> LabelMapper:
    """Mapper for ``gender`` (self-described; "prefer not to say" kept as its own value)."""
    table = {
        "f": "female",
        "female": "female",
        "woman": "female",
        "women": "female",
        "femme": "female",
        "mujer": "female",
        "femenino": "female",
        "féminin": "female",
        "m": "male",
        "male": "male",
        "man": "male",
        "men": "male",
        "homme": "male",
        "hombre": "male",
        "masculino": "male",
        "masculin": "male",
        "non-binary": "non_binary",
        "nonbinary": "non_binary",
        "non binary": "non_binary",
        "nb": "non_binary",
        "other": "other",
        "self-described": "other",
        "prefer not to say": "prefer_not_to_say",
        "prefer not to answer": "prefer_not_to_say",
        "rather not say": "prefer_not_to_say",
        "declined": "prefer_not_to_say",
        "not disclosed": "prefer_not_to_say",
        "pnts": "prefer_not_to_say",
    }
    rules = [
        (r"prefer not|not to say|declin|rather not", "prefer_not_to_say"),
        (r"non ?binary", "non_binary"),
    ]
    return _simple(C.GENDER, C.GENDERS, table, rules)


def map_topics(
    series: pd.Series, mapper: LabelMapper | None = None
) -> tuple[pd.Series, pd.DataFrame]:
    """Map a topics column whose cells list several topics (``"DNS abuse; capacity building"``).

    Returns the topics as a ``;``-joined string of canonical topics (sorted, de-duplicated;
    ``unknown`` where nothing matched) and the distinct-part table for the log.
    """
    mapper = mapper or topic_mapper()
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parts = {
        part for cell in uniques for part in _SPLIT.split(strip_tags(str(cell))) if part.strip()
    }
    part_match = {part: mapper.match(part) for part in parts}
    cell_values = []
    for cell in uniques:
        found = sorted(
            {part_match[p].value for p in _SPLIT.split(strip_tags(str(cell))) if p.strip()}
            - {C.UNKNOWN}
        )
        cell_values.append(";".join(found) if found else C.UNKNOWN)
    values = np.array([*cell_values, C.UNKNOWN], dtype=object)[codes]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    part_rows: dict[str, int] = dict.fromkeys(parts, 0)
    for cell, n in zip(uniques, counts, strict=True):
        for part in {p for p in _SPLIT.split(strip_tags(str(cell))) if p.strip()}:
            part_rows[part] += int(n)
    distinct = pd.DataFrame(
        {
            "label": list(part_match),
            "value": [m.value for m in part_match.values()],
            "method": [m.method for m in part_match.values()],
            "rows": [part_rows[p] for p in part_match],
        }
    )
    return pd.Series(values, index=series.index, name=C.TOPICS, dtype="str"), distinct
