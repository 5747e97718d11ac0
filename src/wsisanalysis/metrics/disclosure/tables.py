"""Tables as cells over the records they count: one table alone, or all the tables of a report
set published from the same clean data (read back from the ledger)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from wsisanalysis.metrics.disclosure.audit import CellSet, DisclosureError

ALL = "*"
UNKNOWN = "unknown"


def key_strings(column: pd.Series) -> np.ndarray:
    """Category labels as the coverage tables print them (booleans as true/false, missing as unknown)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        column = column.map({True: "true", False: "false"})
    text = column.astype(object)
    return np.asarray(text.where(text.notna(), UNKNOWN).map(str), dtype=object)


def row_weights(frame: pd.DataFrame) -> np.ndarray:
    """Each record's weight: its ``count`` (missing counts 1), else 1."""
    if "count" in frame:
        return pd.to_numeric(frame["count"], errors="coerce").fillna(1).to_numpy(dtype=float)
    return np.ones(len(frame))


def pack(mask: np.ndarray) -> str:
    """A row mask as compact text for the ledger."""
    return base64.b64encode(np.packbits(mask).tobytes()).decode("ascii")


def unpack(text: str, rows: int) -> np.ndarray:
    """The row mask :func:`pack` wrote."""
    bits = np.unpackbits(np.frombuffer(base64.b64decode(text), dtype=np.uint8))
    return bits[:rows].astype(bool)


@dataclass(frozen=True)
class TableSpec:
    """What one published table shows, as cells over the records of its dataset.

    `columns` are the source columns of the table's categories (one per dimension); a key of
    ``*`` sums that dimension (a margin). With `indicator`, each key names a true/false source
    column (e.g. ``ldc``) and the cell counts the records where it is true. `values` are the
    published counts, ``None`` where hidden. Hidden values are never stored. `unlisted` holds
    the keys of hidden cells the page leaves out altogether (not shown as hidden), so a reader
    cannot tell them from empty ones. `sensitive` holds the keys of cells protected like
    small counts although their count is not small (their change since the run's previous
    snapshot is); it is never written to the ledger (it would tell a reader that the change
    was small) but kept privately (:mod:`.memory`), under the table's `ident`.
    """

    name: str
    columns: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]
    values: tuple[int | None, ...]
    scope: str
    rows: int
    indicator: bool = False
    unlisted: frozenset[tuple[str, ...]] = frozenset()
    sensitive: frozenset[tuple[str, ...]] = frozenset()
    ident: str = ""

    def to_json(self) -> dict:
        """What the ledger in the output folder holds: published values only. The records in
        scope (a count of them is a count of people) and the protections stay private
        (:meth:`private_json`)."""
        cells = [{"key": list(k), "value": v, **({"listed": False} if k in self.unlisted else {})}
                 for k, v in zip(self.keys, self.values, strict=True)]  # fmt: skip
        return {"id": self.ident, "table": self.name, "columns": list(self.columns),
                "indicator": self.indicator, "cells": cells}  # fmt: skip

    def private_json(self) -> dict:
        """The rest of the table, kept by :mod:`.memory` under its `ident`."""
        return {"id": self.ident, "scope": self.scope, "rows": self.rows, "whole": self.whole,
                "sensitive": sorted(list(k) for k in self.sensitive)}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping) -> TableSpec:
        """A table from its ledger line merged with its private part (older ledgers held
        both in one line)."""
        keys = tuple(tuple(c["key"]) for c in data["cells"])
        unlisted = frozenset(
            k for k, c in zip(keys, data["cells"], strict=True) if c.get("listed") is False
        )
        sensitive = frozenset(tuple(k) for k in data.get("sensitive", [])) | frozenset(
            k for k, c in zip(keys, data["cells"], strict=True) if c.get("sensitive")
        )
        return cls(data["table"], tuple(data["columns"]), keys, tuple(c["value"] for c in data["cells"]),
                   data["scope"], int(data["rows"]), bool(data.get("indicator")), unlisted, sensitive,
                   str(data.get("id") or ""))  # fmt: skip

    @property
    def whole(self) -> bool:
        """Whether the table counts all records of its dataset (no event or host left out)."""
        return bool(unpack(self.scope, self.rows).all())

    def listed(self) -> np.ndarray:
        """True for each category a reader sees listed: published, or shown as hidden. Totals
        are never listed on their own: a hidden total is known to hold somebody only through
        its listed categories, which the audit already takes as holding somebody."""
        return np.array([k not in self.unlisted and ALL not in k for k in self.keys], dtype=bool)

    def with_audit(self, shown: np.ndarray, listed: np.ndarray) -> TableSpec:
        """This table as the audit left it: hidden cells' values dropped, unlisted ones named."""
        values = tuple(v if s else None for v, s in zip(self.values, shown, strict=True))
        unlisted = frozenset(k for k, ok in zip(self.keys, listed, strict=True) if not ok)
        return replace(self, values=values, unlisted=unlisted)


