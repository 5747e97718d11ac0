"""What a reader of a run's earlier snapshots can work out about a cell published now.

Matching cells by their categories (:func:`.memory.exposed`) misses counts a reader derives
rather than reads: a region as the sum of its published countries, the main event as all
events minus a side event, a part of the records under another breakdown. Here each cell of
the table being published is counted on an earlier snapshot's own records (kept privately,
without ids, by :func:`save_records`) and its range is worked out from everything that
snapshot published, by the same linear programs as the audit. A cell whose count moved by
1 to threshold-1 since, where that range is narrower than the threshold, is a change a reader
gets by subtracting: the guard hides it and keeps it wide.

A table over part of the records (one event, the host left out, the secretariat's staff
left out, each participant counted once) is translated to the earlier records by its
conditions on their columns (events, countries, organisations; participants by their number
within each data set, never their id), found from the records it counts; a part no such
condition describes is left to the matching by categories.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis._text import fold
from wsisanalysis.metrics.disclosure.audit import CellSet, DisclosureError, feasible_range
from wsisanalysis.metrics.disclosure.ledger import Run, entries
from wsisanalysis.metrics.disclosure.memory import (
    earlier_entries,
    memory_path,
    read,
)
from wsisanalysis.metrics.disclosure.sets import BlockCell, block_cells, cell_label, scopes_of
from wsisanalysis.metrics.disclosure.tables import (
    ALL,
    Records,
    TableSpec,
    cell_set,
    pack,
    unpack,
)

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


def _records_path(ledger: str | Path, dataset: str) -> Path:
    return memory_path(ledger).with_name(f"{memory_path(ledger).stem}-{dataset[:16]}.parquet")


def save_records(ledger: str | Path, dataset: str, records: Records, spec: TableSpec) -> None:
    """Keep the category columns of `dataset`'s records beside the ledger's private half, for
    later snapshots to count on: every column with few values, and any column `spec` is cut
    by (no ids, organisations or sessions unless a table is cut by them)."""
    path = _records_path(ledger, dataset)
    data = records.data
    cut = {c for c in spec.columns if c in data.columns and not spec.indicator}
    described = descriptions(records, unpack(spec.scope, spec.rows))
    cut |= {c for d in described for c, _, _ in d if c in data}
    saved = _columns(path)
    if path.is_file() and cut <= saved:
        return
    keep = [c for c in data.columns if c in cut or c in saved or (c not in IDENTIFYING
            and (c == "count" or data[c].nunique(dropna=False) <= MAX_CATEGORIES))]  # fmt: skip
    kept = data[keep]
    if PARTICIPANT in data:
        kept = kept.assign(**{PERSON: pd.factorize(records.keys(PARTICIPANT))[0]})
    tmp = path.with_name(f".{path.name}.tmp")
    kept.to_parquet(tmp)
    tmp.chmod(0o600)
    tmp.replace(path)


def _columns(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    import pyarrow.parquet as pq

    return set(pq.read_schema(path).names)


def prune_records(ledger: str | Path) -> None:
    """Delete the kept records of datasets no execution whose true counts are kept used."""
    kept = {str(e.get("dataset", ""))[:16] for e in entries(memory_path(ledger)) if "counts" in e}
    stem = memory_path(ledger).stem
    for path in memory_path(ledger).parent.glob(f"{stem}-*.parquet"):
        if path.stem.removeprefix(f"{stem}-") not in kept:
            path.unlink(missing_ok=True)


def condition(records: Records, scope: np.ndarray) -> list[Condition] | None:
    """The first of :func:`descriptions` of `scope`; None when nothing describes it."""
    found = descriptions(records, scope)
    return found[0] if found else None


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


def _scope_on(records: Records, conditions: list[Condition]) -> np.ndarray | None:
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


@dataclass(frozen=True)
class _Earlier:
    """An earlier execution of the run, on other data, whose records are kept."""

    started: str
    dataset: str
    records: Records
    ids: frozenset[str]  # the ledger ids of the tables it published


def _earlier_snapshots(ledger: str | Path, dataset: str, run: Run) -> Iterator[_Earlier]:
    """The run's earlier executions on other data whose records are kept, oldest first."""
    executions: dict[tuple[str, str], set[str]] = {}
    for entry in earlier_entries(ledger, dataset, run):
        key = (str(entry["started"]), str(entry["dataset"]))
        executions.setdefault(key, set()).add(str(entry.get("id")))
    for (started, data), ids in executions.items():
        path = _records_path(ledger, data)
        if path.is_file():
            records = _kept_records(str(path), path.stat().st_mtime_ns)
            yield _Earlier(started, data, records, frozenset(ids))


