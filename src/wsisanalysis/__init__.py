"""wsisanalysis: evidence of who took part in the WSIS+20 review for the ICANN community.

Read messy exports, clean them (countries, regions, stakeholder groups, communities, dates,
duplicates, pseudonymized participants) with nothing lost, compute coverage against fair
baselines and publish offline HTML reports.
"""

from __future__ import annotations

from wsisanalysis._version import __version__
from wsisanalysis.clean import CleaningResult, clean_engagement, clean_participation
from wsisanalysis.metrics import coverage, reference_baseline, suppress
from wsisanalysis.normalize.countries import normalize_countries
from wsisanalysis.read import read_export
from wsisanalysis.reference import public_table, reference_countries, wsis_timeline

__all__ = [
    "CleaningResult",
    "__version__",
    "clean_engagement",
    "clean_participation",
    "coverage",
    "normalize_countries",
    "public_table",
    "read_export",
    "reference_baseline",
    "reference_countries",
    "suppress",
    "wsis_timeline",
]
