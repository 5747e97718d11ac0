"""Read delimited text exports (CSV, TSV, TXT) in any common encoding and delimiter."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.errors import InputFileError
from wsisanalysis.read.detect import (
    HEADER_SCAN_ROWS,
    detect_delimiter,
    detect_encoding,
    header_index,
    headers,
)
from wsisanalysis.read.table import RawTable

_SAMPLE_BYTES = 256 * 1024


_PYARROW_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "cp1251", "latin_1", "mac_roman"}


def _blank_lines(path: Path) -> bool:
    """Whether the file has an empty line (pyarrow would skip it and shift the row numbers).

    Scanned in 4 MiB blocks (a memory map would add the whole file to the process's RSS).
    """
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            data = tail + block
            if b"\n\n" in data or b"\n\r\n" in data:
                return True
            tail = data[-2:]
    return False


def _read_with_pyarrow(path: Path, encoding: str, kwargs: dict, width: int) -> pd.DataFrame | None:
    """Read with pyarrow's multi-threaded CSV parser when it keeps every row and row number.

    Measured on 1M rows (117 MB): 0.13 s and 260 MB against 0.8-1.2 s and 405 MB peak for the
    C engine. Files with blank lines, UTF-16, ragged rows or bytes invalid in their encoding go
    to the C engine, which keeps blank lines (they are quarantined as empty rows) and
    repairs ragged rows.
    """
    if encoding not in _PYARROW_ENCODINGS or _blank_lines(path):
        return None
    options = {k: v for k, v in kwargs.items() if k not in ("skip_blank_lines", "encoding_errors")}
    try:
        frame = pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # noqa: BLE001 - any pyarrow refusal means: use the C engine
        return None
    return frame if frame.shape[1] == width else None


def read_csv_export(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> RawTable:
    """Read a delimited text export, detecting encoding, delimiter and header row."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip(b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe"):
        msg = (
            f"{path}: the file is empty. Expected a header row and data rows; re-export the data."
        )
        raise InputFileError(msg)
    encoding = encoding or detect_encoding(sample)
    try:
        head_text = sample.decode(encoding, errors="replace")
    except LookupError:
        msg = f"{path}: unknown encoding {encoding!r}. Use an encoding Python knows, e.g. utf-8 or cp1252."
        raise InputFileError(msg) from None
    head_lines = head_text.lstrip("\ufeff").splitlines()[: HEADER_SCAN_ROWS + 5]
    delimiter = delimiter or detect_delimiter(head_lines[:HEADER_SCAN_ROWS])
    head_rows = list(csv.reader(head_lines, delimiter=delimiter))
    header_at = header_index(head_rows)
    header = headers(head_rows[header_at]) if head_rows else []
    # physical line of the header (blank lines above count as lines)
    kwargs = {
        "sep": delimiter,
        "header": None,
        "names": header,
        "skiprows": header_at + 1,
        "dtype": str,
        "keep_default_na": False,
        "na_values": [""],
        "skip_blank_lines": False,
        "encoding": encoding,
        "encoding_errors": "replace",
        "quotechar": '"',
    }
    notes: list[str] = []
    frame = _read_with_pyarrow(path, encoding, kwargs, len(header))
    try:
        if frame is None:
            frame = pd.read_csv(path, engine="c", **kwargs)
    except pd.errors.ParserError:
        repaired = 0

        def keep(fields: list[str]) -> list[str]:
            nonlocal repaired
            repaired += 1
            return [*fields[: len(header) - 1], delimiter.join(fields[len(header) - 1 :])]

        frame = pd.read_csv(path, engine="python", on_bad_lines=keep, **kwargs)
        notes.append(
            f"{repaired} rows had more fields than the header; extra fields joined into the last column"
        )
    except (UnicodeError, ValueError) as exc:
        msg = f"{path}: could not be read as {encoding} text delimited by {delimiter!r} ({exc}). Re-export as UTF-8 CSV."
        raise InputFileError(msg) from None
    if any(h.startswith("column_") for h in header):
        notes.append("blank headers were named column_N")
    frame = frame.astype("str")
    rows = np.arange(header_at + 2, header_at + 2 + len(frame))
    return RawTable(frame, path.name, rows, "csv", encoding, delimiter, header_at + 1, notes)
