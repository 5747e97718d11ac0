"""Cleaning past memory: ``wsisanalysis clean --engine duckdb [--memory-limit 4GB]``.

The same cleaning as :mod:`wsisanalysis.clean.pipeline`, in bounded memory:

- exports are read in chunks of rows (well-formed UTF-8 CSV streamed by pyarrow's CSV
  reader, the parser the pandas path uses, table shapes adapted per chunk; any other file,
  Zoom and Teams reports included, read whole by :func:`read_tables`, one table per sheet);
- each chunk goes through the pandas path's own steps (``_prepare`` and ``_clean_one``: the
  kind's parsers, quarantine rules and column steps, which map each distinct value once),
  with the file-wide decisions taken first over the whole file (the day/month order of
  dates, decided from the file's distinct date values as ``parse_dates`` does; whether the
  country column is a column of codes, checked on the rows kept once they are known);
- the clean rows go to a DuckDB table on disk, where duplicates are found over all files
  with a window (DuckDB spills to disk under ``memory_limit``);
- the rows left are streamed back in their original order, given their reference columns
  and vocabularies by the pandas path's steps, and written as Parquet one row group at a time.

Counts in the cleaning log add up over chunks, so the log, the quarantine and the clean table
are the pandas path's (``tests/clean/test_duckdb_engine.py`` checks it).
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.clean.kinds import KindSpec, kind_spec
from wsisanalysis.clean.log import CleaningLog, FileLog
from wsisanalysis.clean.memory import return_large_blocks
from wsisanalysis.clean.pipeline import _attendance, _clean_one, _prepare, _quarantine_table
from wsisanalysis.clean.provenance import input_provenance
from wsisanalysis.clean.quality import DEFAULT_MAX_QUARANTINED, quality_warnings, raise_if_strict
from wsisanalysis.clean.steps import (
    Context,
    add_reference,
    as_categories,
    as_text,
    holds_country_codes,
    years_out_of_range,
)
from wsisanalysis.errors import InputFileError, WsisAnalysisError
from wsisanalysis.normalize.dates import parse_dates
from wsisanalysis.normalize.events import cluster_names
from wsisanalysis.normalize.headers import match_headers
from wsisanalysis.normalize.mapping import UserMapping, load_mapping
from wsisanalysis.normalize.pseudonym import resolve_key
from wsisanalysis.read import RawTable, read_tables
from wsisanalysis.read.detect import (
    HEADER_SCAN_ROWS,
    detect_delimiter,
    detect_encoding,
    header_index,
    headers,
)
from wsisanalysis.read.shapes import adapt_table, sectioned_shape
from wsisanalysis.schema import output_paths
from wsisanalysis.write import write_csv

#: Rows cleaned by pandas at a time (about 0.4 GB at the peak of a chunk).
CHUNK_ROWS = 250_000
#: DuckDB's memory for the duplicate search and the ordered read-back, unless told otherwise.
DEFAULT_MEMORY_LIMIT = "1GB"
_STREAMED_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
_SAMPLE_BYTES = 256 * 1024


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        msg = (
            "--engine duckdb needs the duckdb package, which is not installed. "
            "Install it with: pip install 'wsisanalysis[duckdb]' (or use --engine pandas)."
        )
        raise WsisAnalysisError(msg) from None
    return duckdb


# --- reading in chunks ---------------------------------------------------------------------


@dataclass
class _CsvLayout:
    encoding: str
    delimiter: str
    header_at: int
    header: list[str]


def _blank_lines(path: Path) -> bool:
    """Whether the file has an empty line (the streaming reader would skip it and shift the
    row numbers). Scanned in 4 MiB blocks, so the file never sits in memory whole."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            data = tail + block
            if b"\n\n" in data or b"\n\r\n" in data:
                return True
            tail = data[-2:]
    return False


