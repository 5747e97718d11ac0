"""wsisanalysis: evidence of who took part in the WSIS+20 review for the ICANN community.

Read messy exports, clean them (countries, regions, stakeholder groups, communities, dates,
duplicates, pseudonymized participants) with nothing lost, compute coverage against fair
baselines and publish offline HTML reports.

The package is arranged by stage; imports only go down this list (``tests/test_project.py``
checks it):

- ``schema``, ``errors``, ``write``, ``_text``: canonical names, errors, safe file writing;
- ``reference/``: the reviewed reference and published tables, and their loaders;
- ``read/``: detecting and reading files (CSV, Excel, Parquet and known export shapes);
- ``normalize/``: headers, mapping file, countries, vocabularies, dates, pseudonyms;
- ``clean/``: the cleaning pipeline (per-kind specification, quarantine, cleaning log);
- ``metrics/``: coverage, baselines, statistics, concentration, disclosure control;
- ``reporting/``: figures, HTML tables, narrative, runs, notebook execution and export;
- ``cli``, ``demo``: the command line and the synthetic demo data.

The public names below are imported on first use, so ``import wsisanalysis`` (and the
command line's start-up) does not load pandas, pyarrow or scipy until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wsisanalysis._version import __version__

if TYPE_CHECKING:
    from wsisanalysis.clean import CleaningResult, clean_engagement, clean_participation
    from wsisanalysis.metrics import coverage, reference_baseline, suppress  # type: ignore[no-redef]
    from wsisanalysis.normalize import normalize_countries
    from wsisanalysis.read import read_export
    from wsisanalysis.reference import public_table, reference_countries, wsis_timeline

_PUBLIC = {
    "CleaningResult": "wsisanalysis.clean",
    "clean_engagement": "wsisanalysis.clean",
    "clean_participation": "wsisanalysis.clean",
    "coverage": "wsisanalysis.metrics",
    "normalize_countries": "wsisanalysis.normalize",
    "public_table": "wsisanalysis.reference",
    "read_export": "wsisanalysis.read",
    "reference_baseline": "wsisanalysis.metrics",
    "reference_countries": "wsisanalysis.reference",
    "suppress": "wsisanalysis.metrics",
    "wsis_timeline": "wsisanalysis.reference",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    msg = f"module 'wsisanalysis' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
