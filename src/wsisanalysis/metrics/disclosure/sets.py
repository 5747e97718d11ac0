"""All the tables of a report set together: what earlier tables published, the table being
published, and the differences a reader can take between them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure.audit import CellSet, implied, protect
from wsisanalysis.metrics.disclosure.tables import Records, TableSpec, cell_set, unpack


def candidates(
    records: Records, specs: list[TableSpec], threshold: int
) -> list[tuple[np.ndarray, str]]:
    """Small counts a reader could reach by differencing tables of different scopes.

    The scopes of the tables (all events, one event, the host excluded...) cut the records
    into blocks (e.g. "the other events"). Every category of every table's grouping, counted
    within one block, is a cell a reader may aim at: those in (0, threshold) are audited too.
    """
    scopes = list({s.scope: unpack(s.scope, s.rows) for s in specs}.values())
    if len(scopes) < 2:
        return []
    signature = pd.DataFrame(np.vstack(scopes).T)
    inside = signature.any(axis=1).to_numpy()
    block = signature.groupby(list(signature.columns)).ngroup().to_numpy()
    groupings = {s.columns for s in specs if not s.indicator} | {()}
    flags = {k[0] for s in specs if s.indicator for k in s.keys}
    out = []
    for b in np.unique(block[inside]):
        rows = inside & (block == b)
        for columns in groupings:
            keys = pd.DataFrame({c: records.keys(c)[rows] for c in columns}) if columns else None
            groups = (
                keys.groupby(list(columns)).indices
                if keys is not None
                else {(): np.arange(rows.sum())}
            )
            where = np.flatnonzero(rows)
            for key, idx in groups.items():
                mask = np.zeros(len(rows), dtype=bool)
                mask[where[idx]] = True
                out.append((mask, f"block {b} {columns}={key}"))
        out.extend(
            (rows & records.flag(f), f"block {b} {f}")
            for f in flags
        )
    return [(m, label) for m, label in out if 0 < records.value(m) < threshold]


@dataclass
class TableSet:
    """The tables already published from one dataset, and the audit of one more."""

    records: Records
    published: list[TableSpec]
    threshold: int

    def audit(self, current: TableSpec) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
        """Which of `current`'s cells can be shown, after hiding until no hidden cell is narrow.

        Returns the published mask of `current`'s cells and the disclosures no cell of
        `current` can repair (left by earlier tables), by label.
        """
        masks, published, editable, labels = [], [], [], []
        for number, spec in enumerate([*self.published, current]):
            mine = spec is current
            for key, mask, value in zip(
                spec.keys, self.records.masks(spec), spec.values, strict=True
            ):
                masks.append(mask)
                published.append(value is not None)
                editable.append(mine)
                labels.append(f"{spec.name or number}:{'/'.join(key)}")
        known = {m.tobytes() for m in masks}
        listed = len(masks)
        for mask, label in candidates(self.records, [*self.published, current], self.threshold):
            if mask.tobytes() not in known:
                known.add(mask.tobytes())
                masks.append(mask)
                published.append(False)
                editable.append(False)
                labels.append(label)
        pub, edit = np.array(published, dtype=bool), np.array(editable, dtype=bool)
        cells: CellSet = cell_set(
            self.records, masks, pub, edit, np.zeros(len(pub), dtype=bool), labels
        )
        cells.sensitive |= (cells.value > 0) & (cells.value < self.threshold)
        cells.listed = np.arange(len(pub)) < listed  # a difference of pages is listed nowhere
        # a table every published cell of which earlier tables already fix cannot disclose
        # anything new: only its own hidden cells need checking
        first = edit if self.published and implied(cells) else None
        unfixable = protect(cells, self.threshold, first)
        return cells.published[edit], {cells.labels[i]: r for i, r in unfixable.items()}
