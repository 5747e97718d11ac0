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

    def __len__(self) -> int:
        return len(self.frame)
