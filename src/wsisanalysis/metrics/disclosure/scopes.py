"""How a page's part of the records is described, so that it can be found again in another
snapshot's records: conditions on columns (events, countries, organisations), and each
participant counted once, by their number within each data set, never their id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure.tables import Records

#: Columns never kept with the records: they tell records and people apart. (A page that
#: counts each participant once is described by :data:`ONCE` instead, on codes that name
#: nobody.)
IDENTIFYING = frozenset({"participant_id", "record_id", "source_row"})
#: A condition may name at most this many values of a column (the smaller side: "all but the
#: secretariat" names one organisation).
MAX_CATEGORIES = 1_000
#: The participant column, and the column of the kept records standing for it: each
#: participant's number within that data set (0, 1, 2...), which links nothing across data.
PARTICIPANT, PERSON = "participant_id", "_person"

#: A condition on one column: its name, whether rows must hold one of `values` (True) or
#: none of them (False), and the values. On :data:`PERSON` it keeps each participant's first
#: record among the rows selected so far (``values`` is empty).
Condition = tuple[str, bool, frozenset[str]]
#: The condition of a page that counts each participant once.
ONCE: Condition = (PERSON, True, frozenset())


#: At most this many descriptions of one page's part of the records are tried.
MAX_DESCRIPTIONS = 8


def descriptions(records: Records, scope: np.ndarray) -> list[list[Condition]]:
    """The ways conditions on the records' columns select exactly `scope` ([[]] for all
    records), each participant counted once (:data:`ONCE`) before or after the other
    conditions if the page did; [] when none describes it.

    Conditions are taken greedily, the one leaving out most of the rows still selected
    first, and only while some are left to leave out: a page of one event is ``event in
    {main}``, not that and ``country in {the countries at it}`` too, which in another week's
    records would leave out the main event's participants from countries new to it. Where
    columns tie (this week the main event is all delegations: ``event`` and ``organisation``
    cut the same rows) each gives a description, since in another week's records they may
    select different people; so does counting each participant once before or after.
    """
    if scope.all():
        return [[]]
    found = {c: _on_column(records.keys(c), scope) for c in records.data.columns
             if c not in IDENTIFYING and c not in (PERSON, "count")}  # fmt: skip
    options = {c: (*f, _holds(records.keys(c), *f)) for c, f in found.items() if f is not None}
    out: list[list[Condition]] = []
    _describe(records, scope, options, ([], np.ones(len(scope), dtype=bool)), out)
    return out


def _describe(
    records: Records, scope: np.ndarray, options: dict[str, tuple[bool, frozenset[str], np.ndarray]],
    taken: tuple[list[Condition], np.ndarray], out: list[list[Condition]],
) -> None:  # fmt: skip
    """Extend the description `taken` (its conditions and the rows they select) greedily,
    branching where columns tie, into `out`."""
    conditions, selected = taken
    if len(out) >= MAX_DESCRIPTIONS or any(set(d) == set(conditions) for d in out):
        return
    if np.array_equal(selected, scope):
        out.append(conditions)
        return
    gains = {c: int((selected & ~hit).sum()) for c, (_, _, hit) in options.items()}
    best = max(gains.values(), default=0)
    if best == 0:
        out.extend(_counted_once(records, scope, conditions, selected))
        return
    for column in [c for c, gain in gains.items() if gain == best]:
        inside, values, hit = options[column]
        rest = {c: o for c, o in options.items() if c != column}
        _describe(
            records, scope, rest, ([*conditions, (column, inside, values)], selected & hit), out
        )


def _counted_once(
    records: Records, scope: np.ndarray, conditions: list[Condition], selected: np.ndarray
) -> list[list[Condition]]:
    """`conditions` with each participant counted once after them, or before them, where that
    selects exactly `scope`."""
    person = _person(records)
    if person is None:
        return []
    after = np.array_equal(selected & _first_each(person, selected), scope)
    before = np.array_equal(selected & _first_each(person, np.ones_like(selected)), scope)
    return [[*conditions, ONCE]] * after + [[ONCE, *conditions]] * before


def _on_column(keys: np.ndarray, scope: np.ndarray) -> tuple[bool, frozenset[str]] | None:
    """The values of one column the `scope` keeps (True) or leaves out (False), whichever
    are fewer; None when it keeps them all or both sides are too many to name."""
    inside = set(keys[scope])
    allowed = np.isin(keys, list(inside))
    if allowed.all():
        return None
    outside = set(keys[~allowed])
    if min(len(inside), len(outside)) > MAX_CATEGORIES:
        return None
    return (
        (True, frozenset(inside)) if len(inside) <= len(outside) else (False, frozenset(outside))
    )


def _holds(keys: np.ndarray, inside: bool, values: frozenset[str]) -> np.ndarray:
    hit = np.isin(keys, list(values))
    return hit if inside else ~hit


def _person(records: Records) -> np.ndarray | None:
    """Each record's participant as a number (the kept :data:`PERSON`, or the ids' codes)."""
    for column in (PERSON, PARTICIPANT):
        if column in records.data:
            return records.codes(column)[0]
    return None


def _first_each(person: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The first of `rows` of each participant (missing ids are one value, as pandas'
    ``drop_duplicates`` takes them)."""
    out = np.zeros(len(rows), dtype=bool)
    where = np.flatnonzero(rows)
    out[where[~pd.Series(person[where]).duplicated().to_numpy()]] = True
    return out


def scope_on(records: Records, conditions: list[Condition]) -> np.ndarray | None:
    mask = np.ones(len(records.weights), dtype=bool)
    for column, inside, values in conditions:
        if column == PERSON:
            person = _person(records)
            if person is None:
                return None
            mask &= _first_each(person, mask)
        elif column not in records.data:
            return None
        else:
            mask &= _holds(records.keys(column), inside, values)
    return mask
