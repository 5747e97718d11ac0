"""What a reader of a run's earlier snapshots can work out about a cell published now.

Matching cells by their categories (:func:`.memory.exposed`) misses counts a reader derives
rather than reads: a region as the sum of its published countries, the main event as all
events minus a side event, a part of the records under another breakdown. Here each cell of
the table being published is counted on an earlier snapshot's own records (kept privately,
without ids, by :func:`save_records`) and its range is worked out from everything that
snapshot published, by the same linear programs as the audit. A cell whose count moved by
1 to threshold-1 since, where that range is narrower than the threshold, is a change a reader
gets by subtracting: the guard hides it and keeps it wide.

A table over part of the records (one event, the host left out) is translated to the earlier
records by its conditions on their columns (events, countries), found from the records it
counts; a part no such condition describes is left to the matching by categories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure.audit import CellSet, DisclosureError, feasible_range
from wsisanalysis.metrics.disclosure.ledger import Run, entries
from wsisanalysis.metrics.disclosure.memory import earlier_entries, memory_path, read
from wsisanalysis.metrics.disclosure.sets import BlockCell, block_cells, cell_label, scopes_of
from wsisanalysis.metrics.disclosure.tables import Records, TableSpec, cell_set, pack, unpack

#: Columns never kept with the records: they tell people apart, not categories.
IDENTIFYING = frozenset({"participant_id", "record_id", "organisation", "session", "source_row"})
#: A column with more distinct values than this is not a category a table is cut by.
MAX_CATEGORIES = 1_000

#: A condition on one column: its name, whether rows must hold one of `values` (True) or
#: none of them (False), and the values.
Condition = tuple[str, bool, frozenset[str]]


def _records_path(ledger: str | Path, dataset: str) -> Path:
    return memory_path(ledger).with_name(f"{memory_path(ledger).stem}-{dataset[:16]}.parquet")


def save_records(ledger: str | Path, dataset: str, records: Records, spec: TableSpec) -> None:
    """Keep the category columns of `dataset`'s records beside the ledger's private half, for
    later snapshots to count on: every column with few values, and any column `spec` is cut
    by (no ids, organisations or sessions unless a table is cut by them)."""
    path = _records_path(ledger, dataset)
    data = records.data
    cut = {c for c in spec.columns if c in data.columns and not spec.indicator}
    saved = _columns(path)
    if path.is_file() and cut <= saved:
        return
    keep = [c for c in data.columns if c in cut or c in saved or (c not in IDENTIFYING
            and (c == "count" or data[c].nunique(dropna=False) <= MAX_CATEGORIES))]  # fmt: skip
    tmp = path.with_name(f".{path.name}.tmp")
    data[keep].to_parquet(tmp)
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
    """The conditions on the records' category columns that select exactly `scope` ([] for
    all records); None when no such conditions describe it."""
    if scope.all():
        return []
    out: list[Condition] = []
    selected = np.ones(len(scope), dtype=bool)
    for column in records.data.columns:
        if column in IDENTIFYING or column == "count":
            continue
        keys = records.keys(column)
        inside = set(keys[scope])
        if len(inside) > MAX_CATEGORIES:
            continue
        allowed = np.isin(keys, list(inside))
        if allowed.all():
            continue
        outside = set(keys[~allowed])
        out.append((column, True, frozenset(inside)) if len(inside) <= len(outside)
                   else (column, False, frozenset(outside)))  # fmt: skip
        selected &= allowed
    return out if np.array_equal(selected, scope) else None


def _scope_on(records: Records, conditions: list[Condition]) -> np.ndarray | None:
    mask = np.ones(len(records.weights), dtype=bool)
    for column, inside, values in conditions:
        if column not in records.data:
            return None
        hit = np.isin(records.keys(column), list(values))
        mask &= hit if inside else ~hit
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
            yield _Earlier(started, data, Records(pd.read_parquet(path)), frozenset(ids))


def _narrow_then(
    ledger: str | Path, earlier: _Earlier, masks: list[np.ndarray], threshold: int
) -> list[bool]:
    """Per mask over `earlier`'s records: whether what that snapshot published let a reader
    narrow its count to a range under `threshold` wide (all False when it cannot be told:
    its private half is gone, or a table of it was cut by a column not kept; those are left to
    the matching by categories)."""
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
    spec, records, true = table.spec, table.records, table.true
    conditions = condition(records, unpack(spec.scope, spec.rows))
    if conditions is None:
        return set()
    out: set[tuple[str, ...]] = set()
    for earlier in _earlier_snapshots(ledger, table.dataset, run):
        scope = _scope_on(earlier.records, conditions)
        if scope is None:
            continue
        masks = earlier.records.masks(replace(spec, scope=pack(scope), rows=len(scope)))
        moved = [i for i, m in enumerate(masks)
                 if 0 < abs(true[i] - earlier.records.value(m)) < threshold]  # fmt: skip
        narrow = _narrow_then(ledger, earlier, [masks[i] for i in moved], threshold)
        out |= {spec.keys[i] for i, n in zip(moved, narrow, strict=True) if n}
    return out


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
    described = [(scope, condition(table.records, scope)) for scope in scopes_of(specs)]
    usable = [(scope, c) for scope, c in described if c is not None]
    if len(usable) < 2:  # a difference needs two scopes
        return []
    conditions = [c for _, c in usable]
    now = block_cells(table.records, specs, [scope for scope, _ in usable])
    out: dict[BlockCell, tuple[np.ndarray, str]] = {}
    for earlier in _earlier_snapshots(ledger, table.dataset, run):
        then = _block_cells_then(earlier, specs, conditions)
        moved = [cell for cell, mask in now.items() if cell in then and cell not in out and
                 0 < abs(table.records.value(mask) - earlier.records.value(then[cell])) < threshold]  # fmt: skip
        narrow = _narrow_then(ledger, earlier, [then[cell] for cell in moved], threshold)
        for cell, is_narrow in zip(moved, narrow, strict=True):
            if is_narrow:
                out[cell] = (now[cell], f"changed since {earlier.started}: {cell_label(cell)}")
    return list(out.values())


def _block_cells_then(
    earlier: _Earlier, specs: list[TableSpec], conditions: list[list[Condition]]
) -> dict[BlockCell, np.ndarray]:
    scopes = [_scope_on(earlier.records, c) for c in conditions]
    if any(scope is None for scope in scopes):
        return {}
    try:
        return block_cells(earlier.records, specs, [s for s in scopes if s is not None])
    except DisclosureError:  # a grouping column not kept with those records
        return {}
