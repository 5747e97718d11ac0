"""Loud when something is badly off: the warnings a cleaning run ends with, and strict mode.

A participation export with no country column cannot show regional coverage; one where more
than a set share of rows is quarantined was probably misread. Either ends the run with a
warning naming the file and the cause; ``--strict`` turns warnings and unresolved labels into
one error that lists them all.
"""

from __future__ import annotations

from wsisanalysis import schema as C
from wsisanalysis.clean.log import CleaningLog
from wsisanalysis.errors import DataQualityError

#: Share of an export's rows (in %) that may be quarantined before the run warns.
DEFAULT_MAX_QUARANTINED = 5.0


def quality_warnings(
    log: CleaningLog, *, max_quarantined: float = DEFAULT_MAX_QUARANTINED
) -> list[str]:
    """One line per export that is badly off, naming the file and the cause."""
    found = []
    for file in log.files:
        if log.kind == "participation" and C.COUNTRY not in file.columns_mapped.values():
            found.append(
                f"{file.file}: no country column: its {file.rows} rows count as country "
                "unknown in every regional table. Map the country column with --mapping if it "
                "has one."
            )
        share = 100 * file.quarantined / file.rows if file.rows else 0.0
        if share > max_quarantined:
            found.append(
                f"{file.file}: {file.quarantined} of {file.rows} rows ({share:.1f}%) were "
                f"quarantined, more than {max_quarantined:g}% (reasons: "
                f"{', '.join(f'{r} {n}' for r, n in file.quarantine_reasons.items())}). "
                "Check the quarantine file."
            )
    return found


def raise_if_strict(log: CleaningLog) -> None:
    """Raise one error listing every unresolved label and every warning, if there are any."""
    if not log.unresolved and not log.warnings:
        return
    parts = []
    if log.unresolved:
        lines = "\n".join(
            f"  - {u['column']}: {u['label']!r} ({u['rows']} rows)"
            + (f"; candidates: {u['candidates']}" if u["candidates"] else "")
            for u in log.unresolved
        )
        parts.append(
            f"--strict: {len(log.unresolved)} labels could not be resolved:\n{lines}\n"
            "Add them to a mapping file (--mapping) under countries, stakeholder_groups, "
            "communities, activity_types or topics, or run without --strict to record them as "
            "unknown."
        )
    if log.warnings:
        lines = "\n".join(f"  - {w}" for w in log.warnings)
        parts.append(f"--strict: the data is badly off:\n{lines}")
    raise DataQualityError("\n".join(parts), log.unresolved, log.warnings)
