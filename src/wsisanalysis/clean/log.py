"""The cleaning log: what happened to every row and label, as a dataclass that writes JSON.

``CleaningLog.to_dict()`` is what ``<kind>_cleaning.json`` holds (keys: ``rows_in,
rows_clean, rows_quarantined, duplicates_merged, quarantine_reasons, fixes, unresolved``,
``event_merges``, ``attendance``, ``warnings``, and per file how it was read: its export
``shape``, where its event came from, how each column was mapped and why).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from wsisanalysis.clean.provenance import NAME_PLACEHOLDER, looks_like_name, scrub_emails
from wsisanalysis.clean.quarantine import reason_codes
from wsisanalysis.schema import PERSONAL_COLUMNS


@dataclass
class FileLog:
    """How one export was read and mapped."""

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    rows: int
    columns_mapped: dict[str, str]
    columns_ignored: list[str]
    columns_duplicated: dict[str, list[str]]
    notes: list[str]
    dates: dict[str, Any] = field(default_factory=dict)
    shape: str = "generic"
    event: dict[str, Any] = field(default_factory=dict)  # name and source of a file-wide event
    columns_by_keyword: dict[str, str] = field(default_factory=dict)
    column_reasons: dict[str, str] = field(default_factory=dict)  # header -> why (not) mapped
    details: dict[str, Any] = field(default_factory=dict)  # what the export shape found
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    anonymous_participants: int = 0  # kept without any identity, each their own participant


@dataclass
class LabelStats:
    """Per column, how many rows each resolution method handled, and the unresolved labels."""

    fixes: dict[str, dict[str, int]] = field(default_factory=dict)
    unresolved_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    candidates: dict[tuple[str, str], str] = field(default_factory=dict)

    def count(self, column: str, method: str, rows: int) -> None:
        """Add `rows` to the count of rows `column` resolved by `method`."""
        bucket = self.fixes.setdefault(column, {})
        bucket[method] = bucket.get(method, 0) + rows

    def unresolved(self, column: str, label: str, rows: int, candidates: str = "") -> None:
        """Record a label that matched nothing.

        E-mails in it are removed first; a label that looks like a person's name is counted
        under a marker and never kept verbatim (nor its candidates).
        """
        if looks_like_name(label):
            label, candidates = NAME_PLACEHOLDER, ""
        key = (column, scrub_emails(label))
        self.unresolved_rows[key] = self.unresolved_rows.get(key, 0) + rows
        if candidates:
            self.candidates[key] = candidates

    def unresolved_list(self) -> list[dict[str, Any]]:
        """Unresolved labels, by column, most frequent first."""
        items = sorted(self.unresolved_rows.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
        return [
            {
                "column": column,
                "label": label,
                "rows": rows,
                "candidates": self.candidates.get((column, label), ""),
            }
            for (column, label), rows in items
        ]


@dataclass
class CleaningLog:
    """Where every row went, how each file was read, and what still needs a mapping."""

    kind: str
    files: list[FileLog] = field(default_factory=list)
    rows_in: int = 0
    rows_clean: int = 0
    rows_quarantined: int = 0
    duplicates_merged: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    fixes: dict[str, dict[str, int]] = field(default_factory=dict)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    key_source: str = ""
    dedupe_rule: str = ""
    event_merges: list[dict[str, Any]] = field(default_factory=list)
    attendance: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Raise if the row invariant does not hold (it always should)."""
        accounted = self.rows_clean + self.rows_quarantined + self.duplicates_merged
        if self.rows_in != accounted:
            msg = (
                f"row invariant broken: {self.rows_in} in, {self.rows_clean} clean, "
                f"{self.rows_quarantined} quarantined, {self.duplicates_merged} merged"
            )
            raise AssertionError(msg)

    def to_dict(self) -> dict[str, Any]:
        """The log as ``<kind>_cleaning.json`` writes it."""
        return {
            "kind": self.kind,
            "files": [asdict(f) for f in self.files],
            "rows_in": self.rows_in,
            "rows_clean": self.rows_clean,
            "rows_quarantined": self.rows_quarantined,
            "duplicates_merged": self.duplicates_merged,
            "quarantine_reasons": self.quarantine_reasons,
            "reason_codes": reason_codes(),
            "fixes": self.fixes,
            "unresolved": self.unresolved,
            "pseudonymization": {
                "key_source": self.key_source,
                "personal_columns_dropped": list(PERSONAL_COLUMNS),
            },
            "dedupe_rule": self.dedupe_rule,
            "event_merges": self.event_merges,
            "attendance": self.attendance,
            "warnings": self.warnings,
        }
