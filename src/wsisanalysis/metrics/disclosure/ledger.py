"""The ledger of published cells: one JSON line per published table, in the output folder.

A later run into the same folder reads it back, so its tables are audited together with what
was already published there from the same clean data (identified by the clean table's
SHA-256). Only published values are stored; hidden cells are stored as ``null``. Writes hold
an exclusive lock and replace the file atomically, so parallel runs neither interleave nor
leave a half-written ledger.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wsisanalysis.metrics.disclosure.tables import TableSpec

LEDGER_NAME = "disclosure_ledger.jsonl"


@contextlib.contextmanager
def locked(path: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on the ledger at `path` (created with its folder if missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Path(f"{path}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read(path: str | Path, dataset: str) -> list[TableSpec]:
    """The tables already published into the ledger at `path` from `dataset`."""
    path = Path(path)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line) if line.strip() else {}
        if entry.get("dataset") == dataset:
            out.append(TableSpec.from_json(entry))
    return out


@dataclass(frozen=True)
class Run:
    """One execution of a scheduled run: its name (the page's run slug) and when it started
    (ISO 8601, UTC; executions of one run sort by it)."""

    name: str
    started: str


def _entries(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def previous_entry(entries: list[dict], dataset: str, run: Run, spec: TableSpec) -> dict | None:
    """Among `entries` (one per published table, in order), the same table in the latest
    earlier execution of `run` made from other data than `dataset`: the n-th table of that
    name and grouping there, where `spec` is the n-th in this execution; None when none."""

    def of(entry: dict) -> bool:
        return (entry.get("run") == run.name and entry.get("table") == spec.name
                and entry.get("columns") == list(spec.columns))  # fmt: skip

    mine = sum(
        1
        for e in entries
        if of(e) and e.get("started") == run.started and e.get("dataset") == dataset
    )
    earlier = [
        e
        for e in entries
        if of(e) and str(e.get("started", "")) < run.started and e.get("dataset") != dataset
    ]
    if not earlier:
        return None
    last = max(str(e.get("started", "")) for e in earlier)
    tables = [e for e in earlier if e.get("started") == last]
    return tables[mine] if mine < len(tables) else None


def previous(
    path: str | Path, dataset: str, run: Run, spec: TableSpec
) -> dict[tuple[str, ...], int]:
    """What the same table published in the run's previous execution on other data (see
    :func:`previous_entry`): keys to published values; empty when there is none."""
    entry = previous_entry(_entries(Path(path)), dataset, run, spec)
    if entry is None:
        return {}
    return {tuple(c["key"]): int(c["value"]) for c in entry["cells"] if c["value"] is not None}


def append(path: str | Path, dataset: str, spec: TableSpec, *, run: Run | None = None) -> None:
    """Add one published table to the ledger, atomically (call inside :func:`locked`)."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    entry = {"dataset": dataset, "run": run.name if run else "", "started": run.started if run else "",
             "written_utc": datetime.now(UTC).isoformat(timespec="seconds"), **spec.to_json()}  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(old + json.dumps(entry, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)
