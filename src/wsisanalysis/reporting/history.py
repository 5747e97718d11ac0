"""Snapshots with a memory: every good run kept under a dated path, and a history of runs.

Each successful run's page (its relative links rewritten by the runner to work from there),
manifest and published tables are copied to ``<out>/snapshots/<run>/<started, UTC>/``; every
run's manifest is appended to ``<out>/history.jsonl`` (one JSON object per line, with
``history_version``), failed runs included, so a failed week shows beside the good ones. A
retention setting keeps the newest N snapshots of a run and deletes only that run's oldest
ones; the history keeps every line, and a failed run, which adds no snapshot, never deletes the
last good one. The input-data change between two
runs (rows, files, checksums) tells a reader whether a change is in the world or in the data.

The runner tells a notebook kernel its run through the environment (``RUN_ENV``,
``STARTED_ENV``, ``PUBLISHED_ENV``), so the page can compare itself with the previous
successful snapshot of the same run.

May import: ``wsisanalysis.errors``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wsisanalysis.errors import WsisAnalysisError

logger = logging.getLogger(__name__)

HISTORY_FILE = "history.jsonl"
HISTORY_VERSION = 1
SNAPSHOTS = "snapshots"
_STAMP = "%Y%m%dT%H%M%SZ"
#: Environment of a notebook kernel started by the runner: the run's name, when it started
#: (ISO, UTC) and the file its published tables are recorded into.
RUN_ENV = "WSISANALYSIS_RUN"
STARTED_ENV = "WSISANALYSIS_RUN_STARTED"
PUBLISHED_ENV = "WSISANALYSIS_PUBLISHED_FILE"
#: Names of the files inside a snapshot folder.
PAGE, MANIFEST, PUBLISHED = "page.html", "manifest.json", "published.jsonl"


@dataclass(frozen=True)
class Snapshot:
    """One kept run: its folder and when it started (UTC)."""

    run: str
    started: datetime
    path: Path


def snapshot_stamp(started: datetime) -> str:
    """The folder name of a snapshot that started at `started` (UTC, sortable).

    >>> from datetime import UTC
    >>> snapshot_stamp(datetime(2026, 11, 23, 6, 0, 5, tzinfo=UTC))
    '20261123T060005Z'
    """
    return started.strftime(_STAMP)


def keep_snapshot(
    out_dir: Path, run: str, started: datetime, files: Mapping[str, Path]
) -> Snapshot:
    """Copy `files` (name in the snapshot -> existing file) into a new dated snapshot folder.

    The folder appears whole or not at all: files are copied into a hidden temporary folder
    that is renamed into place.
    """
    final = out_dir / SNAPSHOTS / run / snapshot_stamp(started)
    if final.exists():
        msg = (
            f"{final}: a snapshot of run {run!r} started at the same second already exists. "
            "Wait a second and run again."
        )
        raise WsisAnalysisError(msg)
    staging = final.parent / f".{final.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, source in files.items():
        shutil.copy2(source, staging / name)
    staging.rename(final)
    return Snapshot(run, started, final)


def snapshots(out_dir: Path, run: str) -> list[Snapshot]:
    """The kept snapshots of `run`, oldest first (half-copied folders are ignored)."""
    folder = out_dir / SNAPSHOTS / run
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            started = datetime.strptime(path.name, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # a ".partial" staging folder or a stray file
        found.append(Snapshot(run, started, path))
    return found


def apply_retention(out_dir: Path, run: str, keep: int) -> list[Path]:
    """Delete the oldest snapshots of `run` beyond the newest `keep`; return what was deleted.

    Only `run`'s own snapshots are touched; the history keeps every run's line.
    """
    if keep < 1:
        msg = f"retention must keep at least 1 snapshot per run; got {keep}."
        raise WsisAnalysisError(msg)
    old = snapshots(out_dir, run)[:-keep]
    for snapshot in old:
        shutil.rmtree(snapshot.path)
    return [s.path for s in old]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock beside `path`: parallel runs append one after the other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_history(out_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Append `manifest` as one line of ``history.jsonl`` (written whole, then renamed)."""
    path = out_dir / HISTORY_FILE
    with _locked(path):
        _append_line(path, manifest)
    return path


