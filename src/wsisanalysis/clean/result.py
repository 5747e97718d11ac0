"""The outcome of cleaning and how it is written: clean table, quarantine and log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wsisanalysis.clean.log import CleaningLog
from wsisanalysis.schema import output_paths
from wsisanalysis.write import (
    csv_writer,
    output_lock,
    parquet_writer,
    remove_stale_temporaries,
    text_writer,
    write_together,
)


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
        """Write ``<kind>.parquet``, ``<kind>_quarantine.csv`` and ``<kind>_cleaning.json``.

        Each file is written to a temporary name and renamed, under the folder's lock: a run
        killed midway leaves the previous files readable, and two runs never mix their files.
        """
        paths = output_paths(out_dir, self.kind)
        text = json.dumps(self.log.to_dict(), indent=2, ensure_ascii=False, default=str)
        with output_lock(paths["clean"].parent):
            remove_stale_temporaries(list(paths.values()))
            write_together(
                [
                    (paths["clean"], parquet_writer(self.clean)),
                    (paths["quarantine"], csv_writer(self.quarantine)),
                    (paths["log"], text_writer(text + "\n")),
                ]
            )
        return paths
