"""What a scheduled run's tables truly counted, kept privately between its snapshots.

A reader holding two snapshots of a run subtracts every count both fix. The ledger (in the
output folder, beside the pages) holds published values only, so from it the guard sees the
change of cells published both times, but not of a cell that was hidden the first time and is
published now: a complementary cell (hidden to protect a small neighbour, not small itself)
is not kept wide by the audit, and a reader may have narrowed it to a value or nearly.

This file keeps, per execution of a run, the true count of every cell of every table it
published, and whether the audit kept that cell wide (a small count, or a small change: the
audit keeps those at least the threshold wide, so their change is as wide). It also keeps
which cells each table protected for a small change: the ledger must not say so (a reader of
it would learn that the change was small), but later tables on the same data are audited
with that protection. It lives in the
user's state folder (``$XDG_STATE_HOME/wsisanalysis``, else ``~/.local/state/wsisanalysis``),
readable by the user only, never in the output folder; it holds counts per category, no
record, name or id, and only the last :data:`KEPT` executions of each run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from wsisanalysis.metrics.disclosure.ledger import Run, previous_entry
from wsisanalysis.metrics.disclosure.tables import Records, TableSpec

#: Executions of one run kept (the guard reads only the latest earlier one).
KEPT = 3


def memory_path(ledger: str | Path) -> Path:
    """The private file for the output folder whose ledger is `ledger`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = hashlib.sha256(str(Path(ledger).resolve()).encode()).hexdigest()[:16]
    return Path(base) / "wsisanalysis" / "counts" / f"{folder}.jsonl"


def _entries(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def previous(
    ledger: str | Path, dataset: str, run: Run, spec: TableSpec
) -> dict[tuple[str, ...], tuple[int, bool]]:
    """The same table in the run's previous execution on other data (as
    :func:`~wsisanalysis.metrics.disclosure.ledger.previous`): each cell's true count and
    whether the audit kept it wide. Empty when it was not remembered."""
    entry = previous_entry(_entries(memory_path(ledger)), dataset, run, spec)
    if entry is None or "cells" not in entry:
        return {}
    return {tuple(key): (int(count), bool(wide)) for key, count, wide in entry["cells"]}


def remember(ledger: str | Path, dataset: str, run: Run, spec: TableSpec, true: np.ndarray,
             wide: np.ndarray) -> None:  # fmt: skip
    """Keep `spec`'s true counts (`true`, one per cell) and which cells the audit kept wide
    (`wide`, see :func:`kept_wide`) for the run's next execution.

    Call while holding the ledger's lock: the file is rewritten whole and replaced atomically.
    """
    path = memory_path(ledger)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cells = [
        [list(key), int(count), bool(ok)]
        for key, count, ok in zip(spec.keys, true, wide, strict=True)
    ]
    entry = {"id": spec.ident, "dataset": dataset, "run": run.name, "started": run.started,
             "table": spec.name, "columns": list(spec.columns), "cells": cells,
             "sensitive": sorted(list(k) for k in spec.sensitive)}  # fmt: skip
    entries = _recent([*_entries(path), entry], run.name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(e, separators=(",", ":")) + "\n" for e in entries)
    tmp.replace(path)


def kept_wide(
    records: Records, published: list[TableSpec], spec: TableSpec, threshold: int
) -> np.ndarray:
    """Per cell of `spec`: hidden, and kept at least `threshold` wide by the audit, i.e. its
    records' count is small, or some table audited with it (`published`, from the same data)
    protects a cell of the same records for a small change."""
    protected = {m.tobytes() for s in [*published, spec]
                 for m, k, v in zip(records.masks(s), s.keys, s.values, strict=True)
                 if v is None and k in s.sensitive}  # fmt: skip
    return np.array([v is None and (0 < records.value(m) < threshold or m.tobytes() in protected)
                     for m, v in zip(records.masks(spec), spec.values, strict=True)], dtype=bool)  # fmt: skip


def _recent(entries: list[dict], run: str) -> list[dict]:
    """`entries`, the true counts of `run`'s executions older than its last :data:`KEPT`
    dropped. Which cells were protected is kept as long as the ledger keeps the table: a
    later run on the same data is audited with it."""
    started = sorted({str(e.get("started")) for e in entries if e.get("run") == run})
    old = set(started[:-KEPT])
    return [{k: v for k, v in e.items() if k != "cells"} if e.get("run") == run and str(e.get("started")) in old
            else e for e in entries]  # fmt: skip


def marked(ledger: str | Path, specs: list[TableSpec]) -> list[TableSpec]:
    """`specs` read back from the ledger at `ledger`, each with the cells it protected for a
    small change (kept here, never in the ledger)."""
    sensitive = {e["id"]: frozenset(tuple(k) for k in e.get("sensitive", []))
                 for e in _entries(memory_path(ledger)) if e.get("id")}  # fmt: skip
    return [replace(s, sensitive=s.sensitive | sensitive.get(s.ident, frozenset())) for s in specs]


def exposed(
    published: Mapping[tuple[str, ...], int],
    remembered: Mapping[tuple[str, ...], tuple[int, bool]],
) -> dict[tuple[str, ...], int]:
    """The previous snapshot's counts a reader may have fixed: its published values, and the
    true counts of the cells it hid without keeping them wide (complementary cells).

    >>> exposed({("EU",): 50}, {("EU",): (50, False), ("AF",): (3, True), ("LAC",): (30, False)})
    {('EU',): 50, ('LAC',): 30}
    """
    out = dict(published)
    for key, (count, wide) in remembered.items():
        if not wide:
            out.setdefault(key, count)
    return out
