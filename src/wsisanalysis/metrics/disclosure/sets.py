"""All the tables of a report set together: what earlier tables published, the table being
published, and the differences a reader can take between them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure.audit import CellSet, disclosed, implied, protect
from wsisanalysis.metrics.disclosure.tables import ALL, Records, TableSpec, cell_set, unpack

#: A cell a reader may derive by differencing tables of different scopes: which scopes its
#: records lie in (True), lie outside (False) or either (None), the columns it is counted by,
#: and its key (or a flag).
BlockCell = tuple[tuple[bool | None, ...], tuple[str, ...], tuple[str, ...]]


def scopes_of(specs: list[TableSpec]) -> list[np.ndarray]:
    """The distinct scopes of `specs` (all events, one event, the host excluded...), in order."""
    return list({s.scope: unpack(s.scope, s.rows) for s in specs}.values())


def block_cells(
    records: Records,
    specs: list[TableSpec],
    scopes: list[np.ndarray],
    *,
    differences: bool = False,
) -> dict[BlockCell, np.ndarray]:
    """Every category of every table's grouping (and every flag), counted within each block
    the `scopes` cut the records into: the records of each such cell. With `differences`,
    also within each part a reader derives by differencing the pages (:func:`_differences`:
    the main event as all events less the side event, however other scopes cut it).

    Keyed by the block's pattern of scopes rather than by rows, so that the same cell can be
    found in another snapshot's records cut by the same scopes (:mod:`.snapshots`).
    """
    signature = np.vstack(scopes).T
    inside: np.ndarray = np.asarray(signature.any(axis=1), dtype=bool)
    patterns: list[tuple[bool | None, ...]] = [
        tuple(bool(x) for x in row) for row in np.unique(signature[inside], axis=0)
    ]
    if differences:
        patterns += _differences(len(scopes))
    groupings = {s.columns for s in specs if not s.indicator} | {()}
    flags = sorted({k[0] for s in specs if s.indicator for k in s.keys})
    out: dict[BlockCell, np.ndarray] = {}
    for pattern in dict.fromkeys(patterns):
        rows = inside.copy()
        for k, want in enumerate(pattern):
            if want is not None:
                rows &= signature[:, k] == want
        if rows.any():
            out |= _cells_within(records, rows, pattern, groupings, flags)
    return out


#: Up to this many scopes, every intersection of scopes and their complements is a cell a
#: reader may derive (3^n patterns); past it, each difference of two scopes only.
MAX_SCOPES_COMBINED = 5


def _differences(n: int) -> list[tuple[bool | None, ...]]:
    """Parts of the records a reader derives by differencing pages of `n` scopes: each scope
    less any others and within any others (the main event as all events less the side and the
    third event, however the host's exclusion cuts it)."""
    if n <= MAX_SCOPES_COMBINED:
        return [p for p in itertools.product((None, True, False), repeat=n) if any(p)]
    return [tuple(True if k == i else False if k == j else None for k in range(n))
            for i in range(n) for j in range(n) if i != j]  # fmt: skip


def _cells_within(
    records: Records, rows: np.ndarray, pattern: tuple[bool | None, ...],
    groupings: set[tuple[str, ...]], flags: list[str],
) -> dict[BlockCell, np.ndarray]:  # fmt: skip
    out: dict[BlockCell, np.ndarray] = {}
    where = np.flatnonzero(rows)
    for columns in groupings:
        keys = pd.DataFrame({c: records.keys(c)[rows] for c in columns})
        groups = keys.groupby(list(columns)).indices if columns else {(): np.arange(len(where))}
        for key, idx in groups.items():
            mask = np.zeros(len(rows), dtype=bool)
            mask[where[idx]] = True
            out[(pattern, columns, key if isinstance(key, tuple) else (key,))] = mask
    for flag in flags:  # those with the flag, and those without (a total less the flag's count)
        out[(pattern, ("flag",), (flag,))] = rows & records.flag(flag)
        out[(pattern, ("no flag",), (flag,))] = rows & ~records.flag(flag)
    return out


def candidates(
    records: Records, specs: list[TableSpec], threshold: int
) -> list[tuple[np.ndarray, str]]:
    """Small counts a reader could reach by differencing tables of different scopes.

    The scopes of the tables (all events, one event, the host excluded...) cut the records
    into blocks (e.g. "the other events"). Every category of every table's grouping, counted
    within one block, is a cell a reader may aim at: those in (0, threshold) are audited too.
    """
    scopes = scopes_of(specs)
    if len(scopes) < 2:
        return []
    cells = block_cells(records, specs, scopes)
    return [(mask, cell_label(cell)) for cell, mask in cells.items()
            if 0 < records.value(mask) < threshold]  # fmt: skip


def cell_label(cell: BlockCell) -> str:
    """How a derived cell is named in the audit's messages."""
    pattern, columns, key = cell
    marks = "".join("." if x is None else "1" if x else "0" for x in pattern)
    return f"block {marks} {columns}={key}"


def uncovered(records: Records, spec: TableSpec, masks: list[np.ndarray], threshold: int
              ) -> list[tuple[np.ndarray, str]]:  # fmt: skip
    """Small counts outside the categories a margin of `spec` sums (`masks`: its cells').

    A table without a row for some category (nobody named a stakeholder group) sums fewer
    records in its margin (Europe, all groups) than a table of that margin's categories alone
    (Europe) counts: the difference is a count a reader gets. Audited like the differences
    of scopes; where no table counts the larger set, it is wide and costs nothing.
    """
    scope = unpack(spec.scope, spec.rows)
    if spec.indicator:  # everyone in the scope without the flag: a total less the flag's count
        flags = [
            (scope & ~mask, f"outside {spec.name}:{key[0]}")
            for key, mask in zip(spec.keys, masks, strict=True)
        ]
        return [(m, label) for m, label in flags if 0 < records.value(m) < threshold]
    out = []
    for key, mask in zip(spec.keys, masks, strict=True):
        if ALL not in key:
            continue
        rest = scope & ~mask
        for column, value in zip(spec.columns, key, strict=True):
            if value != ALL:
                codes, index = records.codes(column)
                rest &= codes == index.get(value, -2)
        if 0 < records.value(rest) < threshold:
            out.append((rest, f"outside {spec.name}:{'/'.join(key)}"))
    return out


@dataclass(frozen=True)
class Verdict:
    """What the audit lets one table show.

    `shown` and `listed` are per cell of the table: a cell is published, hidden but listed
    (shown as suppressed), or left out (not listed: the reader cannot tell it from an empty
    one). A `withheld` table shows nothing at all; `unresolved` names the disclosures left
    by earlier tables that nothing in this one causes or can repair (empty in a sound ledger).
    """

    shown: np.ndarray
    listed: np.ndarray
    withheld: bool = False
    unresolved: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class TableSet:
    """The tables already published from one dataset, and the audit of one more."""

    records: Records
    published: list[TableSpec]
    threshold: int
    #: cells a reader derives from these tables that must stay wide whatever their count
    #: (a change since an earlier snapshot, see :func:`.snapshots.moved_derived`)
    also: list[tuple[np.ndarray, str]] = field(default_factory=list)

    def cells(self, current: TableSpec | None) -> tuple[CellSet, np.ndarray]:
        """Every published table's cells with `current`'s (editable), plus the differences a
        reader can take between their scopes; and which cells are `current`'s."""
        specs = [*self.published, *([current] if current is not None else [])]
        masks, published, listed, labels, sensitive = [], [], [], [], []
        outside: list[tuple[np.ndarray, str]] = []
        for number, spec in enumerate(specs):
            own = self.records.masks(spec)
            masks += own
            outside += uncovered(self.records, spec, own, self.threshold)
            published += [v is not None for v in spec.values]
            sensitive += [k in spec.sensitive for k in spec.keys]
            listed.append(spec.listed())
            labels += [f"{number}:{spec.name}:{'/'.join(key)}" for key in spec.keys]
        editable = np.arange(len(masks)) >= len(masks) - (len(current.keys) if current else 0)
        known = {m.tobytes(): i for i, m in enumerate(masks)}
        for mask, label in [
            *candidates(self.records, specs, self.threshold),
            *outside,
            *self.also,
        ]:
            if mask.tobytes() not in known:
                known[mask.tobytes()] = len(masks)
                masks.append(mask)
                labels.append(label)
                sensitive.append(False)
        for mask, _ in self.also:  # kept wide: a table's own cell, or a difference of pages
            index = known[mask.tobytes()]
            sensitive[index] = True
            if index < len(editable) and editable[index]:  # the table's own cell: hidden too
                published[index] = False
        extra = len(masks) - len(published)
        pub = np.concatenate([np.array(published, dtype=bool), np.zeros(extra, dtype=bool)])
        edit = np.concatenate([editable, np.zeros(extra, dtype=bool)])
        marked = np.array(sensitive, dtype=bool)
        cells: CellSet = cell_set(self.records, masks, pub, edit, marked, labels)
        cells.sensitive |= (cells.value > 0) & (cells.value < self.threshold)
        # a difference of pages is listed nowhere
        cells.listed = (
            np.concatenate([*listed, np.zeros(extra, dtype=bool)]) if listed else cells.listed
        )
        return cells, edit

    def audit(self, current: TableSpec) -> Verdict:
        """Which of `current`'s cells can be shown, after hiding until no hidden cell is narrow.

        First hide cells (complementary suppression). A disclosure that hiding cannot repair
        comes from a hidden cell of this table being shown as hidden (a reader then knows it
        is at least 1) beside what earlier tables published: such cells are left out of the
        page instead. What still cannot be repaired withholds the whole table.
        """
        cells, mine = self.cells(current)
        # a table every published cell of which earlier tables already fix cannot disclose
        # anything new: only its own hidden cells need checking
        first = mine if self.published and implied(cells) else None
        unfixable = protect(cells, self.threshold, first)
        if unfixable:
            cells.listed &= ~_left_out(cells, mine, current, list(unfixable))
            # leaving cells out only widens ranges: only the narrow ones need checking again
            again = np.zeros(len(cells.value), dtype=bool)
            again[list(unfixable)] = True
            unfixable = protect(cells, self.threshold, again)
        if unfixable:
            return self._withheld(current)
        return Verdict(cells.published[mine], cells.listed[mine])

    def _withheld(self, current: TableSpec) -> Verdict:
        """Withhold `current`: nothing of it is shown. Disclosures that remain without it are
        earlier tables' (reported, not caused here)."""
        nothing = np.zeros(len(current.keys), dtype=bool)
        earlier = self.cells(None)[0] if self.published else None
        left = disclosed(earlier, self.threshold) if earlier is not None else {}
        found = {earlier.labels[i]: r for i, r in left.items()} if earlier is not None else {}
        return Verdict(nothing, nothing, withheld=True, unresolved=found)


def _left_out(
    cells: CellSet, mine: np.ndarray, current: TableSpec, narrow: list[int]
) -> np.ndarray:
    """`current`'s hidden category cells (not totals) that share records with a `narrow` cell."""
    interior = np.zeros(len(mine), dtype=bool)
    interior[np.flatnonzero(mine)] = [ALL not in key for key in current.keys]
    touched = (cells.matrix @ (cells.matrix[narrow].sum(axis=0) > 0).astype(float)) > 0
    return interior & ~cells.published & touched