def _append_line(path: Path, manifest: Mapping[str, Any]) -> None:
    line = json.dumps({"history_version": HISTORY_VERSION, **manifest}, default=str)
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    if existing and not existing.endswith("\n"):
        existing += "\n"  # a line cut by a crash stays on its own line and is skipped on read
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(existing + line + "\n", encoding="utf-8")
    tmp.replace(path)


def read_history(out_dir: Path) -> list[dict[str, Any]]:
    """Every run recorded in ``history.jsonl``, in the order they ran.

    A line that cannot be read (cut by a crash) or that a newer wsisanalysis wrote is skipped
    with a warning in the log, never silently used.
    """
    path = out_dir / HISTORY_FILE
    entries = []
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            logger.warning("%s line %d: not a complete JSON object; skipped", path, number)
            continue
        if entry.get("history_version", 0) > HISTORY_VERSION:
            logger.warning("%s line %d: written by a newer wsisanalysis; skipped", path, number)
            continue
        entries.append(entry)
    return entries


def previous_success(
    history: Sequence[Mapping[str, Any]], run: str, before: str
) -> Mapping[str, Any] | None:
    """The latest successful entry of `run` that started before `before` (ISO time), if any."""
    earlier = [
        entry
        for entry in history
        if entry.get("run") == run
        and entry.get("status") == "ok"
        and str(entry.get("started_utc", "")) < before
    ]
    return max(earlier, key=lambda e: str(e["started_utc"])) if earlier else None


def snapshot_of(out_dir: Path, entry: Mapping[str, Any]) -> Path | None:
    """The folder of the snapshot a history entry kept, if it is still there (retention)."""
    try:
        started = datetime.fromisoformat(str(entry.get("started_utc", "")))
    except ValueError:
        return None
    folder = out_dir / SNAPSHOTS / str(entry.get("run")) / snapshot_stamp(started.astimezone(UTC))
    return folder if folder.is_dir() else None


def record_published(
    name: str, rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]
) -> None:
    """Append one published table to this run's published-tables file (kernels of the runner).

    `rows` hold only published values (hidden cells as ``None``); outside the runner
    (``PUBLISHED_ENV`` unset, e.g. JupyterLab) nothing is written.
    """
    target = os.environ.get(PUBLISHED_ENV)
    if not target:
        return
    line = json.dumps({"name": name, **meta, "rows": list(rows)}, default=str)
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def read_published(path: Path) -> dict[str, dict[str, Any]]:
    """The published tables of a snapshot by name (the last one of each name wins)."""
    tables: dict[str, dict[str, Any]] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):
            entry = json.loads(line)
            tables[str(entry.get("name"))] = entry
    return tables


def input_changes(
    previous: Mapping[str, Any] | None, current: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """How the input files changed between two runs: added, removed, changed or unchanged.

    >>> old = {"inputs": [{"file": "p.parquet", "sha256": "a", "rows": 10}]}
    >>> new = {"inputs": [{"file": "p.parquet", "sha256": "b", "rows": 12}]}
    >>> input_changes(old, new)
    [{'file': 'p.parquet', 'change': 'changed', 'rows_before': 10, 'rows_now': 12}]
    """
    before = {i["file"]: i for i in (previous or {}).get("inputs", [])}
    now = {i["file"]: i for i in current.get("inputs", [])}
    rows = []
    for name in sorted(before.keys() | now.keys()):
        old, new = before.get(name), now.get(name)
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            change = "unchanged" if old.get("sha256") == new.get("sha256") else "changed"
        rows.append(
            {
                "file": name,
                "change": change,
                "rows_before": (old or {}).get("rows"),
                "rows_now": (new or {}).get("rows"),
            }
        )
    return rows
