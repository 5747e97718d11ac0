"""The one way to publish: :func:`guard` turns a count table into a :class:`PublishedTable`.

Narrative and figure functions accept nothing else. A guarded table has been through primary
and complementary suppression, had every derived number of a hidden cell hidden, and been
audited by linear programming together with every table already published into the same
ledger from the same clean data; only then is it recorded in the ledger.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure import ledger as ledger_file
from wsisanalysis.metrics.disclosure import memory, snapshots
from wsisanalysis.metrics.disclosure.audit import DisclosureError
from wsisanalysis.metrics.disclosure.cells import (
    DEFAULT_THRESHOLD,
    as_list,
    counts_of,
    hide_derived,
    legend,
    primary,
    suppress,
)
from wsisanalysis.metrics.disclosure.sets import TableSet, Verdict
from wsisanalysis.metrics.disclosure.tables import (
    ALL,
    Records,
    TableSpec,
    key_strings,
    margins,
    pack,
)

#: ``source.attrs`` key naming the clean table a frame was loaded from (set by ``load_clean``).
DATASET_ATTR = "wsis_dataset"


@dataclass(frozen=True, eq=False)
class PublishedTable:
    """A table that is safe to show: hidden cells are missing, and so is all they would give back.

    Only this type reaches narrative and figure functions. ``table`` returns a copy, so the
    published cells cannot be changed after the audit. `aggregate` names the public source of a
    published aggregate (nothing hidden, said on the page); `statistics` holds tests computed
    over categories, present only when no cell they use is hidden.
    """

    _frame: pd.DataFrame
    by: tuple[str, ...]
    count: str | None
    threshold: int
    legend: str
    hidden: tuple[bool, ...]
    aggregate: str | None = None
    statistics: Mapping[str, object] = field(default_factory=dict)
    name: str = ""
    _mask: pd.DataFrame | None = None
    #: every cell the audit took as seen by a reader: (category key, ``*`` for a total; the
    #: published count, or ``None`` where hidden)
    cells: tuple[tuple[tuple[str, ...], int | None], ...] = ()
    #: hidden cells that earlier tables of the ledger leave narrower than the threshold, which
    #: nothing in this table causes or can repair (empty when the report set is safe)
    unresolved: tuple[str, ...] = ()
    #: True when the audit withheld the whole table: it has no rows, and the page says why
    withheld: bool = False
    #: True when the audit left some categories out (see :class:`~.sets.Verdict`): a map then
    #: cannot say that an unshaded country had nobody
    left_out: bool = False

    @property
    def hidden_cells(self) -> pd.DataFrame:
        """True for every cell the guard hid (a count, or a number derived from one)."""
        if self._mask is None:
            return pd.DataFrame(False, index=self._frame.index, columns=self._frame.columns)
        return self._mask.copy()

    @property
    def table(self) -> pd.DataFrame:
        """The published table (a copy; hidden cells and what derives from them are missing)."""
        return self._frame.copy()

    @property
    def hidden_rows(self) -> pd.Series:
        """True for rows whose count is hidden."""
        return pd.Series(self.hidden, index=self._frame.index, dtype=bool)

    @property
    def any_hidden(self) -> bool:
        return any(self.hidden)


@dataclass(frozen=True)
class Rules:
    """How to read a table for the guard.

    `count` is the column of people (``None``: the table counts no people, e.g. which
    countries are present, public through the outreach list); `total` a denominator column;
    `keys` maps a table column to the source column it groups by (``{"iso2": "country_iso2"}``);
    `indicator` says each category names a true/false source column (``ldc``, ``sids``).
    `run` names the scheduled run publishing the table and when this execution started: what
    the run's earlier snapshots, made from other data, let a reader fix is then read back (the
    ledger's published values, and the true counts :mod:`.memory` keeps privately), and a
    cell whose count is 1 to threshold-1 away from a count of the same categories there is
    hidden (the change is a count of people a reader gets by comparing the two snapshots).
    """

    count: str | None = "count"
    total: str | None = "total"
    threshold: int = DEFAULT_THRESHOLD
    keys: Mapping[str, str] = field(default_factory=dict)
    indicator: bool = False
    name: str = ""
    run: ledger_file.Run | None = None


def published_aggregate(
    table: pd.DataFrame, by: str | Sequence[str], source: str
) -> PublishedTable:
    """Opt a table of counts that are already public out of suppression, naming where they were published."""
    if not source.strip():
        msg = (
            "A published aggregate must name where it was published (e.g. 'ICANN meeting blogs')."
        )
        raise DisclosureError(msg)
    text = f"Published aggregate: these counts are already public ({source}) and are shown without suppression."
    return PublishedTable(table.copy(), tuple(as_list(by)), None, 0, text, (False,) * len(table), source,
                          dict((table.attrs.get("test") and {"test": table.attrs["test"]}) or {}))  # fmt: skip


def _dataset(source: pd.DataFrame) -> tuple[str | None, pd.DataFrame, np.ndarray]:
    """The clean table `source` was selected from, its id, and which of its rows `source` holds."""
    info = source.attrs.get(DATASET_ATTR)
    if not info:
        return None, source.reset_index(drop=True), np.ones(len(source), dtype=bool)
    full = _load(str(info["path"]), str(info["sha256"]))
    positions = source.index.to_numpy()
    if len(positions) and (positions.min() < 0 or positions.max() >= len(full)):
        msg = f"The rows of this table's source are not rows of {info['path']}: select rows of the loaded table, do not re-index it."
        raise DisclosureError(msg)
    mask = np.zeros(len(full), dtype=bool)
    mask[positions.astype(int)] = True
    return str(info["sha256"]), full, mask


_LOADED: dict[str, pd.DataFrame] = {}


def _load(path: str, sha: str) -> pd.DataFrame:
    if sha not in _LOADED:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if digest != sha:
            msg = f"{path} changed since it was loaded (SHA-256 {digest[:12]}…, expected {sha[:12]}…). Reload it and re-run."
            raise DisclosureError(msg)
        _LOADED[sha] = pd.read_parquet(path)
    return _LOADED[sha]


def _records(table: pd.DataFrame, by: list[str], source: pd.DataFrame | None, rules: Rules
             ) -> tuple[Records, str | None, np.ndarray, tuple[str, ...]]:  # fmt: skip
    """The records the table counts, the dataset id, the table's scope and its source columns."""
    if source is None:
        if rules.indicator:
            msg = "An indicator table (one true/false column per category) needs its source records: pass source=."
            raise DisclosureError(msg)
        data = pd.DataFrame({c: key_strings(table[c]) for c in by}).assign(
            count=counts_of(table[rules.count or ""])
        )
        return Records(data), None, np.ones(len(data), dtype=bool), tuple(by)
    dataset, full, scope = _dataset(source)
    return Records(full), dataset, scope, tuple(rules.keys.get(c, c) for c in by)