@functools.lru_cache(maxsize=16)
def _kept_records(path: str, modified: int) -> Records:
    """The kept records at `path` as of `modified`: read once per page for all its tables
    (with the keys each column's categories were found by)."""
    del modified  # part of the cache key: a rewritten file is read again
    return Records(pd.read_parquet(path))


def _narrow_then(
    ledger: str | Path, earlier: _Earlier, masks: list[np.ndarray], threshold: int
) -> list[bool]:
    """Per mask over `earlier`'s records: whether what that snapshot published let a reader
    narrow its count to a range under `threshold` wide (all False when it cannot be told:
    its private half is gone, or a table of it was cut by a column not kept; those are left to
    the matching by categories).

    An earlier execution is over, so what it published no longer changes: each answer is
    kept for the rest of the process (every table of a page asks about many of the same
    cells; the linear programs are most of the guard's time).
    """
    keys = [(str(ledger), earlier.dataset, earlier.ids, threshold, _digest(m)) for m in masks]
    todo = [i for i, key in enumerate(keys) if key not in _NARROW]
    if todo:
        if len(_NARROW) > _NARROW_MAX:
            _NARROW.clear()
        answers = _ranged(ledger, earlier, [masks[i] for i in todo], threshold)
        _NARROW.update({keys[i]: a for i, a in zip(todo, answers, strict=True)})
    return [_NARROW[key] for key in keys]


_NARROW: dict[tuple[str, str, frozenset[str], int, bytes], bool] = {}
_NARROW_MAX = 100_000


def _digest(mask: np.ndarray) -> bytes:
    return hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest()


def _ranged(
    ledger: str | Path, earlier: _Earlier, masks: list[np.ndarray], threshold: int
) -> list[bool]:
    try:
        published = read(ledger, earlier.dataset)
        specs = [s for s in published if s.ident in earlier.ids]
        cells = _earlier_cells(earlier.records, specs, masks)
    except DisclosureError:
        return [False] * len(masks)
    first = len(cells.value) - len(masks)
    ranges = [feasible_range(cells, first + i, threshold=threshold) for i in range(len(masks))]
    return [high - low < threshold for low, high in ranges]


def _earlier_cells(records: Records, specs: list[TableSpec], extra: list[np.ndarray]) -> CellSet:
    """Everything an earlier snapshot published, as cells over its records, and `extra`
    cells (hidden, to range) after them."""
    masks: list[np.ndarray] = []
    published: list[bool] = []
    for spec in specs:
        masks += records.masks(spec)
        published += [v is not None for v in spec.values]
    masks += extra
    n = len(masks)
    flags = np.array(published + [False] * len(extra), dtype=bool)
    return cell_set(records, masks, flags, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool),
                    [str(i) for i in range(n)])  # fmt: skip


@dataclass(frozen=True)
class Publishing:
    """The table being published: its cells, the records it counts (from `dataset`) and
    every cell's true count."""

    spec: TableSpec
    records: Records
    true: np.ndarray
    dataset: str


def narrow_changes(
    ledger: str | Path, run: Run, table: Publishing, threshold: int
) -> set[tuple[str, ...]]:
    """The keys of the table's cells whose count moved by 1 to `threshold`-1 since an
    earlier snapshot of `run` whose records are kept, where that snapshot let a reader narrow
    the same records' count to a range under `threshold` wide."""
    if not earlier_entries(ledger, table.dataset, run):  # a first execution: nothing to do
        return set()
    described = descriptions(table.records, unpack(table.spec.scope, table.spec.rows))
    out: set[tuple[str, ...]] = set()
    for earlier in _earlier_snapshots(ledger, table.dataset, run):
        for conditions in described:
            out |= _narrow_since(ledger, earlier, table, conditions, threshold)
    return out


