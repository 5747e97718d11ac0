"""Categories renamed, respelt, split or merged between two snapshots: which labels of the
current data may be which labels of an earlier snapshot's, so that a change is compared as
one whatever the labels became.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from wsisanalysis._text import fold
from wsisanalysis.metrics.disclosure.sets import BlockCell
from wsisanalysis.metrics.disclosure.tables import ALL, Records, TableSpec

#: At most this many (new, gone) label pairs of one column are tried as renamings, beyond the
#: labels spelt the same but for case, accents or punctuation (always tried).
MAX_RENAMINGS = 100

#: A label that is a code (ISO countries, regions): spelt one way, never renamed; a new one
#: is another country, not last week's under a new name.
CODE = re.compile(r"[A-Z]{2,3}|unknown")

#: Per column: each label new since an earlier snapshot -> the labels gone since it may be.
Renamings = dict[str, dict[str, list[str]]]


def possible_renamings(columns: tuple[str, ...], records: Records, before: Records) -> Renamings:
    """What each label new to a column since `before` may be a renaming of: the gone label
    spelt the same but for case, accents or punctuation (``fr`` -> ``FR``), else every gone
    label (``civ`` -> ``civil society``) when the pairs are few enough to try."""
    out: Renamings = {}
    for column in columns:
        if column not in before.data or column not in records.data:
            continue
        now, then = set(records.keys(column)), set(before.keys(column))
        new, gone = sorted(now - then), sorted(then - now)
        spelt = {fold(g): g for g in gone}
        mapping = {n: [spelt[fold(n)]] for n in new if fold(n) in spelt}
        rest = [g for g in gone if g not in {v[0] for v in mapping.values()}]
        others = [n for n in new if n not in mapping]
        coded = all(CODE.fullmatch(label) for label in now | then)  # codes are not renamed
        if others and rest and not coded and len(others) * len(rest) <= MAX_RENAMINGS:
            mapping |= dict.fromkeys(others, rest)
        if mapping:
            out[column] = mapping
    return out


def old_names(key: tuple[str, ...], columns: tuple[str, ...], renamings: Renamings
              ) -> list[tuple[str, ...]]:  # fmt: skip
    """`key` with its renamed labels put back as each label they may have been."""
    options = [renamings.get(c, {}).get(v, [v]) for c, v in zip(columns, key, strict=True)]
    if all(len(o) == 1 and o[0] == v for o, v in zip(options, key, strict=True)):
        return []
    return [tuple(alt) for alt in itertools.islice(itertools.product(*options), MAX_RENAMINGS)]


def renamed_cells(
    spec: TableSpec, records: Records, before: Records, scope: np.ndarray, true: np.ndarray,
    threshold: int,
) -> list[tuple[int, np.ndarray]]:  # fmt: skip
    """Cells of a category new since `before`, counted as each category it may be a
    renaming of (:func:`possible_renamings`): ``civ`` renamed ``civil society`` between two snapshots
    is the same people, and its change is a change (pairs within 1 to threshold-1 of each
    other; the same cell under the old label, in the earlier records)."""
    if spec.indicator:
        return []
    renamings = possible_renamings(spec.columns, records, before)
    out = []
    for i, key in enumerate(spec.keys):
        for old in old_names(key, spec.columns, renamings) if renamings else []:
            mask = category_cell(before, spec.columns, old, scope)
            if 0 < abs(true[i] - before.value(mask)) < threshold:
                out.append((i, mask))
    return out


def category_cell(records: Records, columns: tuple[str, ...], key: tuple[str, ...], scope: np.ndarray
          ) -> np.ndarray:  # fmt: skip
    """The records of `scope` in category `key` of `columns` (``*``: any)."""
    mask = scope.copy()
    for column, value in zip(columns, key, strict=True):
        if value != ALL:
            mask &= records.keys(column) == value
    return mask


#: The label standing for every label of a column new (or gone) since an earlier snapshot.
RELABELLED = "(relabelled)"


def new_and_gone(columns: tuple[str, ...], records: Records, before: Records
                ) -> dict[str, tuple[set[str], set[str]]]:  # fmt: skip
    """Per column not of codes: the labels new since `before` and those gone since, where
    both are (a category split in two, or two merged: their sums are the same people)."""
    out = {}
    for column in columns:
        if column in before.data and column in records.data:
            now, then = set(records.keys(column)), set(before.keys(column))
            if now - then and then - now and not all(CODE.fullmatch(v) for v in now | then):
                out[column] = (now - then, then - now)
    return out


def together(cells: dict[BlockCell, np.ndarray], column: str, labels: set[str]
              ) -> dict[BlockCell, np.ndarray]:  # fmt: skip
    """`cells` of `labels` of `column` added up, the other labels of the key kept apart."""
    out: dict[BlockCell, np.ndarray] = {}
    for (pattern, columns, key), mask in cells.items():
        if column in columns and key[columns.index(column)] in labels:
            d = columns.index(column)
            cell = (pattern, columns, (*key[:d], RELABELLED, *key[d + 1 :]))
            out[cell] = out[cell] | mask if cell in out else mask
    return out


def as_then(cell: BlockCell, then: dict[BlockCell, np.ndarray], renamings: Renamings
             ) -> list[BlockCell]:  # fmt: skip
    """`cell` as the earlier snapshot has it: the same labels, else the old ones."""
    if cell in then:
        return [cell]
    pattern, columns, key = cell
    olds = old_names(key, columns, renamings) if columns not in (("flag",), ("no flag",)) else []
    return [(pattern, columns, old) for old in olds if (pattern, columns, old) in then]