def _spec(table: pd.DataFrame, safe: pd.DataFrame, by: list[str], rules: Rules, where: tuple
          ) -> tuple[TableSpec, np.ndarray]:  # fmt: skip
    """The table's cells (its rows, then its totals) with what suppression left published."""
    records, _, scope, columns = where
    interior = list(zip(*(key_strings(table[c]) for c in by), strict=True)) if by else [()]
    if rules.indicator and table.attrs.get("as_of"):  # flags on the day the table counts by
        interior = [(f"{k[0]}@{table.attrs['as_of']}",) for k in interior]
    keys = interior + ([] if rules.indicator else margins(interior, with_dimensions=True))
    draft = TableSpec(
        rules.name,
        columns,
        tuple(keys),
        (None,) * len(keys),
        pack(scope),
        len(scope),
        rules.indicator,
    )
    masks = records.masks(draft)
    # a margin over a dimension the others determine (a country's region) is its one cell
    cells = {m.tobytes() for m in masks[: len(interior)]}
    keep = [i for i, m in enumerate(masks) if i < len(interior) or m.tobytes() not in cells]
    keys = [keys[i] for i in keep]
    true = np.array([records.value(masks[i]) for i in keep], dtype=float)
    expected = counts_of(table[rules.count or ""]).to_numpy()
    if not np.allclose(true[: len(interior)], expected):
        msg = (f"Table {rules.name or by} does not count its source: expected {expected.tolist()[:8]}…, "
               f"the source gives {true.tolist()[:8]}…. Pass the frame the table was computed from as source=.")  # fmt: skip
        raise DisclosureError(msg)
    shown = np.concatenate(
        [
            safe[rules.count or ""].notna().to_numpy(),
            ~primary(pd.Series(true[len(interior) :]), rules.threshold).to_numpy(),
        ]
    )
    values = tuple(int(v) if s else None for v, s in zip(true, shown, strict=True))
    return TableSpec(
        rules.name, columns, tuple(keys), values, pack(scope), len(scope), rules.indicator
    ), true


