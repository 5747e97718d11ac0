"""Reviewed reference and published tables shipped with the package, and their loaders.

Countries (ISO codes, ICANN regions, UN M49 regions and regional groups, LDC/LLDC/SIDS
membership as dated intervals, income, population and internet use with their years), ICANN's
community structure, the WSIS+20 timeline, the IGF meetings' dates, the header vocabulary and
the published participation aggregates. Sources and licences are in
``data/README.md``.

May import: ``wsisanalysis.schema``, ``wsisanalysis.errors``, ``wsisanalysis._text``.
"""

from __future__ import annotations

from wsisanalysis.reference.development import development_flags, development_intervals
from wsisanalysis.reference.tables import (
    igf_meetings,
    public_table,
    reference_communities,
    reference_countries,
    wsis_timeline,
)

__all__ = [
    "development_flags",
    "development_intervals",
    "igf_meetings",
    "public_table",
    "reference_communities",
    "reference_countries",
    "wsis_timeline",
]
