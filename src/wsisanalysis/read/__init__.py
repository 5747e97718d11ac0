"""Read exports as they arrive: CSV in any common encoding and delimiter, Excel, Parquet.

Readers return every cell as text (``str`` or missing), untouched apart from decoding, with
the header row found below any title rows, and the physical row each record came from.
Exports of the tools events are run with (Zoom, Teams, Google and Microsoft Forms, ticketing
lists) are recognised and read by their shape (:mod:`wsisanalysis.read.shapes`).
Cleaning (``wsisanalysis.clean``) decides what the text means.

May import: ``wsisanalysis.errors``, ``wsisanalysis._text``, ``wsisanalysis.reference``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from wsisanalysis.errors import InputFileError
from wsisanalysis.read.csv import read_csv_export
from wsisanalysis.read.detect import detect_delimiter, detect_encoding
from wsisanalysis.read.excel import read_xlsx_export, read_xlsx_tables
from wsisanalysis.read.parquet import read_parquet_export
from wsisanalysis.read.shapes import SHAPES, adapt_table, read_sectioned
from wsisanalysis.read.table import RawTable

logger = logging.getLogger(__name__)

_CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}


#: Workbooks calamine reads (``.xls``: legacy BIFF, read through the same path as XLSX).
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


_PARQUET_SUFFIXES = {".parquet", ".pq"}


def read_export(path: str | Path, **options: object) -> RawTable:
    """Read one export file of any supported format (CSV/TXT/TSV, XLSX/XLS, Parquet).

    Raises :class:`~wsisanalysis.errors.InputFileError` with the file name and the reason when
    the file is missing, empty or unreadable.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: file not found. Expected an export file (CSV, XLSX or Parquet); check the path."
        raise InputFileError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder. Pass the export files themselves (e.g. {path}/*.csv)."
        raise InputFileError(msg)
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if suffix in _XLSX_SUFFIXES or (magic.startswith(b"PK") and suffix not in _CSV_SUFFIXES):
        table = read_xlsx_export(path)
    elif suffix in _PARQUET_SUFFIXES or magic == b"PAR1":
        table = read_parquet_export(path)
    else:
        encoding = options.get("encoding")
        sectioned = read_sectioned(path, encoding=encoding if isinstance(encoding, str) else None)
        table = sectioned or read_csv_export(path, **options)  # type: ignore[arg-type]
    table = adapt_table(table)
    logger.info("read %s: %d rows (%s, %s)", path.name, len(table), table.format, table.shape)
    return table


def read_tables(path: str | Path, **options: object) -> list[RawTable]:
    """Every table in one export file: each data sheet of a workbook, else the one table."""
    path = Path(path)
    if path.suffix.lower() in _XLSX_SUFFIXES and path.is_file():
        tables = [adapt_table(table) for table in read_xlsx_tables(path)]
        for table in tables:
            logger.info("read %s: %d rows (%s)", table.source, len(table), table.format)
        return tables
    return [read_export(path, **options)]


__all__ = [
    "SHAPES",
    "RawTable",
    "detect_delimiter",
    "detect_encoding",
    "read_csv_export",
    "read_export",
    "read_parquet_export",
    "read_tables",
    "read_xlsx_export",
    "read_xlsx_tables",
]
