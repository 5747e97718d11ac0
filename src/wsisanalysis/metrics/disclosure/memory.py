"""The private half of the ledger: what the audit needs and a reader must not see.

The ledger in the output folder holds what the pages show (published values). Auditing a
later table against it needs more: the records each table counted (its scope: the number of
records in it is a count of people, so it must not sit beside the pages), which cells it
protected for a small change (a reader who knew would learn the change was small), and, for
a scheduled run, the true count of every cell (to see a small change of a cell the previous
snapshot hid without keeping it wide: a complementary cell, which a reader may have
narrowed). All that is kept here, one JSON line per table under the ledger's id for it, in
the user's state folder (``$XDG_STATE_HOME/wsisanalysis/ledgers``, else
``~/.local/state/wsisanalysis/ledgers``), readable by the user only, never in the output
folder. It holds counts per category and row masks, no record, name or id; true counts are
kept for every execution of a run as long as the ledger lists its tables: a reader may hold
every page of every snapshot, including those the retention setting has since deleted.

A ledger whose private half is missing (the output folder copied to another machine, the
state folder deleted) cannot be audited against: publishing into it is refused with a clear
error rather than done blind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

from wsisanalysis.metrics.disclosure.audit import DisclosureError
from wsisanalysis.metrics.disclosure.ledger import Run, entries
from wsisanalysis.metrics.disclosure.tables import ALL, Records, TableSpec

#: What a cell counts, comparable across tables and snapshots (see :func:`names`).
Signature = tuple[str, tuple[tuple[str, str], ...]]


def memory_path(ledger: str | Path) -> Path:
    """The private half of the ledger at `ledger`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = hashlib.sha256(str(Path(ledger).resolve()).encode()).hexdigest()[:16]
    return Path(base) / "wsisanalysis" / "ledgers" / f"{folder}.jsonl"


def _private(ledger: str | Path) -> dict[str, dict]:
    return {str(e["id"]): e for e in entries(memory_path(ledger)) if e.get("id")}


def read(ledger: str | Path, dataset: str) -> list[TableSpec]:
    """The tables already published into `ledger` from `dataset`, whole (public half and
    private half joined). Raises :class:`DisclosureError` when a private half is missing."""
    public = [e for e in entries(ledger) if e.get("dataset") == dataset]
    private = _private(ledger) if public else {}
    missing = [e for e in public if "scope" not in e and str(e.get("id")) not in private]
    if missing:
        msg = (f"The disclosure ledger {ledger} lists {len(missing)} table(s) published from this data whose "
               f"private part is missing from {memory_path(ledger)} (the output folder was moved or copied, "
               "or that state folder was deleted), so new tables cannot be audited against them. Publish "
               "into a new output folder (--out), or restore that state folder.")  # fmt: skip
        raise DisclosureError(msg)
    return [TableSpec.from_json({**e, **private.get(str(e.get("id")), {})}) for e in public]


def remember(ledger: str | Path, spec: TableSpec, *, run: Run | None = None, dataset: str = "",
             true: np.ndarray | None = None, wide: np.ndarray | None = None) -> None:  # fmt: skip
    """Keep `spec`'s private half; for a scheduled `run`, also every cell's true count
    (`true`) and whether the audit kept it wide (`wide`, see :func:`kept_wide`).

    Call while holding the ledger's lock: the file is rewritten whole and replaced atomically.
    """
    entry = spec.private_json()
    if run is not None and true is not None and wide is not None:
        cells = [[list(k), int(n), bool(w)] for k, n, w in zip(spec.keys, true, wide, strict=True)]
        entry |= {"run": run.name, "started": run.started, "dataset": dataset, "counts": cells}
    path = memory_path(ledger)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(path, [*entries(path), entry])


def _write(path: Path, kept: list[dict]) -> None:
    """The private half, rewritten whole (readable by the user only) and replaced atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(e, separators=(",", ":")) + "\n" for e in kept)
    tmp.replace(path)


def kept_wide(
    records: Records, published: list[TableSpec], spec: TableSpec, threshold: int
) -> np.ndarray:
    """Per cell of `spec`: hidden, and kept at least `threshold` wide by the audit, i.e. its
    records' count is small, or some table audited with it (`published`, from the same data)
    protects a cell of the same records for a small change."""
    mine = records.masks(spec)
    protected = {
        m.tobytes()
        for s in [*published, spec]
        if s.sensitive  # most tables protect nothing for a change: their cells are not needed
        for m, k, v in zip(mine if s is spec else records.masks(s), s.keys, s.values, strict=True)
        if v is None and k in s.sensitive
    }
    return np.array([v is None and (0 < records.value(m) < threshold or m.tobytes() in protected)
                     for m, v in zip(mine, spec.values, strict=True)], dtype=bool)  # fmt: skip


def names(
    table: str, columns: list[str] | tuple[str, ...], keys: list, whole: bool
) -> list[set[Signature]]:
    """Per cell, what it counts, comparable across tables and snapshots: its categories
    (a margin drops its own), within all records (``*``) when the table counts them all, and
    within a table of the same name (how tables of a part of the records are matched)."""
    out = []
    for key in keys:
        # an indicator's key names the day its lists were read ("ldc@2025-06-23"): the same
        # group a week later is still the same group to a reader
        pairs = tuple(
            (c, v.partition("@")[0]) for c, v in zip(columns, key, strict=True) if v != ALL
        )
        out.append({(table, pairs), *([(ALL, pairs)] if whole else [])})
    return out


def signatures(spec: TableSpec) -> list[set[Signature]]:
    """:func:`names` of `spec`'s cells."""
    return names(spec.name, spec.columns, list(spec.keys), spec.whole)


def earlier_entries(ledger: str | Path, dataset: str, run: Run) -> list[dict]:
    """The ledger lines of `run`'s earlier executions made from other data than `dataset`."""
    return [e for e in entries(ledger) if e.get("run") == run.name
            and str(e.get("started", "")) < run.started and e.get("dataset") != dataset]  # fmt: skip


def exposed(ledger: str | Path, dataset: str, run: Run) -> dict[Signature, set[int]]:
    """Every count a reader may have fixed in `run`'s earlier executions on other data than
    `dataset`, by what it counts (in any of their tables): the counts they published, and
    the true counts of the cells they hid without keeping them wide (complementary cells;
    known for the executions whose true counts are kept). A table whose private half is
    missing is matched by its name and categories only."""
    private = _private(ledger)
    out: dict[Signature, set[int]] = defaultdict(set)
    for entry in earlier_entries(ledger, dataset, run):
        part = {**entry, **private.get(str(entry.get("id")), {})}
        whole = (
            part["whole"]
            if "whole" in part
            else "scope" in part and TableSpec.from_json(part).whole
        )
        keys = [tuple(cell["key"]) for cell in entry["cells"]]
        counts = {tuple(k): (n, w) for k, n, w in part.get("counts", [])}
        cells = zip(
            names(entry["table"], entry["columns"], keys, bool(whole)),
            keys,
            entry["cells"],
            strict=True,
        )
        for found, key, cell in cells:
            seen = _fixed(cell["value"], counts.get(key))
            for name in found if seen is not None else ():
                out[name].add(seen)  # type: ignore[arg-type]
    return out


def _fixed(value: int | None, remembered: tuple[int, bool] | None) -> int | None:
    """The count a reader may have fixed: the published one, else the true count of a cell
    hidden without being kept wide; None when the cell was kept wide or is not known."""
    if value is not None:
        return int(value)
    if remembered is None or remembered[1]:
        return None
    return int(remembered[0])
