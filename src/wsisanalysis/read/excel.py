"""Read Excel workbooks with calamine: every data sheet, hidden rows and formulas accounted for.

python-calamine (Rust) reads cells about ten times faster than openpyxl (see
``benchmarks/excel_readers.py``) and also reads legacy ``.xls``. What calamine does not expose
(rows hidden by the author, formulas saved without a result) is found by scanning the sheet's
XML, and only when the XML mentions ``hidden`` or a formula at all. Both quarantine their row
with a reason. A formula without a result is deliberately not an error for the whole file: a
registrant who types ``=HYPERLINK(...)`` into a form makes the export tool save a formula, so an
error would let one cell block a whole export, and its remedy ("open and save it in Excel")
would run that formula; a file of many such rows still fails ``--max-quarantined``. Every
sheet is read when it looks like data (a header row naming known columns) or skipped with a
note saying why; merged cells that label several rows are filled down over them.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from wsisanalysis._text import compact
from wsisanalysis.errors import InputFileError
from wsisanalysis.read.detect import header_index, headers
from wsisanalysis.read.table import RawTable
from wsisanalysis.reference.vocab import header_aliases

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_ROW = re.compile(r"(\d+)$")
HIDDEN_ROW = "hidden_row"
FORMULA_WITHOUT_VALUE = "formula_without_value"


def cell_text(value: object) -> object:
    """One cell as text: dates ISO, whole floats without ``.0``, blanks missing.

    >>> cell_text(3.0), cell_text(2.5), cell_text(""), cell_text(True)
    ('3', '2.5', None, 'true')
    """
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        iso = value.isoformat
        text = iso(sep=" ") if hasattr(value, "hour") else iso()
        return str(text).removesuffix(" 00:00:00").removesuffix("T00:00:00")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _grid(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Cells as text; most cells are already non-empty strings, kept without a call."""
    return [[v if type(v) is str and v else cell_text(v) for v in row] for row in rows]


@dataclass
class _Marks:
    """Rows of one sheet (1-based) that the XML marks: hidden, or holding formulas without value."""

    hidden: set[int] = field(default_factory=set)
    formulas: dict[int, list[str]] = field(default_factory=dict)
    format: str = "xlsx"


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML inside the workbook."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{_NS}sheet"):
        path = target.get(sheet.get(_REL), "")
        path = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
        out[sheet.get("name", "")] = posixpath.normpath(path)
    return out


def _marks(archive: zipfile.ZipFile, xml_path: str) -> _Marks:
    """Hidden rows and formulas without a saved value, from the sheet's XML."""
    marks = _Marks()
    data = archive.read(xml_path)
    if b'hidden="1"' not in data and b'hidden="true"' not in data and b"<f" not in data:
        return marks
    for _, element in ElementTree.iterparse(io.BytesIO(data)):
        if element.tag == f"{_NS}row":
            if element.get("hidden") in ("1", "true"):
                marks.hidden.add(int(element.get("r", "0")))
            element.clear()
        elif element.tag == f"{_NS}c" and element.find(f"{_NS}f") is not None:
            value = element.find(f"{_NS}v")
            if value is None or not (value.text or "").strip():
                ref = element.get("r", "")
                found = _CELL_ROW.search(ref)
                marks.formulas.setdefault(int(found.group(1)) if found else 0, []).append(ref)
    return marks


def _fill_merged(grid: list[list[object]], merged: list | None, header_at: int) -> None:
    """Fill a merged cell's value over the rows it spans below the header (an event label)."""
    for (top, left), (bottom, right) in merged or []:
        if bottom <= header_at or bottom == top or top >= len(grid):
            continue
        value = grid[top][left] if left < len(grid[top]) else None
        for r in range(max(top, header_at + 1), min(bottom, len(grid) - 1) + 1):
            for c in range(left, right + 1):
                if c < len(grid[r]) and grid[r][c] is None:
                    grid[r][c] = value


def _is_data(rows: list[list[object]]) -> tuple[bool, int]:
    """Whether a sheet looks like data (a row naming two known columns), and its header row."""
    if not rows:
        return False, 0
    at = header_index(rows)  # type: ignore[arg-type]
    aliases = header_aliases()
    hits = sum(isinstance(c, str) and compact(c) in aliases for c in rows[at])
    return hits >= 2, at