def _apply(
    safe: pd.DataFrame, spec: TableSpec, shown: np.ndarray, by: list[str], rules: Rules
) -> pd.DataFrame:
    """Hide in the table what the audit hid: counts of hidden cells, totals of hidden margins."""
    n = len(safe)
    hidden = ~shown[:n]
    total_hidden = np.zeros(n, dtype=bool)
    labels = np.column_stack([key_strings(safe[c]) for c in by]) if by else np.zeros((n, 0))
    for key, ok in zip(spec.keys[n:], shown[n:], strict=True):
        if not ok:
            total_hidden |= np.all(
                [(labels[:, d] == k) for d, k in enumerate(key) if k != ALL] or [np.ones(n, bool)],
                axis=0,
            )
    out = safe.drop(columns=["suppressed"])
    out[rules.count or ""] = out[rules.count or ""].mask(hidden)
    if rules.total and rules.total in out:
        out[rules.total] = out[rules.total].mask(total_hidden)
    keep = {rules.count or "", *by, rules.total or "", "unstable"}
    return hide_derived(out, pd.Series(hidden | total_hidden, index=out.index), keep), hidden


def guard(table: pd.DataFrame, by: str | Sequence[str], *, source: pd.DataFrame | None = None,
          rules: Rules | None = None, ledger: str | Path | None = None) -> PublishedTable:  # fmt: skip
    """Publish a count table: suppress, audit with every table in the ledger, record it.

    `source` is the frame of records the table was computed from (rows of a table loaded by
    ``load_clean``, possibly filtered); the guard recounts every cell from it and refuses a
    table that does not match. Without `source`, the table is audited alone, with its margins.
    With `ledger` (a JSON Lines path), the table is audited against every table already
    published there from the same clean data, and recorded.

    >>> t = pd.DataFrame({"region": ["AF", "AP", "EU"], "count": [3, 40, 50]})
    >>> guard(t, "region").table["count"].tolist()
    [<NA>, <NA>, 50]
    """
    rules = rules or Rules()
    by = as_list(by)
    if rules.count is None or table.empty:  # no people counted, or no rows: nothing to hide
        return PublishedTable(table.copy(), tuple(by), None, rules.threshold, legend(rules.threshold),
                              (False,) * len(table), name=rules.name)  # fmt: skip
    safe = suppress(table, count=rules.count, by=by, threshold=rules.threshold, total=rules.total)
    where = _records(table, by, source, rules)
    spec, true = _spec(table, safe, by, rules, where)
    dataset = where[1]
    if ledger is not None and dataset is not None:
        with ledger_file.locked(ledger) as path:
            earlier = memory.read(path, dataset)
            moved: list[tuple[np.ndarray, str]] = []
            if rules.run is not None:
                drafted = snapshots.Publishing(spec, where[0], true, dataset)
                narrow = snapshots.narrow_changes(path, rules.run, drafted, rules.threshold)
                moved = snapshots.moved_derived(path, rules.run, drafted, earlier, rules.threshold)
                spec = _small_changes(
                    spec, true, memory.exposed(path, dataset, rules.run), rules.threshold, narrow
                )
            spec = replace(spec, ident=secrets.token_hex(8))
            verdict = TableSet(where[0], earlier, rules.threshold, moved).audit(spec)
            spec = spec.with_audit(verdict.shown, verdict.listed)
            if not verdict.withheld:  # a withheld table tells a reader nothing: not recorded
                ledger_file.append(path, dataset, spec, run=rules.run)
                wide = (
                    memory.kept_wide(where[0], earlier, spec, rules.threshold)
                    if rules.run
                    else None
                )
                memory.remember(path, spec, run=rules.run, dataset=dataset, true=true, wide=wide)
                if rules.run is not None:
                    snapshots.save_records(path, dataset, where[0], spec)
                    snapshots.prune_records(path)
    else:
        verdict = TableSet(where[0], [], rules.threshold).audit(spec)
        spec = spec.with_audit(verdict.shown, verdict.listed)
    return _published_table(table, safe, spec, verdict, by, rules)


