"""From raw exports to the canonical tables (DESIGN §2.2, §3.1), with nothing lost.

Every input row ends in exactly one place: the clean table, the quarantine (with a reason
code and its original values), or the count of merged duplicates::

    rows_in == rows_clean + rows_quarantined + duplicates_merged

Names and e-mails are turned into ``participant_id`` and dropped; only the quarantine file,
which belongs in a git-ignored folder, keeps raw values.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._text import map_distinct, strip_tags
from wsisanalysis.errors import UnknownLabelError, WsisAnalysisError
from wsisanalysis.normalize.countries import match_many
from wsisanalysis.normalize.dates import parse_dates
from wsisanalysis.normalize.headers import match_headers, require_columns
from wsisanalysis.normalize.mapping import UserMapping, load_mapping
from wsisanalysis.normalize.pseudonym import hash_identities, pseudonymize, resolve_key
from wsisanalysis.normalize.vocabularies import (
    LabelMapper,
    activity_mapper,
    community_mapper,
    gender_mapper,
    map_topics,
    mode_mapper,
    newcomer_mapper,
    stakeholder_mapper,
    topic_mapper,
)
from wsisanalysis.read import RawTable, read_export
from wsisanalysis.reference import reference_countries
from wsisanalysis.write import write_csv

logger = logging.getLogger(__name__)

Kind = Literal["participation", "engagement"]
KINDS: tuple[str, ...] = ("participation", "engagement")

#: Quarantine reason codes and what they mean (documented in the cleaning log).
REASONS = {
    "empty_row": "every cell is blank",
    "missing_event": "participation row without an event",
    "missing_identity": "individual record with no e-mail, name or participant id",
    "missing_date": "engagement row without a date",
    "invalid_date": "a date is present but cannot be read in any supported format",
    "invalid_count": "count is not a whole number >= 0",
    "invalid_reach": "reach is not a whole number >= 0",
}

_IDENTITY = (C.EMAIL, C.NAME, C.FIRST_NAME, C.LAST_NAME, C.PARTICIPANT_ID)
REQUIRED = {
    "participation": ((C.EVENT,), (*_IDENTITY, C.COUNT)),
    "engagement": ((C.DATE,), (C.ACTIVITY_TYPE,)),
}
_FREE_TEXT = (C.EVENT, C.SESSION, C.ROLE, C.ORGANISATION, C.PROCESS, C.CHANNEL)
_EMAIL_LIKE = re.compile(r"[^\s@<>\"',;]+@[^\s@<>\"',;]+")
EMAIL_PLACEHOLDER = "[e-mail removed]"
_INTEGER = re.compile(r"^\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+$|^\d+(?:\.0+)?$")


@dataclass
class CleaningResult:
    """The outcome of cleaning: ``clean`` table, ``quarantine`` rows and the ``log`` (a dict)."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    log: dict[str, Any]
    kind: str = "participation"

    def check(self) -> None:
        """Raise if the row invariant does not hold (it always should)."""
        log = self.log
        if (
            log["rows_in"]
            != log["rows_clean"] + log["rows_quarantined"] + log["duplicates_merged"]
        ):
            msg = (
                f"row invariant broken: {log['rows_in']} in, {log['rows_clean']} clean, "
                f"{log['rows_quarantined']} quarantined, {log['duplicates_merged']} merged"
            )
            raise AssertionError(msg)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<kind>.parquet``, ``<kind>_quarantine.csv`` and ``<kind>_cleaning.json``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "clean": out / f"{self.kind}.parquet",
            "quarantine": out / f"{self.kind}_quarantine.csv",
            "log": out / f"{self.kind}_cleaning.json",
        }
        self.clean.to_parquet(paths["clean"], index=False)
        write_csv(self.quarantine, paths["quarantine"])
        paths["log"].write_text(
            json.dumps(self.log, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        return paths


@dataclass
class _Unresolved:
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    candidates: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, column: str, label: str, rows: int, candidates: str = "") -> None:
        key = (column, _EMAIL_LIKE.sub(EMAIL_PLACEHOLDER, label))
        self.rows[key] = self.rows.get(key, 0) + rows
        if candidates:
            self.candidates[key] = candidates

    def as_list(self) -> list[dict[str, Any]]:
        items = sorted(self.rows.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
        return [
            {
                "column": c,
                "label": label,
                "rows": n,
                "candidates": self.candidates.get((c, label), ""),
            }
            for (c, label), n in items
        ]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; datetimes as ISO dates, whole floats without ``.0``."""
    out = {}
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
        elif pd.api.types.is_bool_dtype(col):
            text = col.astype("str").str.lower()
        elif pd.api.types.is_float_dtype(col):
            text = col.map(
                lambda v: str(int(v)) if float(v).is_integer() else repr(float(v)),
                na_action="ignore",
            )
        elif isinstance(col.dtype, pd.CategoricalDtype):
            text = col.astype(object)
        else:
            text = col
        out[str(name)] = pd.Series(text, index=frame.index, dtype="str")
    return pd.DataFrame(out, index=frame.index)


def _integer(series: pd.Series, *, default: int | None) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers (``1,578`` allowed); return values and an invalid mask."""
    text = series.str.strip()
    blank = text.isna() | (text == "")
    ok = text.str.match(_INTEGER, na=False)
    digits = (
        text.where(ok)
        .str.replace(r"[,\u202f\u00a0 ]", "", regex=True)
        .str.replace(r"\.0+$", "", regex=True)
    )
    values = pd.to_numeric(digits, errors="coerce").astype("Int64")
    if default is not None:
        values = values.mask(blank, default)
    return values, ~blank & ~ok


def _map_column(
    values: pd.Series,
    mapper: LabelMapper,
    unresolved: _Unresolved,
    stats: dict[str, dict[str, int]],
    column: str,
) -> pd.Series:
    mapped, distinct = mapper.map_series(values)
    for method, rows in distinct.groupby("method")["rows"].sum().items():
        stats.setdefault(column, {})[str(method)] = stats.get(column, {}).get(
            str(method), 0
        ) + int(rows)
    for row in distinct[distinct["method"] == "unresolved"].itertuples():
        unresolved.add(column, str(row.label), int(row.rows))
    return mapped


def _countries(
    values: pd.Series,
    user: dict[str, str],
    unresolved: _Unresolved,
    stats: dict[str, dict[str, int]],
) -> pd.Series:
    from wsisanalysis._text import fold

    user_folded = {fold(k): v.strip().upper() for k, v in user.items()}
    valid = set(reference_countries()["iso2"])
    bad = {k: v for k, v in user.items() if v.strip().upper() not in valid}
    if bad:
        from wsisanalysis.errors import MappingFileError

        msg = f"The mapping's countries section names unknown ISO codes: {bad}. Use ISO 3166-1 alpha-2 codes (e.g. GB)."
        raise MappingFileError(msg)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    labels = list(uniques)
    keys = [fold(strip_tags(str(label))) for label in labels]
    found = match_many(
        [label for label, key in zip(labels, keys, strict=True) if key not in user_folded]
    )
    builtin = iter(found)
    iso: list[str | None] = []
    for label, key, n in zip(labels, keys, counts, strict=True):
        if key in user_folded:
            iso.append(user_folded[key])
            method = "user"
        else:
            match = next(builtin)
            iso.append(match.iso2)
            method = match.method
            if match.iso2 is None and match.reason != "empty":
                cands = "; ".join(f"{c} ({s:g})" for c, s in match.candidates)
                unresolved.add(C.COUNTRY_ISO2, str(label), int(n), cands or match.reason)
        stats.setdefault(C.COUNTRY_ISO2, {})[method] = stats.get(C.COUNTRY_ISO2, {}).get(
            method, 0
        ) + int(n)
    blank = int((codes < 0).sum())
    if blank:
        bucket = stats.setdefault(C.COUNTRY_ISO2, {})
        bucket["empty"] = bucket.get("empty", 0) + blank
    out = np.array([*iso, None], dtype=object)[codes]
    return pd.Series(out, index=values.index, dtype="str", name=C.COUNTRY_ISO2)


def _add_reference(frame: pd.DataFrame) -> pd.DataFrame:
    """Join the reference columns by position: one lookup per distinct country."""
    ref = reference_countries()
    position = pd.Index(ref["iso2"]).get_indexer(frame[C.COUNTRY_ISO2].fillna(""))
    missing = position < 0
    take = np.where(missing, 0, position)
    joined = {}
    for col in C.REFERENCE_COLUMNS:
        source = ref[col]
        if isinstance(source.dtype, pd.CategoricalDtype):
            codes = np.where(missing, -1, source.cat.codes.to_numpy()[take])
            joined[col] = pd.Categorical.from_codes(codes, categories=source.cat.categories)
        else:
            values = source.to_numpy(dtype=object, na_value=None)[take]
            values[missing] = None
            joined[col] = pd.array(values, dtype=source.dtype)
    return frame.assign(**joined)


def _record_ids(source: pd.Series, row: pd.Series) -> pd.Series:
    """``<source>:<row>`` for every row, built in one arrow kernel per file (no temporaries)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    files = source.astype("category")
    rows = pa.array(row.to_numpy(dtype="int64", na_value=0)).cast(pa.string())
    if len(files.cat.categories) == 1:
        prefix = pa.scalar(str(files.cat.categories[0]) + ":")
        joined = pc.binary_join_element_wise(prefix, rows, "")
        return pd.Series(joined, index=source.index, dtype="str")
    return source.astype("str") + ":" + pd.Series(rows, index=source.index, dtype="str")


def _strip_tags(series: pd.Series) -> pd.Series:
    return map_distinct(series, strip_tags)


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Prepared:
    table: pd.DataFrame  # canonical column names, text
    raw: pd.DataFrame  # original headers, text (for the quarantine)
    source: pd.Series
    source_row: pd.Series
    file_log: dict[str, Any]


def _prepare(table: RawTable, kind: str, mapping: UserMapping) -> _Prepared:
    frame = _as_text(table.frame)
    found = match_headers(frame.columns, mapping.columns)
    require_columns(found, REQUIRED[kind], source=table.source, kind=kind)
    canonical = frame[list(found.mapping)].set_axis(list(found.mapping.values()), axis=1)
    # provenance columns already in the input (re-cleaning a clean table) are kept
    source = (
        canonical.pop(C.SOURCE)
        if C.SOURCE in canonical
        else pd.Series(
            pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [table.source]),
            index=frame.index,
        )
    )
    source_row = (
        pd.to_numeric(canonical.pop(C.SOURCE_ROW), errors="coerce").astype("Int64")
        if C.SOURCE_ROW in canonical
        else pd.Series(table.source_rows, index=frame.index, dtype="Int64")
    )
    file_log = {
        "file": table.source,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "header_row": table.header_row,
        "rows": len(frame),
        "columns_mapped": found.mapping,
        "columns_ignored": found.ignored,
        "columns_duplicated": found.duplicates,
        "notes": list(table.notes),
    }
    return _Prepared(canonical, frame, source, source_row, file_log)


def _clean_one(
    prepared: _Prepared,
    kind: str,
    *,
    dayfirst: bool | None,
    log: dict[str, Any],
    unresolved: _Unresolved,
    stats: dict,
    key: bytes,
    mapping: UserMapping,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = prepared.table
    n = len(t)
    idx = t.index

    stripped: dict[str, pd.Series] = {}

    def col(name: str) -> pd.Series:
        if name not in stripped:
            if name in t:
                s = t[name].str.strip()
                stripped[name] = s.mask(s == "")
            else:
                stripped[name] = pd.Series(pd.NA, index=idx, dtype="str")
        return stripped[name]

    def raw_col(name: str) -> pd.Series:
        """The column as read, for values normalized per distinct value (no full-column copy)."""
        return t[name] if name in t else pd.Series(pd.NA, index=idx, dtype="str")

    reason = pd.Series(pd.NA, index=idx, dtype="str")

    def flag(mask: pd.Series, code: str) -> None:
        nonlocal reason
        reason = reason.mask(mask & reason.isna(), code)

    blank_raw = pd.Series(np.ones(n, dtype=bool), index=idx)
    for column in prepared.raw.columns:  # blank = missing, empty or white space only (no copies)
        cells = prepared.raw[column]
        empty = cells.isna() | (cells.str.len() == 0) | cells.str.isspace()
        blank_raw &= empty.fillna(True).astype(bool)
    flag(blank_raw, "empty_row")

    count, bad_count = _integer(col(C.COUNT), default=1)
    flag(bad_count, "invalid_count")

    dates = parse_dates(col(C.DATE), dayfirst=dayfirst)
    flag(dates.invalid, "invalid_date")
    prepared.file_log["dates"] = {
        "dayfirst": dates.dayfirst,
        "order_evidence": dates.order_evidence,
        "forms": dates.counts,
    }

    out: dict[str, Any] = {}
    if kind == "participation":
        flag(col(C.EVENT).isna(), "missing_event")
        name = col(C.NAME)
        if C.FIRST_NAME in t or C.LAST_NAME in t:
            joined = (col(C.FIRST_NAME).fillna("") + " " + col(C.LAST_NAME).fillna("")).str.strip()
            name = name.fillna(joined.mask(joined == ""))
        pid = (
            pseudonymize(  # normalizes e-mails, names and organisations itself
                raw_col(C.EMAIL) if C.EMAIL in t else None,
                name if name.notna().any() else None,
                raw_col(C.ORGANISATION) if C.ORGANISATION in t else None,
                key=key,
            )
            if (C.EMAIL in t or name.notna().any())
            else pd.Series(pd.NA, index=idx, dtype="str")
        )
        existing = col(C.PARTICIPANT_ID)
        ours = existing.str.match(r"^p_[0-9a-f]{16}$", na=False)
        pid = pid.fillna(existing.where(ours))  # re-cleaning a clean table keeps its ids
        # an export's own participant ids are pseudonymized like e-mails (namespaced "id:")
        theirs = existing.where(~ours & existing.notna())
        if theirs.notna().any():
            pid = pid.fillna(hash_identities("id:" + theirs, key=key))
        aggregate = C.COUNT in t
        flag(pid.isna() & ~pd.Series(aggregate, index=idx), "missing_identity")
        out[C.PARTICIPANT_ID] = pid
        out[C.EVENT] = _strip_tags(col(C.EVENT))
    else:
        flag(col(C.DATE).isna(), "missing_date")
        reach, bad_reach = _integer(col(C.REACH), default=None)
        flag(bad_reach, "invalid_reach")
        out[C.REACH] = reach

    keep = reason.isna()
    quarantined = prepared.raw.loc[~keep].assign(
        **{
            C.SOURCE: prepared.source[~keep],
            C.SOURCE_ROW: prepared.source_row[~keep],
            "reason": reason[~keep],
        }
    )
    t = t.loc[keep]
    sub = lambda s: s.loc[keep] if isinstance(s, pd.Series) else s
    out = {k: sub(v) for k, v in out.items()}

    def kcol(name: str) -> pd.Series:
        return sub(col(name))

    def krawcol(name: str) -> pd.Series:
        return sub(raw_col(name))

    source, source_row = sub(prepared.source), sub(prepared.source_row)
    record_id = _record_ids(source, source_row)
    if C.RECORD_ID in t:
        record_id = kcol(C.RECORD_ID).fillna(record_id)
    clean = pd.DataFrame(
        {C.RECORD_ID: record_id, C.SOURCE: source, C.SOURCE_ROW: source_row}, index=t.index
    )
    clean[C.DATE] = dates.values[keep]
    clean[C.COUNTRY_ISO2] = _countries(
        krawcol(C.COUNTRY), mapping.labels.get("countries", {}), unresolved, stats
    )
    sg_mapper = stakeholder_mapper().with_user_aliases(
        mapping.labels.get("stakeholder_groups", {})
    )
    cm_mapper = community_mapper().with_user_aliases(mapping.labels.get("communities", {}))
    clean[C.STAKEHOLDER_GROUP] = _map_column(
        krawcol(C.STAKEHOLDER_GROUP), sg_mapper, unresolved, stats, C.STAKEHOLDER_GROUP
    )
    clean[C.COMMUNITY] = _map_column(
        krawcol(C.COMMUNITY), cm_mapper, unresolved, stats, C.COMMUNITY
    )
    clean[C.COUNT] = count[keep]
    for name, value in out.items():
        clean[name] = value
    if kind == "participation":
        clean[C.ATTENDANCE_MODE] = _map_column(
            krawcol(C.ATTENDANCE_MODE), mode_mapper(), unresolved, stats, C.ATTENDANCE_MODE
        )
        clean[C.NEWCOMER] = _map_column(
            krawcol(C.NEWCOMER), newcomer_mapper(), unresolved, stats, C.NEWCOMER
        )
        clean[C.GENDER] = _map_column(
            krawcol(C.GENDER), gender_mapper(), unresolved, stats, C.GENDER
        )
        clean[C.ROLE] = _strip_tags(krawcol(C.ROLE))
        clean[C.SESSION] = _strip_tags(krawcol(C.SESSION))
        columns = [
            *C.PARTICIPATION_COLUMNS[: -len(C.REFERENCE_COLUMNS)],
            C.SESSION,
            C.ORGANISATION,
        ]
        clean[C.ORGANISATION] = map_distinct(krawcol(C.ORGANISATION), _collapse_spaces)
    else:
        act = activity_mapper().with_user_aliases(mapping.labels.get("activity_types", {}))
        clean[C.ACTIVITY_TYPE] = _map_column(
            krawcol(C.ACTIVITY_TYPE), act, unresolved, stats, C.ACTIVITY_TYPE
        )
        topics, distinct = map_topics(
            krawcol(C.TOPICS), topic_mapper().with_user_aliases(mapping.labels.get("topics", {}))
        )
        clean[C.TOPICS] = topics
        for row in distinct[distinct["method"] == "unresolved"].itertuples():
            unresolved.add(C.TOPICS, str(row.label), int(row.rows))
        for name in (C.PROCESS, C.CHANNEL):
            clean[name] = _strip_tags(krawcol(name))
        clean[C.ORGANISATION] = map_distinct(krawcol(C.ORGANISATION), _collapse_spaces)
        columns = list(C.ENGAGEMENT_COLUMNS[: -len(C.REFERENCE_COLUMNS)])
    clean = clean[columns]
    scrubbed = 0
    for name in clean.columns:
        if pd.api.types.is_string_dtype(clean[name]) and name not in (
            C.RECORD_ID,
            C.SOURCE,
            C.PARTICIPANT_ID,
            C.COUNTRY_ISO2,
        ):
            has_email = clean[name].str.contains("@", regex=False, na=False)
            if has_email.any():
                scrubbed += int(has_email.sum())
                clean[name] = clean[name].mask(
                    has_email, clean[name].str.replace(_EMAIL_LIKE, EMAIL_PLACEHOLDER, regex=True)
                )
    if scrubbed:
        stats.setdefault("privacy", {})["emails_removed_from_text"] = (
            stats.get("privacy", {}).get("emails_removed_from_text", 0) + scrubbed
        )
    log.setdefault("files", []).append(prepared.file_log)
    return clean, quarantined


def _dedupe(clean: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, int]:
    if kind == "participation":
        person, _ = pd.factorize(clean[C.PARTICIPANT_ID], use_na_sentinel=True)
        event, events = pd.factorize(clean[C.EVENT], use_na_sentinel=True)
        pair = pd.Series(
            person.astype(np.int64) * (len(events) + 1) + event + 1
        )  # one integer per (id, event)
        dup = pd.Series(
            (person >= 0) & pair.duplicated(keep="first").to_numpy(), index=clean.index
        )
    else:
        content = [c for c in clean.columns if c not in (C.RECORD_ID, C.SOURCE, C.SOURCE_ROW)]
        dup = clean.duplicated(content, keep="first")
    merged = int(dup.sum())
    return (clean.loc[~dup] if merged else clean), merged


def clean_tables(
    tables: Sequence[RawTable],
    kind: str = "participation",
    *,
    mapping: UserMapping | str | Path | None = None,
    key: str | bytes | None = None,
    key_dir: str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
) -> CleaningResult:
    """Clean one or more read exports of the same kind into one canonical table.

    See :func:`clean_participation` for the parameters.
    """
    if kind not in KINDS:
        msg = f"Unknown kind {kind!r}. Expected one of: {', '.join(KINDS)}."
        raise WsisAnalysisError(msg)
    if not isinstance(mapping, UserMapping):
        mapping = load_mapping(mapping)
    secret, key_source = resolve_key(key, key_dir=key_dir)
    log: dict[str, Any] = {"kind": kind}
    unresolved = _Unresolved()
    stats: dict[str, dict[str, int]] = {}
    cleaned, quarantined = [], []
    rows_in = 0
    for table in tables:
        prepared = _prepare(table, kind, mapping)
        table = None
        rows_in += len(prepared.table)
        c, q = _clean_one(
            prepared,
            kind,
            dayfirst=dayfirst,
            log=log,
            unresolved=unresolved,
            stats=stats,
            key=secret,
            mapping=mapping,
        )
        cleaned.append(c)
        quarantined.append(q)
    clean = pd.concat(cleaned, ignore_index=True) if cleaned else pd.DataFrame()
    if C.SOURCE in clean:
        clean[C.SOURCE] = clean[C.SOURCE].astype("str").astype("category")  # one category per file
    clean, merged = _dedupe(clean, kind)
    clean = _add_reference(clean.reset_index(drop=True))
    for name, vocab in ((C.STAKEHOLDER_GROUP, C.STAKEHOLDER_GROUPS), (C.COMMUNITY, C.COMMUNITIES)):
        clean[name] = pd.Categorical(clean[name].astype(object), categories=vocab)
    if kind == "participation":
        for name, vocab in (
            (C.ATTENDANCE_MODE, C.ATTENDANCE_MODES),
            (C.NEWCOMER, C.NEWCOMER_VALUES),
            (C.GENDER, C.GENDERS),
        ):
            clean[name] = pd.Categorical(clean[name].astype(object), categories=vocab)
    else:
        clean[C.ACTIVITY_TYPE] = pd.Categorical(
            clean[C.ACTIVITY_TYPE].astype(object), categories=C.ACTIVITY_TYPES
        )
    quarantine = pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame()
    front = [C.SOURCE, C.SOURCE_ROW, "reason"]
    if len(quarantine.columns):
        quarantine = quarantine[front + [c for c in quarantine.columns if c not in front]]
    else:
        quarantine = pd.DataFrame(columns=front)
    unresolved_list = unresolved.as_list()
    log.update(
        rows_in=rows_in,
        rows_clean=len(clean),
        rows_quarantined=len(quarantine),
        duplicates_merged=merged,
        quarantine_reasons={k: int(v) for k, v in quarantine["reason"].value_counts().items()},
        reason_codes=REASONS,
        fixes=stats,
        unresolved=unresolved_list,
        pseudonymization={
            "key_source": key_source,
            "personal_columns_dropped": list(C.PERSONAL_COLUMNS),
        },
        dedupe_rule=(
            "same participant_id and event: the first record is kept"
            if kind == "participation"
            else "identical engagement records (all content columns equal): the first is kept"
        ),
    )
    result = CleaningResult(clean, quarantine, log, kind)
    result.check()
    if strict and unresolved_list:
        lines = "\n".join(
            f"  - {u['column']}: {u['label']!r} ({u['rows']} rows){'; candidates: ' + u['candidates'] if u['candidates'] else ''}"
            for u in unresolved_list
        )
        msg = (
            f"--strict: {len(unresolved_list)} labels could not be resolved:\n{lines}\n"
            "Add them to a mapping file (--mapping) under countries, stakeholder_groups, "
            "communities, activity_types or topics, or run without --strict to record them as unknown."
        )
        raise UnknownLabelError(msg, unresolved_list)
    return result


def _tables_from(
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any], source: str | None
) -> list[RawTable]:
    if isinstance(data, pd.DataFrame):
        return [RawTable(data, source or "frame", np.arange(1, len(data) + 1), "frame")]
    if isinstance(data, RawTable):
        return [data]
    if isinstance(data, (str, Path)):
        return [read_export(data)]
    return [t for item in data for t in _tables_from(item, source)]


def clean_participation(
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any],
    *,
    source: str | None = None,
    mapping: UserMapping | str | Path | None = None,
    key: str | bytes | None = None,
    key_dir: str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
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
        Raise :class:`~wsisanalysis.errors.UnknownLabelError` listing every unresolved label.

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
    >>> result.clean["country_iso2"].tolist()
    ['US', 'CI']
    >>> {k: result.log[k] for k in ("rows_in", "rows_clean", "rows_quarantined", "duplicates_merged")}
    {'rows_in': 4, 'rows_clean': 2, 'rows_quarantined': 1, 'duplicates_merged': 1}
    """
    return clean_tables(
        _tables_from(data, source),
        "participation",
        mapping=mapping,
        key=key,
        key_dir=key_dir,
        dayfirst=dayfirst,
        strict=strict,
    )


def clean_engagement(
    data: pd.DataFrame | RawTable | str | Path | Iterable[Any],
    *,
    source: str | None = None,
    mapping: UserMapping | str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
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
    )


def clean_files(
    paths: Sequence[str | Path],
    kind: str,
    out_dir: str | Path,
    *,
    mapping: str | Path | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
) -> tuple[CleaningResult, dict[str, Path]]:
    """Read, clean and write: what ``wsisanalysis clean`` does."""
    if not paths:
        msg = "No input files given. Pass one or more exports (CSV, XLSX or Parquet)."
        raise WsisAnalysisError(msg)
    tables = (read_export(p) for p in paths)  # streamed: one raw export in memory at a time
    result = clean_tables(
        tables, kind, mapping=mapping, key_dir=out_dir, dayfirst=dayfirst, strict=strict
    )
    return result, result.write(out_dir)