def _sheet_table(
    name: str, source: str, grid: list[list[object]], header_at: int, marks: _Marks
) -> RawTable:
    """One sheet as a RawTable: hidden rows and formula rows rejected with their reason."""
    header = headers(grid[header_at])
    width = len(header)
    body = [(row + [None] * width)[:width] for row in grid[header_at + 1 :]]
    sheet_rows = np.arange(header_at + 2, header_at + 2 + len(body))
    reason = [
        HIDDEN_ROW if r in marks.hidden else FORMULA_WITHOUT_VALUE if r in marks.formulas else None
        for r in sheet_rows
    ]
    frame = pd.DataFrame(body, columns=range(width), dtype="str").set_axis(header, axis=1)
    rejected_mask = np.array([r is not None for r in reason], dtype=bool)
    notes = [_XLS_NOTE] if marks.format == "xls" else []
    cells = [ref for r in sorted(marks.formulas) for ref in marks.formulas[r]]
    if cells:
        notes.append(
            f"formulas without a saved value in {', '.join(cells)}: open the workbook in Excel, let it calculate, save, and re-run"
        )
    if marks.hidden:
        notes.append(
            f"{len(marks.hidden & set(sheet_rows.tolist()))} hidden rows quarantined (hidden_row)"
        )
    table = RawTable(
        frame.loc[~rejected_mask].reset_index(drop=True),
        source,
        sheet_rows[~rejected_mask],
        marks.format,
        header_row=header_at + 1,
        notes=notes,
    )
    if rejected_mask.any():
        table.rejected = (
            frame.loc[rejected_mask]
            .assign(
                source_row=sheet_rows[rejected_mask], reason=[r for r in reason if r is not None]
            )[["source_row", "reason", *header]]
            .reset_index(drop=True)
        )
    return table


def read_xlsx_tables(path: Path) -> list[RawTable]:
    """Every data sheet of a workbook as a RawTable (source ``file.xlsx [Sheet]`` when several).

    Sheets that do not look like data, and hidden sheets, are skipped; the first table's notes
    say which and why. Raises :class:`InputFileError` when no sheet holds data.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        grids, skipped, first = {}, [], None
        for meta in book.sheets_metadata:
            if str(meta.visible).rsplit(".", 1)[-1].lower() != "visible":
                skipped.append(f"sheet {meta.name!r} skipped: hidden")
                continue
            sheet = book.get_sheet_by_name(meta.name)
            grid = _grid(sheet.to_python(skip_empty_area=False))
            data, at = _is_data(grid)
            if first is None and grid:
                first = (meta.name, sheet.merged_cell_ranges, grid, at)
            if not data:
                skipped.append(f"sheet {meta.name!r} skipped: no header row naming known columns")
                continue
            _fill_merged(grid, sheet.merged_cell_ranges, at)
            grids[meta.name] = (grid, at)
    except (CalamineError, OSError, ValueError) as exc:
        msg = f"{path}: not a readable Excel workbook ({exc}). Open and re-save it in Excel, or export CSV."
        raise InputFileError(msg) from None
    if not grids and first is not None:  # no known headers anywhere: the first sheet, as before
        name, merged, grid, at = first
        _fill_merged(grid, merged, at)
        grids[name] = (grid, at)
        skipped = [s for s in skipped if f"{name!r}" not in s]
    if not grids:
        reasons = "; ".join(skipped) or "the workbook has no sheets"
        msg = f"{path}: no sheet holds data ({reasons}). Expected a header row and data rows."
        raise InputFileError(msg)
    marks = _workbook_marks(path, list(grids))
    several = len(grids) > 1
    tables = [
        _sheet_table(
            name,
            f"{path.name} [{name}]" if several else path.name,
            grid,
            at,
            marks.get(name, _Marks()),
        )
        for name, (grid, at) in grids.items()
    ]
    tables[0].notes[:0] = skipped
    return tables


_XLS_NOTE = (
    "legacy .xls: hidden rows and formulas saved without a value cannot be detected in this "
    "format (save the workbook as .xlsx to have them checked)"
)


def _workbook_marks(path: Path, names: list[str]) -> dict[str, _Marks]:
    """Hidden rows and formulas without value per sheet (XLSX only: calamine exposes neither
    for a legacy .xls, whose sheets get a note saying so)."""
    if not zipfile.is_zipfile(path):
        return {name: _Marks(format="xls") for name in names}
    with zipfile.ZipFile(path) as archive:
        paths = _sheet_xml_paths(archive)
        return {n: _marks(archive, paths[n]) for n in names if paths.get(n) in archive.namelist()}


def read_xlsx_export(path: Path, *, sheet: str | int | None = None) -> RawTable:
    """Read one sheet of a workbook (the first data sheet unless `sheet` names another)."""
    tables = read_xlsx_tables(path)
    if sheet is None or sheet == 0:
        return tables[0]
    for table in tables:
        if table.source.endswith(f"[{sheet}]"):
            return table
    msg = f"{path}: no data sheet named {sheet!r}."
    raise InputFileError(msg)