def _csv_layout(path: Path) -> _CsvLayout | None:
    """How a UTF-8 CSV without blank lines is written, or None for any other file.

    The same detection as :func:`~wsisanalysis.read.csv.read_csv_export`; other files (other
    encodings, blank lines, Excel, Parquet, sectioned reports) are read whole by
    :func:`read_tables`.
    """
    if path.suffix.lower() not in _STREAMED_SUFFIXES or not path.is_file():
        return None
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip(b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe") or sample.startswith(b"PK"):
        return None
    encoding = detect_encoding(sample)
    if encoding not in ("utf-8", "utf-8-sig") or sectioned_shape(path) or _blank_lines(path):
        return None  # read whole: other encodings, Zoom and Teams reports, blank lines
    lines = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    lines = lines[: HEADER_SCAN_ROWS + 5]
    delimiter = detect_delimiter(lines[:HEADER_SCAN_ROWS])
    rows = list(csv.reader(lines, delimiter=delimiter))
    header_at = header_index(rows)
    header = headers(rows[header_at]) if rows else []
    return _CsvLayout(encoding, delimiter, header_at, header) if header else None


def _reader(path: Path, layout: _CsvLayout, columns: list[str] | None = None) -> Any:
    """pyarrow's streaming CSV reader with the options the pandas path's reader uses."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    return pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(
            skip_rows=layout.header_at + 1, column_names=layout.header, block_size=1 << 23
        ),
        parse_options=pcsv.ParseOptions(delimiter=layout.delimiter, quote_char='"'),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(layout.header, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            include_columns=columns,
        ),
    )


def _streamed(path: Path, layout: _CsvLayout, rows: int) -> Iterator[RawTable]:
    import pyarrow as pa

    reader = _reader(path, layout)
    notes = ["blank headers were named column_N"] if any(
        h.startswith("column_") for h in layout.header
    ) else []  # fmt: skip
    first = layout.header_at + 2  # the physical line of the first record
    pending = pa.Table.from_batches([], schema=reader.schema)
    try:
        for batch in reader:
            pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
            while len(pending) >= rows:
                yield _raw(path, layout, pending.slice(0, rows), first, notes)
                first += rows
                pending = pending.slice(rows)
    except pa.ArrowInvalid as exc:
        msg = (
            f"{path}: the DuckDB engine streams well-formed CSV only and stopped at a malformed "
            f"row ({exc}). Clean this file with --engine pandas, which repairs such rows."
        )
        raise InputFileError(msg) from None
    if len(pending) or first == layout.header_at + 2:
        yield _raw(path, layout, pending, first, notes)


def _raw(path: Path, layout: _CsvLayout, table: Any, first: int, notes: list[str]) -> RawTable:
    frame = table.to_pandas().astype("str")
    rows = np.arange(first, first + len(frame))
    return adapt_table(RawTable(frame, path.name, rows, "csv", layout.encoding,
                                layout.delimiter, layout.header_at + 1, list(notes)))  # fmt: skip


@dataclass
class _Table:
    """One table of an export: a pass over its chunks (each call starts one), and the text
    of its date and country columns, distinct values batch by batch, for the file-wide
    decisions (what ``_prepare`` would put in the ``date`` and ``country`` columns)."""

    chunks: Callable[[], Iterator[RawTable]]
    columns: Iterator[dict[str, pd.Series]]


#: Columns whose distinct values decide something for a whole table.
_FILE_WIDE = (C.DATE, C.COUNTRY)


def _headers(table: RawTable, mapping: UserMapping) -> dict[str, str]:
    """The headers ``_prepare`` maps to the file-wide columns in `table` (its shape's
    mapping included), by canonical name."""
    found = match_headers(
        [str(c) for c in table.frame.columns], mapping.columns,
        shape=table.columns, shape_ignored=table.ignored,
    )  # fmt: skip
    return {c: h for h, c in found.mapping.items() if c in _FILE_WIDE}


def _streamed_columns(
    path: Path, layout: _CsvLayout, mapping: UserMapping
) -> Iterator[dict[str, pd.Series]]:
    """The streamed CSV's date and country columns, batch by batch, as distinct values only."""
    import pyarrow.compute as pc

    template = adapt_table(RawTable(pd.DataFrame(columns=layout.header), path.name,
                                    np.arange(0), "csv"))  # fmt: skip
    wanted = {c: h for c, h in _headers(template, mapping).items() if h in layout.header}
    if not wanted:
        return
    names = list(dict.fromkeys(wanted.values()))
    for batch in _reader(path, layout, names):
        yield {
            canonical: pd.Series(pc.unique(batch.column(names.index(header))), dtype="str")
            for canonical, header in wanted.items()
        }


def _whole_columns(table: RawTable, mapping: UserMapping) -> Iterator[dict[str, pd.Series]]:
    headers = _headers(table, mapping)
    columns = {c: as_text(table.frame[[h]]).iloc[:, 0] for c, h in headers.items()}
    if C.DATE not in columns and table.event_date:
        columns[C.DATE] = pd.Series([table.event_date], dtype="str")
    yield columns


def _slices(table: RawTable, rows: int) -> Iterator[RawTable]:
    """A table read whole, in chunks (the reader's rejects and the shape's details once)."""
    for start in range(0, max(len(table), 1), rows):
        yield replace(
            table, frame=table.frame.iloc[start : start + rows],
            source_rows=table.source_rows[start : start + rows], notes=list(table.notes),
            rejected=table.rejected if start == 0 else None,
            details=dict(table.details) if start == 0 else {},
        )  # fmt: skip


def export_tables(
    path: str | Path, mapping: UserMapping, rows: int = CHUNK_ROWS
) -> Iterator[_Table]:
    """Every table of one export (each data sheet of a workbook), in chunks of about `rows`."""
    path = Path(path)
    layout = _csv_layout(path)
    if layout is not None:
        yield _Table(
            lambda: _streamed(path, layout, rows), _streamed_columns(path, layout, mapping)
        )
        return
    for table in read_tables(path):
        yield _Table(partial(_slices, table, rows), _whole_columns(table, mapping))


# --- file-wide decisions -------------------------------------------------------------------


@dataclass
class _FileWide:
    """What is decided once for a whole table before its chunks are cleaned."""

    dayfirst: bool | None
    evidence: Any
    country_codes: bool | None  # a column of codes: over every row's label, to be checked


def _file_wide(table: _Table, dayfirst: bool | None, user: UserMapping) -> _FileWide:
    """The day/month order over all dates, and a first answer to whether the country column
    is a column of codes, over all of its labels (the pandas path decides it on the rows
    kept: :func:`_clean_table` checks the answer once those are known)."""
    dates: list[pd.Series] = []
    labels: set[str] = set()
    for columns in table.columns:
        if C.DATE in columns:
            dates.append(columns[C.DATE])
        if C.COUNTRY in columns:
            labels.update(columns[C.COUNTRY].dropna().unique().tolist())
    order, evidence = _date_order(iter(dates), dayfirst)
    codes = holds_country_codes(labels, user.labels.get("countries", {})) if labels else None
    return _FileWide(order, evidence, codes)


def _date_order(values: Iterator[pd.Series], dayfirst: bool | None) -> Any:
    """The table's day/month order and its evidence, decided over all of its distinct dates
    (what :func:`~wsisanalysis.normalize.dates.parse_dates` decides for the whole column,
    without the years out of range that ``parse_date_column`` leaves out)."""
    distinct: set[str] = set()
    for text in values:
        text = text.str.strip()
        text = text[text.notna() & (text != "")]
        distinct.update(text[~years_out_of_range(text)].unique().tolist())
    decided = parse_dates(pd.Series(sorted(distinct), dtype="str"), dayfirst=dayfirst)
    return decided.dayfirst, decided.order_evidence


# --- the run -------------------------------------------------------------------------------


@dataclass
class _Run:
    spec: KindSpec
    ctx: Context
    log: CleaningLog
    con: Any
    chunk_rows: int
    event: str | None = None
    quarantined: list[pd.DataFrame] = field(default_factory=list)
    dtypes: pd.Series | None = None
    rows_stored: int = 0
    tables: int = 0  # tables stored so far: the precedence of records across tables
    worker: Any = None  # the thread that inserts chunks into DuckDB
    pending: Any = None  # the insert under way
    created: bool = False  # whether the table ``parts`` exists
    max_quarantined: float = DEFAULT_MAX_QUARANTINED


#: Bits for a record's position within its table in its precedence (as the pandas path).
_POSITION_BITS = 32


def _store(run: _Run, clean: pd.DataFrame, position: int, latest_wins: bool) -> None:
    """Append a chunk's clean rows to the DuckDB table ``parts``: ``_ord`` keeps the order,
    ``_prec`` the precedence among duplicates (earlier tables first; within a table the
    first record, or the latest for form responses), as ``pipeline._precedence``.

    The insert runs in a worker thread while the next chunk is cleaned (DuckDB releases the
    GIL); one insert at a time, in order.
    """
    import pyarrow as pa

    if run.dtypes is None:
        run.dtypes = clean.dtypes
    part = clean.assign(**{C.SOURCE: clean[C.SOURCE].astype("str")}).reset_index(drop=True)
    part.insert(0, "_ord", np.arange(run.rows_stored, run.rows_stored + len(part)))
    within = np.arange(position, position + len(part), dtype=np.int64)
    if latest_wins:
        within = (1 << _POSITION_BITS) - 1 - within
    part.insert(1, "_prec", (np.int64(run.tables) << _POSITION_BITS) + within)
    # as an arrow table: DuckDB scans arrow strings without a Python object per cell
    table = pa.Table.from_pandas(part, preserve_index=False)
    _wait_for_insert(run)
    run.pending = run.worker.submit(_insert, run.con, table, first=not run.created)
    run.created = True
    run.rows_stored += len(part)


def _insert(con: Any, table: Any, *, first: bool) -> None:
    con.register("part", table)
    if first:
        con.execute("CREATE TABLE parts AS SELECT * FROM part")
    else:
        for name in set(input_provenance(table.column_names)) - set(_stored_columns(con)):
            con.execute(f'ALTER TABLE parts ADD COLUMN "{name}" VARCHAR')  # a later file's
        con.execute("INSERT INTO parts BY NAME SELECT * FROM part")
    con.unregister("part")


def _stored_columns(con: Any) -> list[str]:
    return [str(row[0]) for row in con.execute("DESCRIBE parts").fetchall()]


def _wait_for_insert(run: _Run) -> None:
    """Wait for the chunk being inserted (its error, if any, is raised here)."""
    if run.pending is not None:
        pending, run.pending = run.pending, None
        pending.result()


def _clean_table(run: _Run, table: _Table, dayfirst: bool | None) -> FileLog | None:
    """Clean one table chunk by chunk; its file log (counts summed over the chunks).

    Whether the country column is a column of codes is decided, as by the pandas path, on
    the distinct labels of the rows kept. Those are known only once every chunk is cleaned,
    so the chunks are cleaned with the answer over all rows (the same unless quarantined rows
    tip it) and, when the kept rows give the other answer, cleaned again with it.
    """
    wide = _file_wide(table, dayfirst, run.ctx.mapping)
    before = _Mark.of(run)
    file_log, kept = _clean_chunks(run, table.chunks(), wide)
    codes = holds_country_codes(kept, run.ctx.mapping.labels.get("countries", {}))
    if kept and codes != wide.country_codes:
        before.restore(run)
        file_log, _ = _clean_chunks(run, table.chunks(), replace(wide, country_codes=codes))
    run.tables += 1
    if file_log is not None and file_log.dates:
        file_log.dates.update(dayfirst=wide.dayfirst, order_evidence=wide.evidence)
    return file_log


def _clean_chunks(
    run: _Run, chunks: Iterator[RawTable], wide: _FileWide
) -> tuple[FileLog | None, set[str]]:
    """Clean and store a table's chunks; its file log and the country labels of rows kept."""
    kept: set[str] = set()  # the country step adds the labels of the rows kept
    ctx = Context(mapping=run.ctx.mapping, key=run.ctx.key, dayfirst=wide.dayfirst,
                  stats=run.ctx.stats, country_codes=wide.country_codes,
                  country_labels=kept)  # fmt: skip
    file_log: FileLog | None = None
    position = 0
    for chunk in chunks:
        prepared = _prepare(chunk, run.spec, run.ctx.mapping, run.event)
        del chunk  # `prepared` holds what is needed; _clean_one frees it as it goes
        run.log.rows_in += len(prepared.cells.index) + (
            0 if prepared.rejected is None else len(prepared.rejected)
        )
        clean, quarantine = _clean_one(prepared, run.spec, ctx)
        _store(run, clean, position, prepared.latest_wins)
        position += len(clean)
        run.quarantined.append(quarantine)
        prepared.file_log.quarantined = len(quarantine)
        reasons = quarantine["reason"].value_counts()
        prepared.file_log.quarantine_reasons = {str(k): int(v) for k, v in reasons.items()}
        file_log = _merge_file_log(file_log, prepared.file_log)
    return file_log, kept


@dataclass
class _Mark:
    """Where a run stood before a table was cleaned, to clean the table again from there."""

    stats: Any
    quarantined: int
    rows_stored: int
    rows_in: int

    @classmethod
    def of(cls, run: _Run) -> _Mark:
        stats = copy.deepcopy(run.ctx.stats)
        return cls(stats, len(run.quarantined), run.rows_stored, run.log.rows_in)

    def restore(self, run: _Run) -> None:
        _wait_for_insert(run)
        if run.rows_stored > self.rows_stored:
            run.con.execute("DELETE FROM parts WHERE _ord >= ?", [self.rows_stored])
        run.ctx.stats = self.stats
        del run.quarantined[self.quarantined :]
        run.rows_stored, run.log.rows_in = self.rows_stored, self.rows_in


def _clean_file(run: _Run, path: Path, dayfirst: bool | None) -> None:
    for table in export_tables(path, run.ctx.mapping, run.chunk_rows):
        file_log = _clean_table(run, table, dayfirst)
        if file_log is not None:
            run.log.files.append(file_log)


def _add_counts(total: dict[str, Any], part: dict[str, Any]) -> None:
    """Add a chunk's per-shape counts (numbers, or tables of numbers) to the table's."""
    for key, value in part.items():
        if key not in total:
            total[key] = value
        elif isinstance(value, dict):
            _add_counts(total[key], value)
        elif isinstance(value, int) and not isinstance(value, bool):
            total[key] += value


def _merge_file_log(total: FileLog | None, part: FileLog) -> FileLog:
    if total is None:
        return part
    total.rows += part.rows
    total.quarantined += part.quarantined
    total.anonymous_participants += part.anonymous_participants
    _add_counts(total.details, part.details)
    for reason, rows in part.quarantine_reasons.items():
        total.quarantine_reasons[reason] = total.quarantine_reasons.get(reason, 0) + rows
    forms = total.dates.get("forms", {})
    for form, rows in part.dates.get("forms", {}).items():
        forms[form] = forms.get(form, 0) + rows
    if forms:
        total.dates["forms"] = dict(forms)
    return total


def _merge_event_spellings(run: _Run) -> None:
    """Event names differing only in case, spacing or punctuation become one, over all files
    (``cluster_events`` on the distinct names, in order of first appearance)."""
    if C.EVENT not in run.spec.columns or not run.rows_stored:
        return
    events = run.con.execute(f"""
        SELECT "{C.EVENT}", count(*), min(_ord) AS first FROM parts
        WHERE "{C.EVENT}" IS NOT NULL GROUP BY ALL ORDER BY first
    """).fetchall()  # fmt: skip
    names = [str(row[0]) for row in events]
    target, merges = cluster_names(names, np.array([row[1] for row in events], dtype=np.int64))
    run.log.event_merges = [{"event": m.event, "merged": m.variants, "rows": m.rows}
                            for m in merges]  # fmt: skip
    if merges:
        renamed = pd.DataFrame({"old": names, "new": [names[t] for t in target]})
        run.con.register("renamed", renamed[renamed["old"] != renamed["new"]])
        run.con.execute(f"""UPDATE parts SET "{C.EVENT}" = renamed.new FROM renamed
                            WHERE parts."{C.EVENT}" = renamed.old""")  # fmt: skip
        run.con.unregister("renamed")


def _content_columns(spec: KindSpec) -> list[str]:
    return [c for c in spec.columns if c not in (C.RECORD_ID, C.SOURCE, C.SOURCE_ROW)]


def _mark_duplicates(run: _Run) -> np.ndarray:
    """The rows the pandas path's dedupe rule drops, as a mask over ``_ord`` (one byte a
    row: 10 MB for 10M rows).

    Participation: the same participant id and event, all but the record kept (attended
    before unknown before a no-show, then by precedence; no id never merges); engagement:
    every content column equal to an earlier row's. Missing values are equal to
    each other in both, as in ``DataFrame.duplicated``.
    """
    if run.spec.name == "participation":
        key, where = [C.PARTICIPANT_ID, C.EVENT], f'"{C.PARTICIPANT_ID}" IS NOT NULL'
        # attended first, then unknown, then no-shows; among equals the precedence
        order = (f'CASE WHEN "{C.ATTENDED}" THEN 0 WHEN "{C.ATTENDED}" IS NULL THEN 1 '
                 "ELSE 2 END, _prec")  # fmt: skip
    else:
        key, where, order = _content_columns(run.spec), "true", "_ord"
    keys = ", ".join(f'"{k}"' for k in key)
    if not run.rows_stored:
        return np.zeros(0, dtype=bool)
    dups = run.con.execute(f"""
        SELECT _ord FROM (
            SELECT _ord, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS n
            FROM parts WHERE {where}
        ) WHERE n > 1
    """).fetchnumpy()["_ord"]  # fmt: skip
    drop = np.zeros(run.rows_stored, dtype=bool)
    drop[np.asarray(dups, dtype=np.int64)] = True
    return drop


def _write_clean(run: _Run, path: Path, drop: np.ndarray, batch_rows: int = 131_072) -> int:
    """Stream the rows back in the order they were stored (a plain scan keeps insertion
    order: no sort), leave out those in `drop`; reference columns and vocabularies per batch.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    # as the pandas path: one category per file with clean rows before deduplication
    stored = run.con.execute(f'SELECT DISTINCT "{C.SOURCE}" FROM parts').fetchall()
    sources = pd.CategoricalDtype(sorted(str(row[0]) for row in stored))
    dtypes = run.dtypes if run.dtypes is not None else pd.Series(dtype=object)
    _wait_for_insert(run)
    inputs = input_provenance(_stored_columns(run.con))  # an input's own "Source" columns
    columns = ", ".join(f'"{c}"' for c in [*run.spec.columns, *inputs])
    reader = run.con.sql(f"SELECT _ord, {columns} FROM parts").to_arrow_reader(batch_rows)
    writer, written, expected = None, 0, 0
    try:
        for batch in reader:
            ords = batch.column(0).to_numpy()
            if len(ords) and (ords[0] != expected or (np.diff(ords) != 1).any()):
                msg = "internal error: DuckDB returned the stored rows out of order"
                raise WsisAnalysisError(msg)
            expected += len(ords)
            kept = batch.drop_columns(["_ord"]).filter(~drop[ords])
            if not kept.num_rows:
                continue
            frame = _typed(kept.to_pandas(), dtypes, sources)
            frame = as_categories(add_reference(frame), run.spec.vocabularies)
            if run.spec.name == "participation":
                _add_attendance(run.log.attendance, _attendance(frame))
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
            written += len(frame)
        if writer is None:  # no clean rows: an empty table with the same columns
            empty = pd.DataFrame(
                {c: pd.Series(dtype=dtypes.get(c, "str")) for c in run.spec.columns}
            )
            empty = as_categories(
                add_reference(_typed(empty, dtypes, sources)), run.spec.vocabularies
            )
            empty.to_parquet(path, index=False)
    finally:
        if writer is not None:
            writer.close()
    return written


def _typed(frame: pd.DataFrame, dtypes: pd.Series, sources: pd.CategoricalDtype) -> pd.DataFrame:
    """The dtypes the pandas path's clean table has (DuckDB hands back its own)."""
    out = {}
    for name in frame.columns:
        if name == C.SOURCE:
            out[name] = frame[name].astype("str").astype(sources)
        elif name in C.INPUT_PROVENANCE.values():
            out[name] = frame[name].astype("str")
        elif name in dtypes.index:
            out[name] = frame[name].astype(dtypes[name])
        else:
            out[name] = frame[name]
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _add_attendance(total: dict[str, dict[str, int]], part: dict[str, dict[str, int]]) -> None:
    """Add one batch's per-file attendance counts to the run's."""
    for source, counts in part.items():
        into = total.setdefault(source, dict.fromkeys(counts, 0))
        for key, value in counts.items():
            into[key] = into.get(key, 0) + value


def _finish_log(run: _Run, quarantine: pd.DataFrame, merged: int, rows_clean: int) -> None:
    log = run.log
    log.duplicates_merged = merged
    log.rows_clean, log.rows_quarantined = rows_clean, len(quarantine)
    log.quarantine_reasons = {k: int(v) for k, v in quarantine["reason"].value_counts().items()}
    log.fixes, log.unresolved = run.ctx.stats.fixes, run.ctx.stats.unresolved_list()
    log.warnings = quality_warnings(log, max_quarantined=run.max_quarantined)
    log.check()


def _connect(duckdb: Any, memory_limit: str | None, tmp: str) -> Any:
    """An in-memory database that spills to `tmp` past the limit (no database file to write
    and checkpoint), with no progress bar on the user's terminal."""
    con = duckdb.connect(":memory:", config={
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT, "temp_directory": tmp,
        "preserve_insertion_order": True,
    })  # fmt: skip
    con.execute("SET enable_progress_bar = false")
    return con


def _run_all(run: _Run, paths: list[Path], dayfirst: bool | None, staged: Path) -> pd.DataFrame:
    """Clean every file into DuckDB, deduplicate, write the clean table to `staged` and
    complete the log; return the quarantine."""
    for path in paths:
        _clean_file(run, path, dayfirst)
    _wait_for_insert(run)
    _merge_event_spellings(run)
    drop = _mark_duplicates(run)
    quarantine = _quarantine_table(run.quarantined)
    rows_clean = _write_clean(run, staged, drop)
    _finish_log(run, quarantine, int(drop.sum()), rows_clean)
    return quarantine


def clean_files_duckdb(
    paths: Sequence[str | Path],
    kind: str,
    out_dir: str | Path,
    *,
    memory_limit: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    **options: Any,
) -> tuple[CleaningLog, dict[str, Path]]:
    """Read, clean and write like :func:`~wsisanalysis.clean.clean_files`, in bounded memory.

    `options` are :func:`~wsisanalysis.clean.clean_files`'s: ``mapping``, ``dayfirst``,
    ``strict``, ``event`` and ``max_quarantined``. The clean table is never held whole: it is
    written to ``DIR/<kind>.parquet`` and the log is returned. `memory_limit` (e.g. ``"4GB"``, default
    1GB) bounds DuckDB, which spills to a temporary folder inside `out_dir` beyond it; pandas
    holds one chunk of `chunk_rows` rows at a time.
    """
    unknown = set(options) - {"mapping", "dayfirst", "strict", "event", "max_quarantined"}
    if unknown:
        msg = (f"clean_files_duckdb got unknown options {sorted(unknown)}; expected mapping, "
               "dayfirst, strict, event or max_quarantined.")  # fmt: skip
        raise TypeError(msg)
    mapping, dayfirst = options.get("mapping"), options.get("dayfirst")
    if not paths:
        msg = "No input files given. Pass one or more exports (CSV, XLSX or Parquet)."
        raise WsisAnalysisError(msg)
    duckdb = _duckdb()
    return_large_blocks()  # freed temporary columns of each chunk go back to the system
    spec = kind_spec(kind)
    user = mapping if isinstance(mapping, UserMapping) else load_mapping(mapping)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    secret, key_source = resolve_key(None, key_dir=out)
    outputs = output_paths(out, spec.name)
    with tempfile.TemporaryDirectory(dir=out, prefix=".duckdb-") as tmp:
        con = _connect(duckdb, memory_limit, tmp)
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-insert")
        try:
            run = _Run(spec, Context(mapping=user, key=secret, dayfirst=dayfirst),
                       CleaningLog(kind=spec.name, key_source=key_source, dedupe_rule=spec.dedupe_rule),
                       con, chunk_rows, options.get("event"), worker=worker)  # fmt: skip
            run.max_quarantined = options.get("max_quarantined", DEFAULT_MAX_QUARANTINED)
            staged = Path(tmp) / outputs["clean"].name
            quarantine = _run_all(run, [Path(p) for p in paths], dayfirst, staged)
            if options.get("strict") and run.log.unresolved:
                raise_if_strict(run.log)
        finally:
            worker.shutdown(wait=True)
            con.close()
        shutil.move(staged, outputs["clean"])
    write_csv(quarantine, outputs["quarantine"])
    text = json.dumps(run.log.to_dict(), indent=2, ensure_ascii=False, default=str)
    outputs["log"].write_text(text + "\n", encoding="utf-8")
    return run.log, outputs
