"""Benchmarks for issue #12: Excel readers (calamine vs openpyxl) and header de-duplication.

    python -m benchmarks.hostile            # 100,000-row sheet, 10,000 identical headers
    python -m benchmarks.hostile --rows 20000

Prints seconds per reader and the header timings; nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.generate import messy_participation


def _best(func, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def excel_readers(rows: int) -> dict[str, float]:
    """Seconds to read a `rows`-row sheet with calamine and with openpyxl (as pandas did)."""
    from python_calamine import CalamineWorkbook

    from wsisanalysis.read.excel import read_xlsx_tables

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        messy_participation(rows).to_excel(path, index=False)
        return {
            "calamine_cells": _best(
                lambda: CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            ),
            "openpyxl_cells": _best(
                lambda: pd.read_excel(path, header=None, dtype=object, engine="openpyxl"), 1
            ),
            "wsisanalysis_reader": _best(lambda: read_xlsx_tables(path)),
        }


def header_renaming(counts: tuple[int, ...] = (1_000, 3_000, 10_000)) -> dict[int, float]:
    """Seconds to de-duplicate `n` identical headers (linear: 10x the headers, ~10x the time)."""
    from wsisanalysis.read.detect import headers

    return {n: _best(lambda n=n: headers(["Name"] * n), 3) for n in counts}


def main() -> None:
    """Run both benchmarks and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the Excel sheet")
    args = parser.parse_args()
    for n, seconds in header_renaming().items():
        print(f"headers: {n:>6,} identical names de-duplicated in {seconds * 1000:8.1f} ms")
    for name, seconds in excel_readers(args.rows).items():
        print(f"excel {args.rows:,} rows: {name:<20} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
