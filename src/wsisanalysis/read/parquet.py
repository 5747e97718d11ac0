"""Read Parquet files; every column becomes text so cleaning treats all formats alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis.errors import InputFileError
from wsisanalysis.read.excel import cell_text
from wsisanalysis.read.table import RawTable


def read_parquet_export(path: Path) -> RawTable:
    """Read a Parquet file; every column becomes text (dates as ISO) for uniform cleaning.

    A pandas index saved in the file (``df.set_index("Email").to_parquet(...)``) is read back
    as columns, never dropped.
    """
    try:
        frame = pd.read_parquet(path)
        if not isinstance(frame.index, pd.RangeIndex) or any(frame.index.names):
            # a frame saved with a meaningful index (e.g. the e-mail): keep it as columns
            frame = frame.reset_index()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several unrelated types for a bad file
        msg = f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})."
        raise InputFileError(msg) from None
    out = {}
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
        elif pd.api.types.is_float_dtype(col):
            text = col.map(cell_text, na_action="ignore")
        else:
            text = (
                col.astype(object)
                .where(col.notna(), None)
                .map(lambda v: v if isinstance(v, str) else cell_text(v), na_action="ignore")
            )
        out[str(name)] = pd.Series(text, dtype="str")
    body = pd.DataFrame(out, index=frame.index).reset_index(drop=True)
    return RawTable(body, path.name, np.arange(2, len(body) + 2), "parquet")
