"""Write output files safely: atomically, one run per folder, formula-like CSV cells neutralized.

Every file is written to a temporary name in its folder and renamed over the old one, so a run
killed at any moment leaves either the previous file or the new one, never half of one. A
lock file per output folder makes a second run into the same folder wait, then fail clearly.

May import: nothing from wsisanalysis but ``errors``.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from wsisanalysis.errors import WsisAnalysisError

LOCK_NAME = ".wsisanalysis.lock"
_RISKY = r"^[=+\-@\t\r\n]"
_NUMBER = r"[+-]?\d+(\.\d+)?"


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells and headers with ``'`` so spreadsheets show them as text.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab, CR or LF are neutralized (OWASP CSV
    injection guidance), except plain numbers such as ``-3``. Does not modify `frame`.

    >>> out = neutralize_formulas(pd.DataFrame({"@h": ["=HYPERLINK(1)", "-3", "ok"]}))
    >>> list(out.columns), out["'@h"].tolist()
    (["'@h"], ["'=HYPERLINK(1)", '-3', 'ok'])
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.astype("str")
            risky = text.str.match(_RISKY, na=False) & ~text.str.fullmatch(_NUMBER, na=False)
            if risky.any():
                out[name] = text.mask(risky, "'" + text)
    header = pd.Series([str(c) for c in out.columns], dtype="str")
    risky = header.str.match(_RISKY) & ~header.str.fullmatch(_NUMBER)
    return out.set_axis(header.mask(risky, "'" + header).tolist(), axis=1)


Writer = Callable[[Path], object]


def _staged(path: Path, write: Writer) -> Path:
    """Call ``write(tmp)`` on a temporary file beside `path`, flushed to disk; return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb+") as done:
            os.fsync(done.fileno())
        tmp.chmod(0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: str | Path, write: Writer) -> Path:
    """Call ``write(tmp)`` on a temporary file beside `path`, then rename it over `path`.

    The data is flushed to disk before the rename; on any failure the temporary file is
    removed and `path` is untouched.
    """
    path = Path(path)
    _staged(path, write).replace(path)
    return path


def write_together(files: Sequence[tuple[Path, Writer]]) -> list[Path]:
    """Write several files as one set: every file is written to a temporary name first, and
    only then are they renamed into place, one after another.

    A run killed while writing (which takes seconds for a large table) leaves every previous
    file as it was; only the renames (microseconds) separate the first new file from the last.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in files:
            staged.append((_staged(Path(path), write), Path(path)))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        tmp.replace(path)
    return [path for _, path in staged]


def remove_stale_temporaries(paths: list[Path]) -> None:
    """Remove temporary files a killed run left beside `paths` (call while holding the lock)."""
    for path in paths:
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)


def text_writer(text: str) -> Writer:
    """A writer of UTF-8 text."""
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, text_writer(text))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV atomically: UTF-8, every text field quoted, formula-like cells neutralized.

    Quoting every field keeps a CR or LF inside a cell inside it for every reader (a bare CR
    left unquoted starts a new row in a spreadsheet).
    """
    return write_atomic(path, csv_writer(frame))


def csv_writer(frame: pd.DataFrame) -> Writer:
    """A writer of `frame` as :func:`write_csv` writes it."""
    safe = neutralize_formulas(frame)
    return lambda tmp: safe.to_csv(
        tmp, index=False, encoding="utf-8", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n"
    )


#: Rows per Parquet row group: the writer holds one encoded group in memory at a time.
ROW_GROUP_ROWS = 131_072


def write_parquet(frame: pd.DataFrame, path: str | Path, rows: int = ROW_GROUP_ROWS) -> Path:
    """Write a Parquet file atomically, in row groups of `rows`.

    The writer encodes and flushes one row group at a time (pyarrow's default group is a
    million rows, all encoded in memory before the first byte is written).
    """
    return write_atomic(path, parquet_writer(frame, rows))


def parquet_writer(frame: pd.DataFrame, rows: int = ROW_GROUP_ROWS) -> Writer:
    """A writer of `frame` as Parquet in row groups of `rows`, without a dictionary for the
    columns of mostly distinct values (ids: the encoder would build one and drop it)."""
    dictionary = _repeating_columns(frame)
    return lambda tmp: frame.to_parquet(
        tmp, index=False, row_group_size=rows, use_dictionary=dictionary
    )


#: Rows looked at to tell a column of mostly distinct values.
_SAMPLE = 10_000


def _repeating_columns(frame: pd.DataFrame) -> list[str]:
    """The columns whose first rows are not mostly distinct values (all of a small table)."""
    head = frame.iloc[:_SAMPLE]
    return [
        str(name)
        for name in frame.columns
        if len(head) < _SAMPLE or 2 * head[name].nunique(dropna=False) <= len(head)
    ]


def _busy(folder: Path, lock: Path, wait: float) -> str:
    held = f"lock {lock} held for over {wait:g} s" if wait > 0 else f"lock {lock} is held"
    return (
        f"{folder}: another wsisanalysis run is writing to this folder ({held}). Wait for it "
        "to finish and re-run, or choose another output folder."
    )


@contextlib.contextmanager
def output_lock(folder: str | Path, *, wait: float = 30.0) -> Iterator[Path]:
    """Hold the lock of an output folder; wait up to `wait` seconds (0: fail at once), then
    fail clearly.

    The lock is an advisory ``flock`` on ``<folder>/.wsisanalysis.lock``: the system releases
    it when the process ends, even on ``kill -9``, so a crashed run never blocks the next.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, runs are not guarded
        yield path
        return
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WsisAnalysisError(_busy(folder, path, wait)) from None
                time.sleep(0.1)
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
