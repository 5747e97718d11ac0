"""Disclosure control for published tables and figure data (DESIGN §3.3).

- :mod:`.cells`: primary and complementary suppression; every number derived from a hidden
  cell hidden with it;
- :mod:`.audit`: the feasible range of every hidden cell, by linear programming (HiGHS), and
  the loop that hides more until none is narrower than the threshold;
- :mod:`.tables`, :mod:`.sets`: tables as cells over the records they count, alone or with
  every table of a report set;
- :mod:`.ledger`: what earlier runs published into the same output folder;
- :mod:`.memory`: what a scheduled run's previous snapshot truly counted (kept privately);
- :mod:`.guarded`: :func:`guard`, the one way to make a :class:`PublishedTable`.
"""

from __future__ import annotations

from wsisanalysis.metrics.disclosure.audit import CellSet, DisclosureError, feasible_range, protect
from wsisanalysis.metrics.disclosure.cells import (
    DEFAULT_THRESHOLD,
    HIDDEN_LABEL,
    UNSTABLE_DENOMINATOR,
    display_counts,
    legend,
    suppress,
)
from wsisanalysis.metrics.disclosure.guarded import (
    DATASET_ATTR,
    PublishedTable,
    Rules,
    guard,
    published_aggregate,
)
from wsisanalysis.metrics.disclosure.ledger import LEDGER_NAME

__all__ = [
    "DATASET_ATTR",
    "DEFAULT_THRESHOLD",
    "HIDDEN_LABEL",
    "LEDGER_NAME",
    "UNSTABLE_DENOMINATOR",
    "CellSet",
    "DisclosureError",
    "PublishedTable",
    "Rules",
    "display_counts",
    "feasible_range",
    "guard",
    "legend",
    "protect",
    "published_aggregate",
    "suppress",
]
