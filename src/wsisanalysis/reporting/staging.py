"""One ``report`` at a time per output folder, and executed notebooks that are never shared.

papermill rewrites its output notebook while the kernel runs (at the start, after cells, at
the end). Each run therefore writes to a temporary name of its own and renames it into place
when papermill is done, whether the notebook succeeded or failed (a failed run keeps its
executed notebook for debugging). A second ``report`` into a folder that is in use fails at
once with a clear message: a report takes minutes, so waiting a few seconds would rarely help,
and a scheduled run must not silently pile up behind another.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from wsisanalysis.write import output_lock

#: How long a second ``report`` into the same folder waits for the lock: not at all.
REPORT_LOCK_WAIT = 0.0


def _staged_name(path: Path, token: str = "*") -> Path:
    """``executed/.NAME.<token>.tmp.ipynb``: hidden, per run, and still ending in ``.ipynb``
    (papermill warns about any other suffix)."""
    return path.with_name(f".{path.stem}.{token}.tmp{path.suffix}")


@contextlib.contextmanager
def report_lock(out_dir: Path) -> Iterator[Path]:
    """Hold the lock of the report folder `out_dir`, or fail at once naming the folder.

    Executed notebooks a killed run left under temporary names are removed first.
    """
    with output_lock(out_dir, wait=REPORT_LOCK_WAIT) as lock:
        for stale in (out_dir / "executed").glob(_staged_name(Path("*.ipynb")).name):
            stale.unlink(missing_ok=True)
        yield lock


@contextlib.contextmanager
def staged_notebook(path: Path) -> Iterator[Path]:
    """Yield a temporary path for papermill's output; rename it to `path` afterwards.

    The rename happens on success and on failure (when papermill wrote anything), so `path`
    only ever holds a notebook papermill has finished writing.

    >>> with staged_notebook(Path("executed/run.ipynb")) as tmp:
    ...     tmp.name.startswith(".run.") and tmp.name.endswith(".tmp.ipynb")
    True
    """
    tmp = _staged_name(path, uuid.uuid4().hex[:12])
    try:
        yield tmp
    finally:
        if tmp.is_file():
            tmp.replace(path)