def _small_changes(spec: TableSpec, true: np.ndarray, before: Mapping[memory.Signature, set[int]],
                   threshold: int, narrow: AbstractSet[tuple[str, ...]] = frozenset()) -> TableSpec:  # fmt: skip
    """`spec` with the cells hidden whose count changed by fewer than `threshold` people (but
    some) since a count of the same records a reader may have fixed in the run's earlier
    snapshots (`before`, see :func:`memory.exposed`); they stay protected (sensitive) in this
    run's audit and in later ones, like small counts. `true` holds every cell's count; `narrow`
    names cells whose small change an earlier snapshot's records show a reader can derive
    (:func:`snapshots.narrow_changes`)."""
    if not before and not narrow:
        return spec
    small = set(narrow) | {key for key, count, names in zip(spec.keys, true, memory.signatures(spec), strict=True)
             if any(0 < abs(count - old) < threshold for name in names for old in before.get(name, ()))}  # fmt: skip
    values = tuple(None if k in small else v for k, v in zip(spec.keys, spec.values, strict=True))
    return replace(spec, values=values, sensitive=spec.sensitive | small)


def _published_table(table: pd.DataFrame, safe: pd.DataFrame, spec: TableSpec, verdict: Verdict,
                     by: list[str], rules: Rules) -> PublishedTable:  # fmt: skip
    """The page's table as the audit left it: hidden cells missing, left-out rows gone."""
    frame, hidden = _apply(safe, spec, verdict.shown, by, rules)
    keep = verdict.listed[: len(frame)] & ~np.full(len(frame), verdict.withheld)
    statistics = (
        {"test": table.attrs["test"]} if "test" in table.attrs and verdict.shown.all() else {}
    )
    mask = (frame.isna() & table.reindex(columns=frame.columns).notna())[keep]
    note = legend(rules.threshold, rules.count) + (
        _LEFT_OUT if not keep.all() and not verdict.withheld else ""
    )
    return PublishedTable(frame[keep], tuple(by), rules.count, rules.threshold, note,
                          tuple(bool(h) for h in hidden[keep]), statistics=statistics, name=rules.name,
                          _mask=mask, cells=tuple(zip(spec.keys, spec.values, strict=True)),
                          unresolved=tuple(verdict.unresolved), withheld=verdict.withheld,
                          left_out=not keep.all() and not verdict.withheld)  # fmt: skip


#: Added to the legend of a table some rows of which the audit left out.
_LEFT_OUT = (
    " Some categories with very few people are left out of this table, because listing them "
    "beside the other figures of this report would let a reader work their counts out."
)