def _narrow_since(
    ledger: str | Path, earlier: _Earlier, table: Publishing, conditions: list[Condition],
    threshold: int,
) -> set[tuple[str, ...]]:  # fmt: skip
    """:func:`narrow_changes` against one earlier snapshot, the page's part of the records
    found in it by `conditions`."""
    spec, records, true = table.spec, table.records, table.true
    scope = _scope_on(earlier.records, conditions)
    if scope is None:
        return set()
    try:
        masks = earlier.records.masks(replace(spec, scope=pack(scope), rows=len(scope)))
    except DisclosureError:  # a column new since (a table by it was never published then)
        return set()
    moved = [(i, m) for i, m in enumerate(masks)
             if 0 < abs(true[i] - earlier.records.value(m)) < threshold]  # fmt: skip
    moved += _renamed(spec, records, earlier.records, scope, true, threshold)
    narrow = _narrow_then(ledger, earlier, [m for _, m in moved], threshold)
    return {spec.keys[i] for (i, _), n in zip(moved, narrow, strict=True) if n}


#: At most this many (new, gone) label pairs of one column are tried as renamings, beyond the
#: labels spelt the same but for case, accents or punctuation (always tried).
MAX_RENAMINGS = 100

#: A label that is a code (ISO countries, regions): spelt one way, never renamed; a new one
#: is another country, not last week's under a new name.
_CODE = re.compile(r"[A-Z]{2,3}|unknown")

#: Per column: each label new since an earlier snapshot -> the labels gone since it may be.
Renamings = dict[str, dict[str, list[str]]]


def _renamings(columns: tuple[str, ...], records: Records, before: Records) -> Renamings:
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
        coded = all(_CODE.fullmatch(label) for label in now | then)  # codes are not renamed
        if others and rest and not coded and len(others) * len(rest) <= MAX_RENAMINGS:
            mapping |= dict.fromkeys(others, rest)
        if mapping:
            out[column] = mapping
    return out


def _old_names(key: tuple[str, ...], columns: tuple[str, ...], renamings: Renamings
               ) -> list[tuple[str, ...]]:  # fmt: skip
    """`key` with its renamed labels put back as each label they may have been."""
    options = [renamings.get(c, {}).get(v, [v]) for c, v in zip(columns, key, strict=True)]
    if all(len(o) == 1 and o[0] == v for o, v in zip(options, key, strict=True)):
        return []
    return [tuple(alt) for alt in itertools.islice(itertools.product(*options), MAX_RENAMINGS)]


def _renamed(
    spec: TableSpec, records: Records, before: Records, scope: np.ndarray, true: np.ndarray,
    threshold: int,
) -> list[tuple[int, np.ndarray]]:  # fmt: skip
    """Cells of a category new since `before`, counted as each category it may be a
    renaming of (:func:`_renamings`): ``civ`` renamed ``civil society`` between two snapshots
    is the same people, and its change is a change (pairs within 1 to threshold-1 of each
    other; the same cell under the old label, in the earlier records)."""
    if spec.indicator:
        return []
    renamings = _renamings(spec.columns, records, before)
    out = []
    for i, key in enumerate(spec.keys):
        for old in _old_names(key, spec.columns, renamings) if renamings else []:
            mask = _cell(before, spec.columns, old, scope)
            if 0 < abs(true[i] - before.value(mask)) < threshold:
                out.append((i, mask))
    return out


def _cell(records: Records, columns: tuple[str, ...], key: tuple[str, ...], scope: np.ndarray
          ) -> np.ndarray:  # fmt: skip
    """The records of `scope` in category `key` of `columns` (``*``: any)."""
    mask = scope.copy()
    for column, value in zip(columns, key, strict=True):
        if value != ALL:
            mask &= records.keys(column) == value
    return mask


