"""From raw exports to the canonical tables (DESIGN §2.2, §3.1), with nothing lost.

Every input row ends in exactly one place: the clean table, the quarantine (with a reason
code and its original values), or the count of merged duplicates::

    rows_in == rows_clean + rows_quarantined + duplicates_merged

Names and e-mails are turned into ``participant_id`` and dropped; only the quarantine file,
which belongs in a git-ignored folder, keeps raw values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.clean.kinds import KindSpec, kind_spec
from wsisanalysis.clean.log import CleaningLog, FileLog
from wsisanalysis.clean.memory import return_large_blocks
from wsisanalysis.clean.provenance import (
    input_provenance,
    raw_without_clash,
    safe_source,
    without_provenance,
)
from wsisanalysis.clean.quality import DEFAULT_MAX_QUARANTINED, quality_warnings, raise_if_strict
from wsisanalysis.clean.quarantine import assign_reasons
from wsisanalysis.clean.result import CleaningResult
from wsisanalysis.clean.steps import (
    Cells,
    Context,
    add_reference,
    as_categories,
    as_text,
    record_ids,
    scrub_emails,
    tag_free_text,
)
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.normalize.events import cluster_events
from wsisanalysis.normalize.headers import HeaderMatch, match_headers, require_columns
from wsisanalysis.normalize.mapping import UserMapping, load_mapping
from wsisanalysis.normalize.pseudonym import resolve_key
from wsisanalysis.read import RawTable, read_tables

logger = logging.getLogger(__name__)

_QUARANTINE_FRONT = [C.SOURCE, C.SOURCE_ROW, "reason"]
#: Columns only the parsers read (identity: hashed into participant_id before quarantine;
#: dates, counts and reach: parsed before quarantine, their values taken from the parsers).
_PARSED_ONLY = (
    C.EMAIL, C.NAME, C.FIRST_NAME, C.LAST_NAME, C.PARTICIPANT_ID, C.DATE, C.COUNT, C.REACH,
)  # fmt: skip
_ORDER = "_order"  # precedence of each record for deduplication, dropped before output


@dataclass
class _Prepared:
    cells: Cells
    source: pd.Series
    source_row: pd.Series
    file_log: FileLog
    latest_wins: bool = False
    anonymous: bool = False
    rejected: pd.DataFrame | None = None  # records the reader could not read faithfully


def _provenance(table: RawTable, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """``source`` (the file name, made safe) and ``source_row`` per row, from the reader only.

    Input columns named like provenance columns never set them: a "Source" column holding
    "Referred by <e-mail>" or a forged ``record_id`` would otherwise reach every page.
    """
    codes = np.zeros(len(index), dtype=np.int8)
    name = safe_source(table.source)
    source = pd.Series(pd.Categorical.from_codes(codes, [name]), index=index)
    row = pd.Series(table.source_rows, index=index, dtype="Int64")
    return source, row


def file_event(table: RawTable, found: HeaderMatch, event: str | None) -> tuple[str | None, str]:
    """The event of a file without an event column, and where it came from.

    ``--event`` first, then what the export itself names (a webinar's topic), then the file's
    name (not for in-memory frames, which have none).
    """
    column = next((h for h, c in found.mapping.items() if c == C.EVENT), None)
    if column is not None:
        return None, f"column {column!r}"
    if event:
        return event, "--event"
    if table.event:
        return table.event, f"export ({table.shape})"
    if table.format != "frame":
        stem = Path(table.source).stem
        return stem.removesuffix(" (Responses)").replace("_", " ").strip(), "file name"
    return None, "none"


def _with_file_values(
    canonical: pd.DataFrame, table: RawTable, found: HeaderMatch, event: str | None
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """`canonical` with the file-wide event and date filled in where the export has no
    such column; what was used, and from where, for the log."""
    name, source = file_event(table, found, event)
    added: dict[str, str | None] = {"name": name, "source": source}
    if name is not None:
        canonical = canonical.assign(
            **{C.EVENT: pd.Series(name, index=canonical.index, dtype="str")}
        )
    if C.DATE not in canonical and table.event_date:
        canonical = canonical.assign(
            **{C.DATE: pd.Series(table.event_date, index=canonical.index, dtype="str")}
        )
        added["date"] = table.event_date
        added["date_source"] = f"export ({table.shape})"
    return canonical, added


def _prepare(
    table: RawTable, spec: KindSpec, mapping: UserMapping, event: str | None = None
) -> _Prepared:
    frame = as_text(table.frame)
    found = without_provenance(
        match_headers(
            frame.columns, mapping.columns, shape=table.columns, shape_ignored=table.ignored
        )
    )
    canonical = frame[list(found.mapping)].set_axis(list(found.mapping.values()), axis=1)
    file_values: dict[str, str | None] = {}
    if C.EVENT in spec.columns:
        canonical, file_values = _with_file_values(canonical, table, found, event)
    # a form's responses may all be anonymous: no identity column is needed then
    provided = {*canonical.columns, *((C.PARTICIPANT_ID,) if table.anonymous else ())}
    require_columns(
        found, spec.required, source=safe_source(table.source), kind=spec.name, present=provided
    )
    source, source_row = _provenance(table, canonical.index)
    file_log = FileLog(
        file=safe_source(table.source),
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
        rows=table.rows_in,
        columns_mapped=found.mapping,
        columns_ignored=found.ignored,
        columns_duplicated=found.duplicates,
        notes=list(table.notes),
        shape=table.shape,
        event=file_values,
        columns_by_keyword=found.keyword,
        column_reasons=found.reasons,
        details=dict(table.details),
    )
    rejected = None
    if table.rejected is not None and len(table.rejected):
        rejected = table.rejected.assign(**{C.SOURCE: safe_source(table.source)})
    return _Prepared(
        Cells(canonical, frame), source, source_row, file_log, table.latest_wins,
        table.anonymous, rejected,
    )  # fmt: skip


def _clean_one(
    prepared: _Prepared, spec: KindSpec, ctx: Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean one export: parse, quarantine by the spec's rules, map the kept rows."""
    cells = prepared.cells
    ctx.file_log = prepared.file_log
    ctx.anonymous = prepared.anonymous
    parsed: dict[str, pd.Series] = {}
    for parser in spec.parsers:
        parsed.update(parser(cells, ctx))
    reason = assign_reasons(spec.rules, cells, parsed)
    keep = reason.isna()
    quarantined = _quarantined(cells.raw, prepared, reason, ~keep)
    # the parsers have read the identity columns: the column steps never do. The export's
    # unfiltered cells are not needed past here: they go before the column steps build the
    # clean columns (with the raw table's other references gone)
    kept = cells.take(keep, without=_PARSED_ONLY)
    prepared.cells = kept
    del cells
    kept_rows = _rows(keep)
    source, source_row = kept_rows(prepared.source), kept_rows(prepared.source_row)
    record_id = record_ids(source, source_row)
    columns: dict[str, pd.Series] = {
        C.RECORD_ID: record_id,
        C.SOURCE: source,
        C.SOURCE_ROW: source_row,
    }
    for name in (C.DATE, C.COUNT, *spec.parsed_outputs):
        columns[name] = kept_rows(parsed[name])
    del parsed, reason  # the parsers' full-length columns: not needed past here
    _run_steps(spec, kept, ctx, columns)
    inputs = input_provenance(kept.table.columns)  # an input's own "Source": free text
    columns.update(tag_free_text(kept, tuple(inputs)))
    clean = pd.DataFrame(columns, index=kept.index)[[*spec.columns, *inputs]]
    if prepared.rejected is not None:
        quarantined = pd.concat([prepared.rejected, quarantined], ignore_index=True)
    if C.PARTICIPANT_ID in clean:
        prepared.file_log.anonymous_participants = (
            int(clean[C.PARTICIPANT_ID].isna().sum()) if ctx.anonymous else 0
        )
    return scrub_emails(clean, ctx.stats), quarantined


def _quarantined(
    raw: pd.DataFrame, prepared: _Prepared, reason: pd.Series, out: pd.Series
) -> pd.DataFrame:
    """The quarantined rows with their original values, provenance and reason (no filter
    of the raw columns when no row is quarantined: a filter of an arrow column joins its
    chunks into a copy first)."""
    rows = raw.iloc[:0] if not out.any() else raw.loc[out]
    return raw_without_clash(rows).assign(
        **{
            C.SOURCE: prepared.source[out],
            C.SOURCE_ROW: prepared.source_row[out],
            "reason": reason[out],
        }
    )


def _rows(keep: pd.Series) -> Any:
    """A function taking the rows in `keep` of a Series: the Series itself when every row is
    kept (a filter would copy it)."""
    if bool(keep.all()):
        return lambda series: series
    return lambda series: series[keep]


def _run_steps(spec: KindSpec, kept: Cells, ctx: Context, columns: dict[str, pd.Series]) -> None:
    """Run the column steps into `columns`; each input column a step reads is let go once no
    later step reads it (its clean column is built: the text as read is not needed)."""
    later = [set(getattr(step, "reads", ())) for step in spec.steps]
    known = all(hasattr(step, "reads") for step in spec.steps)
    for number, step in enumerate(spec.steps):
        columns.update(step(kept, ctx))
        if known:
            needed = set().union(*later[number + 1 :])
            kept.release([name for name in later[number] if name not in needed])


def _precedence(clean: pd.DataFrame, file_number: int, latest_wins: bool) -> np.ndarray:
    """Which of two records of one person wins: earlier files first; within a file the
    first record, or the latest for form responses (where a new answer replaces the old)."""
    position = np.arange(len(clean), dtype=np.int64)
    if latest_wins:
        position = position[::-1].copy()
    return (np.int64(file_number) << 32) + position


def _merge_event_spellings(clean: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    if C.EVENT not in clean:
        return clean
    events, merges = cluster_events(clean[C.EVENT])
    log.event_merges = [{"event": m.event, "merged": m.variants, "rows": m.rows} for m in merges]
    return clean.assign(**{C.EVENT: events}) if merges else clean


def _without_rows(frame: pd.DataFrame, drop: np.ndarray) -> pd.DataFrame:
    """`frame` without the rows in `drop`, built column by column; `frame` is emptied as it
    goes, so each column is held twice in turn, never the whole table (``frame.loc[~drop]``
    held two tables at once: +190 MB at 1M rows)."""
    keep = ~drop
    index = frame.index[keep]
    columns = {name: frame.pop(name).array[keep] for name in list(frame.columns)}
    return pd.DataFrame(columns, index=index, copy=False)


def _one_source_dtype(cleaned: list[pd.DataFrame]) -> None:
    """Every part's ``source`` on one categorical dtype, one category per file name sorted, so
    that the parts concatenate as a categorical (no string per row, as a round trip through
    text would make: 0.17 s at 1M rows)."""
    names = sorted(
        {str(n) for part in cleaned for n in part[C.SOURCE].astype("category").cat.categories}
    )
    dtype = pd.CategoricalDtype(pd.Index(names, dtype="str"))
    for part in cleaned:
        part[C.SOURCE] = part[C.SOURCE].astype(dtype)


def _combine(cleaned: list[pd.DataFrame], spec: KindSpec, log: CleaningLog) -> pd.DataFrame:
    """One clean table from every export's: deduplicated, with reference columns joined.

    Empties `cleaned` (the caller's list): the parts would otherwise stay alive beside the
    combined table, each copy the deduplication makes adding a whole table to the peak.
    """
    _one_source_dtype(cleaned)
    clean = (
        pd.concat(cleaned, ignore_index=True)
        if cleaned
        else pd.DataFrame(columns=[*spec.columns, _ORDER])
    )
    cleaned.clear()
    source = clean[C.SOURCE]
    if isinstance(source.dtype, pd.CategoricalDtype) and len(source):
        clean[C.SOURCE] = source.cat.remove_unused_categories()  # files without a clean row
    else:  # no clean row at all: the empty column the DuckDB engine writes too
        clean[C.SOURCE] = source.astype("str").astype("category")
    for name in input_provenance(clean.columns):  # missing where a file had no such column
        clean[name] = clean[name].astype("str")
    order = clean.pop(_ORDER).to_numpy(dtype=np.int64)
    clean = _merge_event_spellings(clean, log)
    duplicated = spec.duplicated(clean, order)
    log.duplicates_merged = int(duplicated.sum())
    if log.duplicates_merged:
        clean = _without_rows(clean, duplicated.to_numpy(dtype=bool))
    clean = add_reference(clean.reset_index(drop=True))
    return as_categories(clean, spec.vocabularies)


def _attendance(clean: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per file: records, and how many attended, did not (no-shows, cancelled tickets) or
    are unknown: registrations against attendance where the data has both."""
    attended = clean[C.ATTENDED].astype("boolean")
    table = pd.DataFrame(
        {
            "records": 1,
            "attended": attended.eq(True).fillna(False),
            "not_attended": attended.eq(False).fillna(False),
            "unknown": attended.isna(),
        }
    )
    # `source` is categorical (one category per file): no string per row
    sums = table.groupby(clean[C.SOURCE], observed=True, sort=False).sum()
    return {str(f): {k: int(v) for k, v in row.items()} for f, row in sums.iterrows()}


def _quarantine_table(quarantined: list[pd.DataFrame]) -> pd.DataFrame:
    quarantine = pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame()
    if not len(quarantine.columns):
        return pd.DataFrame(columns=_QUARANTINE_FRONT)
    rest = [c for c in quarantine.columns if c not in _QUARANTINE_FRONT]
    return quarantine[_QUARANTINE_FRONT + rest]


def _clean_each(
    tables: Iterable[RawTable], spec: KindSpec, ctx: Context, log: CleaningLog, event: str | None
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Each export's clean rows (with their precedence) and quarantined rows. One raw export
    is in memory at a time when `tables` is a generator, and none once this returns: the
    last one would otherwise stay referenced by the loop's variables while the combining
    step (the peak) runs."""
    cleaned, quarantined = [], []
    # not enumerate(): its cached result tuple would keep the raw export alive to the end
    # of the iteration (~190 MB at 1M rows, through the whole of _clean_one)
    number = -1
    for table in tables:
        number += 1
        prepared = _prepare(table, spec, ctx.mapping, event)
        del table  # `prepared` holds what is needed; _clean_one frees it as it goes
        log.rows_in += len(prepared.cells.index) + (
            0 if prepared.rejected is None else len(prepared.rejected)
        )
        clean_part, quarantine_part = _clean_one(prepared, spec, ctx)
        reasons = quarantine_part["reason"].value_counts()
        prepared.file_log.quarantined = len(quarantine_part)
        prepared.file_log.quarantine_reasons = {str(k): int(v) for k, v in reasons.items()}
        log.files.append(prepared.file_log)
        order = _precedence(clean_part, number, prepared.latest_wins)
        cleaned.append(clean_part.assign(**{_ORDER: order}))
        quarantined.append(quarantine_part)
    return cleaned, quarantined


def clean_tables(  # noqa: PLR0913 - listed in tests/test_architecture.py
    tables: Iterable[RawTable],
    kind: str = "participation",
    *,
    mapping: UserMapping | str | Path | None = None,
    key: str | bytes | None = None,
    key_dir: str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    event: str | None = None,
    max_quarantined: float = DEFAULT_MAX_QUARANTINED,
) -> CleaningResult:
    """Clean one or more read exports of the same kind into one canonical table.

    See :func:`clean_participation` for the parameters; `max_quarantined` is the share of an
    export's rows (in %) that may be quarantined before the log warns (``log.warnings``).
    """
    spec = kind_spec(kind)
    if not isinstance(mapping, UserMapping):
        mapping = load_mapping(mapping)
    secret, key_source = resolve_key(key, key_dir=key_dir)
    ctx = Context(mapping=mapping, key=secret, dayfirst=dayfirst)
    log = CleaningLog(kind=spec.name, key_source=key_source, dedupe_rule=spec.dedupe_rule)
    cleaned, quarantined = _clean_each(tables, spec, ctx, log, event)
    clean = _combine(cleaned, spec, log)
    quarantine = _quarantine_table(quarantined)
    log.rows_clean, log.rows_quarantined = len(clean), len(quarantine)
    log.quarantine_reasons = {k: int(v) for k, v in quarantine["reason"].value_counts().items()}
    log.fixes, log.unresolved = ctx.stats.fixes, ctx.stats.unresolved_list()
    log.attendance = _attendance(clean) if spec.name == "participation" else {}
    log.warnings = quality_warnings(log, max_quarantined=max_quarantined)
    log.check()
    if strict:
        raise_if_strict(log)
    return CleaningResult(clean, quarantine, log)


def _tables_from(
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any], source: str | None
) -> list[RawTable]:
    if isinstance(data, pd.DataFrame):
        return [RawTable(data, source or "frame", np.arange(1, len(data) + 1), "frame")]
    if isinstance(data, RawTable):
        return [data]
    if isinstance(data, (str, Path)):
        return read_tables(data)
    return [t for item in data for t in _tables_from(item, source)]


def clean_participation(  # noqa: PLR0913 - listed in tests/test_architecture.py
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any],
    *,
    source: str | None = None,
    mapping: UserMapping | str | Path | None = None,
    key: str | bytes | None = None,
    key_dir: str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    event: str | None = None,
) -> CleaningResult:
    """Clean participation records (registrations, attendance) into the canonical table.

    Does not modify `data`.

    Parameters
    ----------
    data
        A raw frame (any headers), a path, a :class:`~wsisanalysis.read.RawTable`, or a list.
    source
        Name recorded in ``source`` for a frame (files use their file name).
    mapping
        A user mapping (path to YAML/TOML, or a loaded :class:`~wsisanalysis.normalize.headers.UserMapping`).
    key, key_dir
        Pseudonymization key, or the folder holding the key file (see
        :func:`~wsisanalysis.normalize.pseudonym.resolve_key`).
    dayfirst
        Force ``dd/mm`` (True) or ``mm/dd`` (False); ``None`` detects per file.
    strict
        Raise :class:`~wsisanalysis.errors.DataQualityError` on unresolved labels or warnings.
    event
        The event of exports without an event column (default: their own, else the file name).

    Returns
    -------
    CleaningResult
        ``.clean`` (canonical columns, no personal data), ``.quarantine`` and ``.log``.

    Examples
    --------
    >>> raw = pd.DataFrame({
    ...     "E-mail": ["a@x.org", "A@X.org ", "b@y.org", ""],
    ...     "Country/Territory": ["USA", "U.S.", "Côte d’Ivoire", ""],
    ...     "Meeting": ["ICANN82", "ICANN82", "ICANN82", ""],
    ... })
    >>> result = clean_participation(raw, key="demo")
    >>> log = result.log
    >>> result.clean["country_iso2"].tolist(), log.rows_in, log.rows_quarantined, log.duplicates_merged
    (['US', 'CI'], 4, 1, 1)
    """
    return clean_tables(
        _tables_from(data, source),
        "participation",
        mapping=mapping,
        key=key,
        key_dir=key_dir,
        dayfirst=dayfirst,
        strict=strict,
        event=event,
    )


def clean_engagement(
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any],
    *,
    source: str | None = None,
    mapping: UserMapping | str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    max_quarantined: float = DEFAULT_MAX_QUARANTINED,
) -> CleaningResult:
    """Clean engagement records (submissions, briefings, webinars, posts) into the canonical table.

    Same parameters as :func:`clean_participation` (engagement rows carry no personal data,
    so no key is needed). Does not modify `data`.
    """
    return clean_tables(
        _tables_from(data, source),
        "engagement",
        mapping=mapping,
        key=b"unused",
        dayfirst=dayfirst,
        strict=strict,
        max_quarantined=max_quarantined,
    )


def _each_table(paths: Sequence[str | Path]) -> Iterator[RawTable]:
    """The tables of every file, one file read at a time; a table handed out is no longer
    referenced here (so the cleaning step can free it)."""
    for path in paths:
        tables = read_tables(path)
        tables.reverse()
        while tables:
            yield tables.pop()


def clean_files(
    paths: Sequence[str | Path],
    kind: str,
    out_dir: str | Path,
    **options: Any,
) -> tuple[CleaningResult, dict[str, Path]]:
    """Read, clean and write: what ``wsisanalysis clean`` does.

    `options` are those of :func:`clean_tables` (``mapping``, ``dayfirst``, ``strict``,
    ``event``, ``max_quarantined``); the key is kept in `out_dir` unless configured.
    """
    if not paths:
        msg = "No input files given. Pass one or more exports (CSV, XLSX or Parquet)."
        raise WsisAnalysisError(msg)
    return_large_blocks()  # freed temporary columns go back to the system (1M rows: -40 MB)
    result = clean_tables(_each_table(paths), kind, key_dir=out_dir, **options)
    return result, result.write(out_dir)
