"""The cleaning pipeline: read exports -> canonical tables, quarantine and cleaning log.

Every input row ends in exactly one place: the clean table, the quarantine (with a reason),
or the count of merged duplicates (``rows_in == rows_clean + rows_quarantined +
duplicates_merged``). What differs between participation and engagement records is a
per-kind specification (:mod:`wsisanalysis.clean.kinds`), not branches in the pipeline.

May import: ``wsisanalysis.schema``, ``errors``, ``_text``, ``write``, ``reference``, ``read``,
``normalize``.
"""

from __future__ import annotations

from wsisanalysis.clean.inspection import Inspection, inspect_files
from wsisanalysis.clean.pipeline import (
    CleaningResult,
    clean_engagement,
    clean_files,
    clean_participation,
    clean_tables,
)

__all__ = [
    "CleaningResult",
    "Inspection",
    "clean_engagement",
    "clean_files",
    "clean_participation",
    "clean_tables",
    "inspect_files",
]
