"""The outcome of cleaning and how it is written: clean table, quarantine and log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wsisanalysis.clean.log import CleaningLog
from wsisanalysis.schema import output_paths
from wsisanalysis.write import write_csv

#: Rows per Parquet row group: the writer holds one encoded group in memory at a time.
ROW_GROUP_ROWS = 131_072


def write_parquet(frame: pd.DataFrame, path: Path, rows: int = ROW_GROUP_ROWS) -> Path:
    """Write `frame` as Parquet in row groups of `rows`.

    The writer encodes and flushes one row group at a time (pyarrow's default group is a
    million rows, all encoded in memory before the first byte is written); text columns
    are arrow already, so the conversion itself copies little.
    """
    frame.to_parquet(path, index=False, row_group_size=rows)
    return path


@dataclass
class CleaningResult:
    """The outcome of cleaning: ``clean`` table, ``quarantine`` rows and the ``log``."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    log: CleaningLog

    @property
    def kind(self) -> str:
        """``participation`` or ``engagement``."""
        return self.log.kind

    def check(self) -> None:
        """Raise if the row invariant does not hold (it always should)."""
        self.log.check()

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<kind>.parquet``, ``<kind>_quarantine.csv`` and ``<kind>_cleaning.json``."""
        paths = output_paths(out_dir, self.kind)
        paths["clean"].parent.mkdir(parents=True, exist_ok=True)
        write_parquet(self.clean, paths["clean"])
        write_csv(self.quarantine, paths["quarantine"])
        text = json.dumps(self.log.to_dict(), indent=2, ensure_ascii=False, default=str)
        paths["log"].write_text(text + "\n", encoding="utf-8")
        return paths