def margins(keys: Sequence[tuple[str, ...]], *, with_dimensions: bool) -> list[tuple[str, ...]]:
    """The totals a reader can take as published: the grand total and, with `with_dimensions`,
    the total of every combination of categories over any subset of the dimensions (for a
    region × UN group × country map: each region, each UN group, each region and UN group)."""
    width = len(keys[0]) if keys else 0
    out = [tuple([ALL] * width)]
    if with_dimensions and width > 1:
        for size in range(1, width):
            for fixed in itertools.combinations(range(width), size):
                seen = dict.fromkeys(tuple(k[d] for d in fixed) for k in keys)
                for values in seen:
                    given = dict(zip(fixed, values, strict=True))
                    out.append(tuple(given.get(d, ALL) for d in range(width)))
    return out


class Records:
    """One dataset's records: keys per source column, computed once, and each cell's rows."""

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data
        self.weights = row_weights(data)
        self._keys: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}

    def keys(self, column: str) -> np.ndarray:
        if column not in self._keys:
            if column not in self.data:
                msg = f"The source has no column {column!r}; pass keys={{table column: source column}} to publish."
                raise DisclosureError(msg)
            self._keys[column] = key_strings(self.data[column])
        return self._keys[column]

    def codes(self, column: str) -> tuple[np.ndarray, dict[str, int]]:
        """The column's keys as integer codes, and the code of each key (computed once)."""
        if column not in self._codes:
            codes, uniques = pd.factorize(self.keys(column))
            self._codes[column] = (codes, {str(u): i for i, u in enumerate(uniques)})
        return self._codes[column]

    def flag(self, name: str) -> np.ndarray:
        """A true/false column of the records; ``ldc@2025-06-23`` is the LDC, LLDC or SIDS
        flag of each record's country on that day (the lists change as countries graduate)."""
        column, _, day = name.partition("@")
        if not day:
            return self.data[column].fillna(False).astype(bool).to_numpy()
        from wsisanalysis.reference import reference_countries

        listed = reference_countries(day).set_index("iso2")[column].fillna(False).astype(bool)
        iso2 = self.data["country_iso2"].astype(object)
        return iso2.map(listed).fillna(False).astype(bool).to_numpy()

    def masks(self, spec: TableSpec) -> list[np.ndarray]:
        """The records each cell of `spec` counts."""
        scope = unpack(spec.scope, spec.rows)
        if spec.indicator:
            return [scope & self.flag(k[0]) for k in spec.keys]
        interior = [k for k in spec.keys if ALL not in k]
        seen = [{k[d] for k in interior} for d in range(len(spec.columns))]
        out = []
        for key in spec.keys:
            mask = scope.copy()
            for d, (col, value) in enumerate(zip(spec.columns, key, strict=True)):
                codes, index = self.codes(col)
                if value == ALL:
                    mask &= np.isin(codes, [index[v] for v in seen[d] if v in index])
                else:
                    mask &= codes == index.get(value, -2)
            out.append(mask)
        return out

    def value(self, mask: np.ndarray) -> int:
        return int(np.rint(self.weights[mask].sum()))


def cell_set(records: Records, masks: list[np.ndarray], published: np.ndarray, editable: np.ndarray,
             sensitive: np.ndarray, labels: list[str]) -> CellSet:  # fmt: skip
    """Cells over atoms: records no cell can tell apart form one atom; empty atoms are dropped."""
    stack = np.vstack(masks) if masks else np.zeros((0, len(records.weights)), dtype=bool)
    live = records.weights > 0
    pattern = pd.DataFrame(stack[:, live].T)
    atom = pattern.groupby(list(pattern.columns), sort=False).ngroup().to_numpy() if len(pattern.columns) else np.zeros(int(live.sum()), dtype=int)  # fmt: skip
    n_atoms = int(atom.max()) + 1 if len(atom) else 0
    rows, cols = np.nonzero(stack[:, live])
    pairs = (
        np.unique(np.column_stack([rows, atom[cols]]), axis=0)
        if len(rows)
        else np.zeros((0, 2), int)
    )
    matrix = sparse.csr_array(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(masks), n_atoms)
    )
    value = np.array([records.value(m) for m in masks], dtype=float)
    truth = np.bincount(atom, weights=records.weights[live], minlength=n_atoms)
    return CellSet(matrix, value, published, sensitive, editable, labels, truth=truth)
