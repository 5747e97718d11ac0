"""Read Excel workbooks: the header is found below any title rows; dates become ISO text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.errors import InputFileError
from wsisanalysis.read.detect import header_index, headers
from wsisanalysis.read.table import RawTable


def cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def read_xlsx_export(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read an XLSX export: first sheet, header found below any title rows, dates as ISO text."""
    try:
        grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        msg = f"{path}: not a readable XLSX workbook ({exc}). Open and re-save it in Excel, or export CSV."
        raise InputFileError(msg) from None
    grid = grid.map(cell_text)
    rows = grid.to_numpy(dtype=object).tolist()
    if not rows:
        msg = f"{path}: the sheet is empty. Expected a header row and data rows."
        raise InputFileError(msg)
    header_at = header_index(rows)
    header = headers(rows[header_at])
    body = grid.iloc[header_at + 1 :].set_axis(header, axis=1).reset_index(drop=True).astype("str")
    source_rows = np.arange(header_at + 2, header_at + 2 + len(body))
    return RawTable(body, path.name, source_rows, "xlsx", None, None, header_at + 1)
