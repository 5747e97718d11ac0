"""What participation and engagement records need: one specification per kind.

A :class:`KindSpec` names the required columns, the parsers that run before quarantine, the
quarantine rules in order, the column steps, the output columns, the categorical
vocabularies and the deduplication rule. The pipeline runs any spec the same way; a new kind
is a new spec, not a new branch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._text import map_distinct, strip_tags
from wsisanalysis.clean import steps
from wsisanalysis.clean.quarantine import QuarantineRule, Reason
from wsisanalysis.clean.steps import Cells, Context
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.normalize.attendance import AttendanceMapper
from wsisanalysis.normalize.vocabularies import (
    activity_mapper,
    community_mapper,
    gender_mapper,
    mode_mapper,
    newcomer_mapper,
    stakeholder_mapper,
    topic_mapper,
)

Parser = Callable[[Cells, Context], dict[str, pd.Series]]
ColumnStep = Callable[[Cells, Context], dict[str, pd.Series]]
#: Which records duplicate an earlier one, given the clean table and each record's precedence
#: (lower wins: file order, or latest first for form responses).
Dedupe = Callable[[pd.DataFrame, np.ndarray], pd.Series]

_IDENTITY = (C.EMAIL, C.NAME, C.FIRST_NAME, C.LAST_NAME, C.PARTICIPANT_ID)


@dataclass(frozen=True)
class KindSpec:
    """Everything that differs between kinds of records."""

    name: str
    required: tuple[tuple[str, ...], ...]
    parsers: tuple[Parser, ...]
    rules: tuple[QuarantineRule, ...]
    parsed_outputs: tuple[str, ...]  # parsed values that are output columns as they are
    steps: tuple[ColumnStep, ...]
    columns: tuple[str, ...]  # output columns before the reference columns, in order
    vocabularies: Mapping[str, tuple[str, ...]]
    duplicated: Dedupe
    dedupe_rule: str


def _flag(name: str) -> Callable[[object, Mapping[str, pd.Series]], pd.Series]:
    """A rule test that reads a mask a parser computed."""
    return lambda cells, parsed: parsed[name]


def _blank(column: str) -> Callable[[Cells, Mapping[str, pd.Series]], pd.Series]:
    return lambda cells, parsed: cells.stripped(column).isna()


def _blank_text(column: str) -> Callable[[Cells, Mapping[str, pd.Series]], pd.Series]:
    """Blank once markup, entities and invisible characters are removed (``<b></b>``)."""

    def test(cells: Cells, parsed: Mapping[str, pd.Series]) -> pd.Series:
        return steps.per_distinct(cells.stripped(column), _blank_without_markup)[0]

    return test


def _blank_without_markup(values: pd.Series) -> tuple[pd.Series]:
    text = map_distinct(values, strip_tags)
    return (text.isna() | (text == ""),)


def _empty_row(cells: Cells, parsed: Mapping[str, pd.Series]) -> pd.Series:
    return steps.blank_rows(cells)


def _no_identity(cells: Cells, parsed: Mapping[str, pd.Series]) -> pd.Series:
    """Individual records (no ``count`` column) that no participant id could be made for,
    unless they are anonymous responses (each kept as a participant of its own)."""
    return parsed[C.PARTICIPANT_ID].isna() & ~parsed["anonymous_ok"] & (not cells.has(C.COUNT))


def _respondents(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    """Whether a record without identity is an anonymous response (form shapes say so)."""
    return {"anonymous_ok": pd.Series(ctx.anonymous, index=cells.index, dtype=bool)}


_COMMON_RULES = (
    QuarantineRule(Reason.EMPTY_ROW, _empty_row),
    QuarantineRule(Reason.INVALID_COUNT, _flag("invalid_count")),
    QuarantineRule(Reason.DATE_OUT_OF_RANGE, _flag("date_out_of_range")),
    QuarantineRule(Reason.INVALID_DATE, _flag("invalid_date")),
)


def _reading(*names: str) -> Callable[[ColumnStep], ColumnStep]:
    """Mark a column step with the input columns it reads (``step.reads``): the pipeline
    lets each go once no later step reads it."""

    def mark(step: ColumnStep) -> ColumnStep:
        step.reads = names  # type: ignore[attr-defined]
        return step

    return mark


def _labels(column: str, source: str, mapper: Callable[[Context], object]) -> ColumnStep:
    """A step mapping the raw `source` column into vocabulary column `column`."""

    @_reading(source)
    def step(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
        found = mapper(ctx)
        return {column: steps.map_label_column(cells.column(source), found, ctx.stats, column)}  # type: ignore[arg-type]

    return step


def _user(section: str, base: Callable[[], object]) -> Callable[[Context], object]:
    return lambda ctx: base().with_user_aliases(ctx.mapping.labels.get(section, {}))  # type: ignore[attr-defined]


@_reading(C.COUNTRY)
def _countries(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    user = ctx.mapping.labels.get("countries", {})
    column = cells.column(C.COUNTRY)
    iso = steps.countries(column, user, ctx.stats, ctx.country_codes, ctx.country_labels)
    return {C.COUNTRY_ISO2: iso}


@_reading(C.ORGANISATION)
def _organisation(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    return {C.ORGANISATION: steps.organisation(cells)}


def _text(*names: str) -> ColumnStep:
    @_reading(*names)
    def step(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
        return steps.tag_free_text(cells, names)

    return step


@_reading(C.TOPICS)
def _topics(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    mapper = topic_mapper().with_user_aliases(ctx.mapping.labels.get("topics", {}))
    return {C.TOPICS: steps.topics(cells, mapper, ctx.stats)}


_COMMON_STEPS = (
    _countries,
    _labels(
        C.STAKEHOLDER_GROUP, C.STAKEHOLDER_GROUP, _user("stakeholder_groups", stakeholder_mapper)
    ),
    _labels(C.COMMUNITY, C.COMMUNITY, _user("communities", community_mapper)),
)


def _same_person_same_event(clean: pd.DataFrame, order: np.ndarray) -> pd.Series:
    """Records of one participant for one event beyond the one kept (ids missing never merge).

    The record kept is one that attended, else one of unknown attendance, else a no-show;
    among equals the one with the lowest `order` (the first, or a form's latest response).
    """
    person, _ = pd.factorize(clean[C.PARTICIPANT_ID], use_na_sentinel=True)
    event, events = pd.factorize(clean[C.EVENT], use_na_sentinel=True)
    pair = person.astype(np.int64) * (len(events) + 1) + event + 1
    attended = clean[C.ATTENDED].astype("boolean")
    if not attended.notna().any() and not (np.diff(order) <= 0).any():
        # nothing to prefer: the first record of each pair is kept (no sort needed)
        first = pd.Series(pair).duplicated(keep="first").to_numpy()
        return pd.Series((person >= 0) & first, index=clean.index)
    rank = np.where(attended.isna(), 1, np.where(attended.fillna(False), 0, 2))
    sort = np.lexsort((order, rank, pair))
    later = np.zeros(len(pair), dtype=bool)
    later[sort[1:]] = pair[sort[1:]] == pair[sort[:-1]]
    return pd.Series((person >= 0) & later, index=clean.index)


def _same_content(clean: pd.DataFrame, order: np.ndarray) -> pd.Series:
    content = [c for c in clean.columns if c not in (C.RECORD_ID, C.SOURCE, C.SOURCE_ROW)]
    return clean.duplicated(content, keep="first")


PARTICIPATION = KindSpec(
    name="participation",
    required=((C.EVENT,), (*_IDENTITY, C.COUNT)),
    parsers=(
        steps.parse_count,
        steps.parse_date_column,
        steps.identify_participants,
        _respondents,
    ),
    rules=(
        *_COMMON_RULES,
        QuarantineRule(Reason.MISSING_EVENT, _blank_text(C.EVENT)),
        QuarantineRule(Reason.MISSING_IDENTITY, _no_identity),
    ),
    parsed_outputs=(C.PARTICIPANT_ID,),
    steps=(
        *_COMMON_STEPS,
        _text(C.EVENT, C.ROLE, C.SESSION),
        _labels(C.ATTENDANCE_MODE, C.ATTENDANCE_MODE, lambda ctx: mode_mapper()),
        _labels(C.ATTENDED, C.ATTENDED, lambda ctx: AttendanceMapper()),
        _labels(C.NEWCOMER, C.NEWCOMER, lambda ctx: newcomer_mapper()),
        _labels(C.GENDER, C.GENDER, lambda ctx: gender_mapper()),
        _organisation,
    ),
    columns=(*C.PARTICIPATION_COLUMNS[: -len(C.REFERENCE_COLUMNS)], C.SESSION, C.ORGANISATION),
    vocabularies={
        C.STAKEHOLDER_GROUP: C.STAKEHOLDER_GROUPS,
        C.COMMUNITY: C.COMMUNITIES,
        C.ATTENDANCE_MODE: C.ATTENDANCE_MODES,
        C.NEWCOMER: C.NEWCOMER_VALUES,
        C.GENDER: C.GENDERS,
    },
    duplicated=_same_person_same_event,
    dedupe_rule=(
        "same participant_id and event: one record is kept, one that attended before one of "
        "unknown attendance before a no-show; among equals the first (for form responses the "
        "latest)"
    ),
)

ENGAGEMENT = KindSpec(
    name="engagement",
    required=((C.DATE,), (C.ACTIVITY_TYPE,)),
    parsers=(steps.parse_count, steps.parse_date_column, steps.parse_reach),
    rules=(
        *_COMMON_RULES,
        QuarantineRule(Reason.MISSING_DATE, _blank(C.DATE)),
        QuarantineRule(Reason.INVALID_REACH, _flag("invalid_reach")),
    ),
    parsed_outputs=(C.REACH,),
    steps=(
        *_COMMON_STEPS,
        _labels(C.ACTIVITY_TYPE, C.ACTIVITY_TYPE, _user("activity_types", activity_mapper)),
        _topics,
        _text(C.PROCESS, C.CHANNEL),
        _organisation,
    ),
    columns=C.ENGAGEMENT_COLUMNS[: -len(C.REFERENCE_COLUMNS)],
    vocabularies={
        C.STAKEHOLDER_GROUP: C.STAKEHOLDER_GROUPS,
        C.COMMUNITY: C.COMMUNITIES,
        C.ACTIVITY_TYPE: C.ACTIVITY_TYPES,
    },
    duplicated=_same_content,
    dedupe_rule="identical engagement records (all content columns equal): the first is kept",
)

KINDS: dict[str, KindSpec] = {spec.name: spec for spec in (PARTICIPATION, ENGAGEMENT)}


def kind_spec(kind: str) -> KindSpec:
    """The specification for `kind`, or an error naming the kinds there are.

    >>> kind_spec("engagement").required
    (('date',), ('activity_type',))
    """
    try:
        return KINDS[kind]
    except KeyError:
        msg = f"Unknown kind {kind!r}. Expected one of: {', '.join(KINDS)}."
        raise WsisAnalysisError(msg) from None
