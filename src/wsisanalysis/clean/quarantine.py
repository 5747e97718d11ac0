"""Quarantine: why a row could not be cleaned, as an enum, and the ordered rules that decide it.

A row is quarantined for the first rule it fails, in the order its kind lists them
(:mod:`wsisanalysis.clean.kinds`); its original values go to ``<kind>_quarantine.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd


class Reason(StrEnum):
    """Why a row was quarantined (the code written to the quarantine file and the log)."""

    EMPTY_ROW = "empty_row"
    MISSING_EVENT = "missing_event"
    MISSING_IDENTITY = "missing_identity"
    MISSING_DATE = "missing_date"
    INVALID_DATE = "invalid_date"
    INVALID_COUNT = "invalid_count"
    INVALID_REACH = "invalid_reach"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    MALFORMED_RECORD = "malformed_record"
    FIELD_COUNT_MISMATCH = "field_count_mismatch"
    CELL_TOO_LONG = "cell_too_long"
    HIDDEN_ROW = "hidden_row"
    FORMULA_WITHOUT_VALUE = "formula_without_value"

    @property
    def description(self) -> str:
        """What the code means, in the words the cleaning log shows."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Reason.EMPTY_ROW: "every cell is blank",
    Reason.MISSING_EVENT: "participation row without an event",
    Reason.MISSING_IDENTITY: "individual record with no e-mail, name or participant id",
    Reason.MISSING_DATE: "engagement row without a date",
    Reason.INVALID_DATE: "a date is present but cannot be read in any supported format",
    Reason.INVALID_COUNT: "count is not a whole number >= 0",
    Reason.INVALID_REACH: "reach is not a whole number >= 0",
    Reason.DATE_OUT_OF_RANGE: "a date with a year before 1900 or after 2100 (a typo such as 3025)",
    Reason.MALFORMED_RECORD: (
        "a quote that never closes: the line is kept whole in unparsed_record, and the lines "
        "after it are read as their own records"
    ),
    Reason.FIELD_COUNT_MISMATCH: (
        "more fields than the header (an unquoted delimiter shifted the cells); the extra "
        "fields are in extra_fields"
    ),
    Reason.CELL_TOO_LONG: "a cell longer than 131,072 characters (shown cut)",
    Reason.HIDDEN_ROW: "a workbook row hidden by its author (often a cancelled registration)",
    Reason.FORMULA_WITHOUT_VALUE: (
        "a workbook formula with no saved result: open and save the workbook in Excel"
    ),
}


def reason_codes() -> dict[str, str]:
    """Every reason code with its description, as the cleaning log lists them.

    >>> reason_codes()["empty_row"]
    'every cell is blank'
    """
    return {reason.value: reason.description for reason in Reason}


#: A rule's test: given the export's cells and the values parsed before quarantine, the rows
#: that fail (a boolean Series on the export's index).
RuleTest = Callable[[Any, Mapping[str, pd.Series]], pd.Series]


@dataclass(frozen=True)
class QuarantineRule:
    """One reason and the test that sends a row to quarantine for it."""

    reason: Reason
    fails: RuleTest


def assign_reasons(
    rules: Sequence[QuarantineRule], cells: object, parsed: Mapping[str, pd.Series]
) -> pd.Series:
    """The first failed rule's code per row, missing where the row passes every rule.

    >>> rules = [QuarantineRule(Reason.EMPTY_ROW, lambda c, p: p["blank"])]
    >>> assign_reasons(rules, None, {"blank": pd.Series([True, False])}).tolist()
    ['empty_row', nan]
    """
    reason: pd.Series | None = None
    for rule in rules:
        failed = rule.fails(cells, parsed)
        if reason is None:
            reason = pd.Series(pd.NA, index=failed.index, dtype="str")
        reason = reason.mask(failed & reason.isna(), rule.reason.value)
    if reason is None:
        msg = "assign_reasons needs at least one rule"
        raise ValueError(msg)
    return reason
