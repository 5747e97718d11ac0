"""RawTable: one export as read, with its provenance and how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class RawTable:
    """One export as read: text cells, the row each came from, and how it was read."""

    frame: pd.DataFrame
    source: str
    source_rows: np.ndarray
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)
    #: Physical records not read into `frame`: ``source_row``, ``reason`` (a quarantine reason
    #: code) and what could be read of their cells. They count in ``rows_in``.
    rejected: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def rows_in(self) -> int:
        """Physical data records in the file: read into `frame` or rejected."""
        return len(self.frame) + (0 if self.rejected is None else len(self.rejected))
