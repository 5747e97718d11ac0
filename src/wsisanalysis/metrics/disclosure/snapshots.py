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
left out, each participant counted once) is translated to the earlier records by every
description of it (:mod:`.scopes`); a part nothing describes is left to the matching by
categories. Categories renamed, respelt, split or merged since are compared under their
earlier labels (:mod:`.renamings`). Cells a reader derives by differencing this snapshot's
pages are compared too (:func:`moved_derived`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure.audit import CellSet, DisclosureError, feasible_range
from wsisanalysis.metrics.disclosure.ledger import Run, entries
from wsisanalysis.metrics.disclosure.memory import (
    earlier_entries,
    memory_path,
    read,
)
from wsisanalysis.metrics.disclosure.renamings import (
    as_then,
    new_and_gone,
    possible_renamings,
    renamed_cells,
    together,
)
from wsisanalysis.metrics.disclosure.scopes import (
    IDENTIFYING,
    MAX_CATEGORIES,
    MAX_DESCRIPTIONS,
    PARTICIPANT,
    PERSON,
    Condition,
    descriptions,
    scope_on,
)
from wsisanalysis.metrics.disclosure.sets import BlockCell, block_cells, cell_label, scopes_of
from wsisanalysis.metrics.disclosure.tables import (
    Records,
    TableSpec,
    cell_set,
    pack,
    unpack,
)


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
    scope = scope_on(earlier.records, conditions)
    if scope is None:
        return set()
    try:
        masks = earlier.records.masks(replace(spec, scope=pack(scope), rows=len(scope)))
    except DisclosureError:  # a column new since (a table by it was never published then)
        return set()
    moved = [(i, m) for i, m in enumerate(masks)
             if 0 < abs(true[i] - earlier.records.value(m)) < threshold]  # fmt: skip
    moved += renamed_cells(spec, records, earlier.records, scope, true, threshold)
    narrow = _narrow_then(ledger, earlier, [m for _, m in moved], threshold)
    return {spec.keys[i] for (i, _), n in zip(moved, narrow, strict=True) if n}


def moved_derived(
    ledger: str | Path, run: Run, table: Publishing, published: list[TableSpec], threshold: int
) -> list[tuple[np.ndarray, str]]:
    """Cells a reader derives by differencing this snapshot's pages, never published as such,
    whose count moved by 1 to `threshold`-1 since an earlier snapshot of `run` that let a
    reader narrow the same cell under `threshold` wide: the main event as all events less a
    side event, published that way both weeks. Returned as records of the current data, for
    the audit to keep wide (:class:`.sets.TableSet`'s `also`).

    The cells are the categories of every table's grouping, and each flag and its
    complement, within each part of the records the tables' scopes and their complements cut
    (:func:`.sets.block_cells`), found in the earlier records by every description of the
    scopes (:func:`.scopes.descriptions`; scopes nothing describes are left out) and under
    the earlier labels of categories renamed, respelt, split or merged since
    (:mod:`.renamings`).
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
        renamings = possible_renamings(columns, table.records, earlier.records)
        relabelled = new_and_gone(columns, table.records, earlier.records)
        for conditions in combinations:
            then = _block_cells_then(earlier, specs, list(conditions))
            pairs = [
                (now, then, cell, old) for cell in now for old in as_then(cell, then, renamings)
            ]
            for column, (new, gone) in relabelled.items():  # a category split, or merged
                now_all, then_all = together(now, column, new), together(then, column, gone)
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


def _block_cells_then(
    earlier: _Earlier, specs: list[TableSpec], conditions: list[list[Condition]]
) -> dict[BlockCell, np.ndarray]:
    scopes = [scope_on(earlier.records, c) for c in conditions]
    if any(scope is None for scope in scopes):
        return {}
    try:
        return block_cells(
            earlier.records, specs, [s for s in scopes if s is not None], differences=True
        )
    except DisclosureError:  # a grouping column not kept with those records
        return {}
