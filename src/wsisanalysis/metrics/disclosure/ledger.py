"""The ledger of published cells: one JSON line per published table, in the output folder.

A later run into the same folder reads it back, so its tables are audited together with what
was already published there from the same clean data (identified by the clean table's
SHA-256). The ledger holds what a reader of the pages sees: published values, hidden cells as
``null``. What the audit needs beyond that (the records each table counts, the cells it
protected) is kept privately by :mod:`.memory`, under each table's id. Writes hold an
exclusive lock and replace the file atomically, so parallel runs neither interleave nor
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


@dataclass(frozen=True)
class Run:
    """One execution of a scheduled run: its name (the page's run slug) and when it started
    (ISO 8601, UTC; executions of one run sort by it)."""

    name: str
    started: str


def entries(path: str | Path) -> list[dict]:
    """Every line of the ledger at `path` (one per published table, in order)."""
    path = Path(path)
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def append(path: str | Path, dataset: str, spec: TableSpec, *, run: Run | None = None) -> None:
    """Add one published table to the ledger, atomically (call inside :func:`locked`)."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    entry = {"dataset": dataset, "run": run.name if run else "", "started": run.started if run else "",
             "written_utc": datetime.now(UTC).isoformat(timespec="seconds"), **spec.to_json()}  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(old + json.dumps(entry, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)
