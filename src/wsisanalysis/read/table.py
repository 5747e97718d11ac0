"""RawTable: one export as read, with its provenance and how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

GENERIC = "generic"


@dataclass
class RawTable:
    """One export as read: text cells, the row each came from, and how it was read.

    An export shape (:mod:`wsisanalysis.read.shapes`) adds what it knows of its format: which
    headers name which canonical columns (`columns`) and which it leaves out (`ignored`, with
    the reason), the event and date the export itself names, whether the latest of two
    records of one person wins (form responses), and whether a response without any identity
    is an anonymous respondent rather than a broken row.
    """

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
    shape: str = GENERIC
    columns: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    event: str | None = None
    event_date: str | None = None
    latest_wins: bool = False
    anonymous: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def rows_in(self) -> int:
        """Physical data records in the file: read into `frame` or rejected."""
        return len(self.frame) + (0 if self.rejected is None else len(self.rejected))