def moved_derived(
    ledger: str | Path, run: Run, table: Publishing, published: list[TableSpec], threshold: int
) -> list[tuple[np.ndarray, str]]:
    """Cells a reader derives by differencing this snapshot's pages, never published as such,
    whose count moved by 1 to `threshold`-1 since an earlier snapshot of `run` that let a
    reader narrow the same cell under `threshold` wide: the main event as all events less a
    side event, published that way both weeks. Returned as records of the current data, for
    the audit to keep wide (:class:`.sets.TableSet`'s `also`).

    The cells are the categories of every table's grouping within each block the tables'
    scopes cut (:func:`.sets.block_cells`), found in the earlier records by the same
    conditions; scopes no condition on kept columns describes are left out.
    """
    specs = [*published, table.spec]
    if not earlier_entries(ledger, table.dataset, run):
        return []  # nothing to compare with
    described = [(scope, descriptions(table.records, scope)) for scope in scopes_of(specs)]
    usable = [(scope, d) for scope, d in described if d]
    if not usable:
        return []
    combinations = list(
        itertools.islice(itertools.product(*(d for _, d in usable)), MAX_DESCRIPTIONS)
    )
    now = block_cells(table.records, specs, [scope for scope, _ in usable], differences=True)
    out: dict[BlockCell, tuple[np.ndarray, str]] = {}
    columns = tuple(sorted({c for s in specs if not s.indicator for c in s.columns}))
    for earlier in _earlier_snapshots(ledger, table.dataset, run):
        renamings = _renamings(columns, table.records, earlier.records)
        relabelled = _relabelled(columns, table.records, earlier.records)
        for conditions in combinations:
            then = _block_cells_then(earlier, specs, list(conditions))
            pairs = [
                (now, then, cell, old) for cell in now for old in _as_then(cell, then, renamings)
            ]
            for column, (new, gone) in relabelled.items():  # a category split, or merged
                now_all, then_all = _together(now, column, new), _together(then, column, gone)
                pairs += [(now_all, then_all, cell, cell) for cell in now_all if cell in then_all]
            moved = [(here, there, cell, old) for here, there, cell, old in pairs if cell not in out
                     and 0 < abs(table.records.value(here[cell]) - earlier.records.value(there[old])) < threshold]  # fmt: skip
            narrow = _narrow_then(
                ledger, earlier, [there[old] for _, there, _, old in moved], threshold
            )
            for (here, _, cell, _), is_narrow in zip(moved, narrow, strict=True):
                if is_narrow:
                    out[cell] = (
                        here[cell],
                        f"changed since {earlier.started}: {cell_label(cell)}",
                    )
    return list(out.values())


#: The label standing for every label of a column new (or gone) since an earlier snapshot.
RELABELLED = "(relabelled)"


def _relabelled(columns: tuple[str, ...], records: Records, before: Records
                ) -> dict[str, tuple[set[str], set[str]]]:  # fmt: skip
    """Per column not of codes: the labels new since `before` and those gone since, where
    both are (a category split in two, or two merged: their sums are the same people)."""
    out = {}
    for column in columns:
        if column in before.data and column in records.data:
            now, then = set(records.keys(column)), set(before.keys(column))
            if now - then and then - now and not all(_CODE.fullmatch(v) for v in now | then):
                out[column] = (now - then, then - now)
    return out


def _together(cells: dict[BlockCell, np.ndarray], column: str, labels: set[str]
              ) -> dict[BlockCell, np.ndarray]:  # fmt: skip
    """`cells` of `labels` of `column` added up, the other labels of the key kept apart."""
    out: dict[BlockCell, np.ndarray] = {}
    for (pattern, columns, key), mask in cells.items():
        if column in columns and key[columns.index(column)] in labels:
            d = columns.index(column)
            cell = (pattern, columns, (*key[:d], RELABELLED, *key[d + 1 :]))
            out[cell] = out[cell] | mask if cell in out else mask
    return out


def _as_then(cell: BlockCell, then: dict[BlockCell, np.ndarray], renamings: Renamings
             ) -> list[BlockCell]:  # fmt: skip
    """`cell` as the earlier snapshot has it: the same labels, else the old ones."""
    if cell in then:
        return [cell]
    pattern, columns, key = cell
    olds = _old_names(key, columns, renamings) if columns not in (("flag",), ("no flag",)) else []
    return [(pattern, columns, old) for old in olds if (pattern, columns, old) in then]


def _block_cells_then(
    earlier: _Earlier, specs: list[TableSpec], conditions: list[list[Condition]]
) -> dict[BlockCell, np.ndarray]:
    scopes = [_scope_on(earlier.records, c) for c in conditions]
    if any(scope is None for scope in scopes):
        return {}
    try:
        return block_cells(
            earlier.records, specs, [s for s in scopes if s is not None], differences=True
        )
    except DisclosureError:  # a grouping column not kept with those records
        return {}
