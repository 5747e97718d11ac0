"""A dry run of cleaning (``wsisanalysis inspect``): what would happen to each file, and why.

For each export: the shape it was recognised as, how it was read (encoding, delimiter, header
row), how every column maps and why, the event and dates it will get, what cleaning would do
with its rows and which labels it cannot resolve. Nothing is written: the cleaning runs in
memory with a throw-away pseudonymization key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.clean.log import CleaningLog
from wsisanalysis.clean.pipeline import clean_tables, file_event
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.normalize.headers import HeaderMatch, match_headers
from wsisanalysis.normalize.mapping import UserMapping, load_mapping
from wsisanalysis.read import RawTable, read_export

#: Ids made with this key are never shown or written: inspect only counts.
_DRY_RUN_KEY = b"wsisanalysis inspect: dry run, nothing written"
_PREVIEW = 10


@dataclass(frozen=True)
class ColumnMapping:
    """One header of an export: the canonical column it becomes (or ``None``) and why."""

    header: str
    column: str | None
    why: str


@dataclass
class Inspection:
    """What cleaning would do with one export."""

    file: str
    shape: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    rows: int
    columns: list[ColumnMapping]
    event: str | None
    event_source: str
    events: dict[str, int] = field(default_factory=dict)  # event -> records (first few)
    dates: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, int] = field(default_factory=dict)  # rows clean, quarantined, merged
    attendance: dict[str, int] = field(default_factory=dict)
    unresolved: list[dict[str, Any]] = field(default_factory=list)  # the most frequent first
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why the file cannot be cleaned as it is


def _dates(clean: pd.DataFrame, log: CleaningLog, found: HeaderMatch) -> dict[str, Any]:
    dates = pd.to_datetime(clean[C.DATE]).dropna()
    file = log.files[0]
    column = next((h for h, c in found.mapping.items() if c == C.DATE), None)
    out: dict[str, Any] = {
        "first": dates.min().isoformat() if len(dates) else None,
        "last": dates.max().isoformat() if len(dates) else None,
        "missing": int(len(clean) - len(dates)),
        "source": f"column {column!r}" if column else file.event.get("date_source", "none"),
    }
    out.update({k: file.dates[k] for k in ("dayfirst", "order_evidence") if k in file.dates})
    return out


def _inspect_one(
    table: RawTable, kind: str, mapping: UserMapping, options: dict[str, Any]
) -> Inspection:
    headers = [str(c) for c in table.frame.columns]
    found = match_headers(
        headers, mapping.columns, shape=table.columns, shape_ignored=table.ignored
    )
    event, event_source = None, "engagement records have no event"
    if kind == "participation":
        event, event_source = file_event(table, found, options.get("event"))
    inspection = Inspection(
        file=table.source,
        shape=table.shape,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
        rows=len(table),
        columns=[
            ColumnMapping(h, found.mapping.get(h), found.reasons.get(h, "")) for h in headers
        ],
        event=event,
        event_source=event_source,
        details=dict(table.details),
    )
    try:
        result = clean_tables([table], kind, mapping=mapping, key=_DRY_RUN_KEY, **options)
    except WsisAnalysisError as exc:
        inspection.error = str(exc)
        return inspection
    log, clean = result.log, result.clean
    if C.EVENT in clean:
        inspection.events = {
            str(k): int(v) for k, v in clean[C.EVENT].value_counts().head(_PREVIEW).items()
        }
    inspection.dates = _dates(clean, log, found)
    inspection.outcome = {
        "rows_clean": log.rows_clean,
        "rows_quarantined": log.rows_quarantined,
        "duplicates_merged": log.duplicates_merged,
        **{f"quarantined_{k}": v for k, v in log.quarantine_reasons.items()},
    }
    inspection.attendance = next(iter(log.attendance.values()), {})
    inspection.unresolved = sorted(log.unresolved, key=lambda u: -u["rows"])[:_PREVIEW]
    inspection.warnings = list(log.warnings)
    return inspection


def inspect_files(
    paths: Sequence[str | Path],
    kind: str = "participation",
    *,
    mapping: UserMapping | str | Path | None = None,
    **options: Any,
) -> list[Inspection]:
    """Read each export and clean it in memory: what ``wsisanalysis inspect`` shows.

    `options` are those of :func:`~wsisanalysis.clean.pipeline.clean_tables` (``event``,
    ``dayfirst``, ``max_quarantined``). Writes nothing.
    """
    if not paths:
        msg = "No input files given. Pass one or more exports (CSV, XLSX or Parquet)."
        raise WsisAnalysisError(msg)
    loaded = mapping if isinstance(mapping, UserMapping) else load_mapping(mapping)
    return [_inspect_one(read_export(p), kind, loaded, options) for p in paths]
