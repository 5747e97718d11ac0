"""The steps of cleaning one export: text access, value parsers and column mappers.

Parsers run on every row before quarantine (counts, dates, participant ids, reach); column
steps run on the rows that passed and return canonical output columns. Every mapper works
once per distinct value (see :mod:`wsisanalysis.normalize`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._text import fold, map_distinct, strip_tags
from wsisanalysis.clean.log import FileLog, LabelStats
from wsisanalysis.clean.provenance import scrub_emails as scrub_text
from wsisanalysis.errors import MappingFileError
from wsisanalysis.normalize.countries import holds_codes, match_many
from wsisanalysis.normalize.dates import parse_dates
from wsisanalysis.normalize.mapping import UserMapping
from wsisanalysis.normalize.pseudonym import hash_identities, pseudonymize
from wsisanalysis.normalize.vocabularies import LabelMapper, map_topics
from wsisanalysis.reference import development_flags, reference_countries

_INTEGER = re.compile(r"^\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+$|^\d+(?:\.0+)?$")
_OUR_ID = r"^p_[0-9a-f]{16}$"
_MAX_DIGITS = 18
_YEAR = r"(?<!\d)(\d{4})(?!\d)"
_YEARS = (1900, 2100)
_SAMPLE = 10_000  # rows looked at before factorizing a column (see per_distinct)
_ARABIC_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})
#: Columns that never hold free text, so the e-mail scrub leaves them alone.
_NOT_FREE_TEXT = (C.RECORD_ID, C.SOURCE, C.PARTICIPANT_ID, C.COUNTRY_ISO2)


@dataclass
class Context:
    """What every step of one cleaning run shares: options, key, and what the log collects."""

    mapping: UserMapping
    key: bytes
    dayfirst: bool | None
    stats: LabelStats = field(default_factory=LabelStats)
    file_log: FileLog | None = None
    anonymous: bool = False  # the file's responses may be anonymous (form responses)
    #: Whether the country column is a column of codes (None: decided from the rows cleaned,
    #: as the pandas path does per export; the DuckDB engine decides it for a whole table).
    country_codes: bool | None = None
    #: Collects the distinct country labels of the rows cleaned, when set (DuckDB engine).
    country_labels: set[str] | None = None


class Cells:
    """Column access for one export: raw text, or stripped text with blanks as missing."""

    def __init__(self, table: pd.DataFrame, raw: pd.DataFrame) -> None:
        self.table = table  # canonical column names, text
        self.raw = raw  # original headers, text (for the quarantine)
        self._stripped: dict[str, pd.Series] = {}
        self._as_read: set[str] = set()  # stripped columns that are the column as read
        self._absent: pd.Series | None = None  # one all-missing column for every absent one

    @property
    def index(self) -> pd.Index:
        """The rows of the export."""
        return self.table.index

    def has(self, name: str) -> bool:
        """Whether the export has a column mapped to `name`."""
        return name in self.table

    def column(self, name: str) -> pd.Series:
        """The column as read (all missing if absent): for mappers that work per distinct value."""
        if name in self.table:
            return self.table[name]
        if self._absent is None:  # shared by every absent column (8 MB each at 1M rows)
            self._absent = pd.Series(pd.NA, index=self.index, dtype="str")
        return self._absent

    def stripped(self, name: str) -> pd.Series:
        """The column with white space stripped and blank cells missing (computed once)."""
        if name not in self._stripped:
            column = self.column(name)
            text = column.str.strip()
            blank = text == ""
            if blank.any():
                text = text.mask(blank)
            # nothing to strip (the common case): the column as read, not a second copy
            if text.equals(column):
                text = column
                self._as_read.add(name)
            self._stripped[name] = text
        return self._stripped[name]

    def release(self, names: list[str]) -> None:
        """Let go of these columns (a step has made its clean column of them)."""
        present = [name for name in names if name in self.table]
        if present:
            self.table = self.table.drop(columns=present)
        for name in names:
            self._stripped.pop(name, None)

    def take(self, keep: pd.Series, without: tuple[str, ...] = ()) -> Cells:
        """The same access restricted to the rows in `keep`, moving the columns out of this
        one (which is left empty): without the raw columns, which only quarantine needs, nor
        the canonical columns in `without`, which no later step reads.

        Column by column, each as read let go once its rows are taken, and not copied at all
        when every row is kept; a stripped column that is the column as read stays one
        array (filtering the two would copy it twice).
        """
        every = bool(keep.all())
        rows = None if every else np.flatnonzero(keep.to_numpy(dtype=bool))
        index = self.table.index if rows is None else self.table.index[rows]
        # the quarantine has its rows: the raw and canonical frames share their arrays, which
        # go once both let them go (the caller's frames are not changed)
        work = self.table.copy(deep=False)
        self.raw, self.table = self.raw.iloc[:, :0], self.table.iloc[:, :0]
        taken: dict[str, pd.Series] = {}
        stripped: dict[str, pd.Series] = {}
        for name in [c for c in work.columns if c not in without]:
            column = work.pop(name)
            text = self._stripped.pop(name, None)
            taken[name] = column if rows is None else column.iloc[rows]
            if text is not None:
                as_read = name in self._as_read
                stripped[name] = taken[name] if as_read else _rows_of(text, rows)
        for name, text in self._stripped.items():  # stripped columns the table lacks
            if name not in without:
                stripped[name] = _rows_of(text, rows)
        del work
        self._stripped = {}
        kept = Cells(pd.DataFrame(taken, index=index, copy=False), pd.DataFrame(index=index))
        kept._stripped = stripped
        kept._as_read = {name for name in self._as_read if name in taken}
        return kept


def _rows_of(series: pd.Series, rows: np.ndarray | None) -> pd.Series:
    return series if rows is None else series.iloc[rows]


def per_distinct(series: pd.Series, compute: Any) -> tuple[pd.Series, ...]:
    """``compute(series)`` (a tuple of Series aligned with its argument), computed once per
    distinct value of `series` (missing values included) and taken back to every row.

    Exports repeat values (a million rows carry tens of thousands of distinct reaches and a
    few thousand distinct dates), so the string kernels run over a small column.

    >>> per_distinct(pd.Series(["a", None, "a"], dtype="str"), lambda s: (s.isna(),))[0].tolist()
    [False, True, False]
    """
    if _mostly_distinct(series.iloc[:_SAMPLE]):  # e-mails, names: no table of a million values
        return tuple(compute(series))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if 2 * len(uniques) > len(series):  # mostly distinct: nothing to gain
        return tuple(compute(series))
    distinct = pd.Series(uniques, dtype=series.dtype).reindex(range(len(uniques) + 1))
    take = np.where(codes < 0, len(uniques), codes)  # missing: the appended last value
    return tuple(
        pd.Series(result.array.take(take), index=series.index, name=result.name)
        for result in compute(distinct)
    )


def _mostly_distinct(sample: pd.Series) -> bool:
    """Whether a column's first rows are mostly distinct values (a large sample only: the
    answer only decides how the same result is computed)."""
    return len(sample) >= _SAMPLE and 2 * sample.nunique(dropna=False) > len(sample)


def whole_numbers(series: pd.Series, *, default: int | None) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers (``1,578`` allowed); return the values and a mask of invalid cells.

    Works once per distinct value.

    >>> values, invalid = whole_numbers(pd.Series(["1,578", "", "2.5"], dtype="str"), default=1)
    >>> values.tolist(), invalid.tolist()
    ([1578, 1, <NA>], [False, False, True])
    """
    return per_distinct(series, lambda text: _whole_numbers(text, default))


def _whole_numbers(series: pd.Series, default: int | None) -> tuple[pd.Series, pd.Series]:
    text = series.str.strip()
    blank = text.isna() | (text == "")
    if not text.dropna().map(str.isascii).all():
        text = map_distinct(text, ascii_digits)
    ok = text.str.match(_INTEGER, na=False)
    digits = (
        text.where(ok)
        .str.replace(r"[,\u202f\u00a0 ]", "", regex=True)
        .str.replace(r"\.0+$", "", regex=True)
    )
    huge = digits.str.len() > _MAX_DIGITS  # >= 10**18: a typo, and past int64 at 2**63
    ok &= ~huge.fillna(False).astype(bool)
    values = pd.to_numeric(digits.where(ok), errors="coerce").astype("Int64")
    if default is not None:
        values = values.mask(blank, default)
    return values, ~blank & ~ok


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic, fullwidth, ...) as ASCII; Arabic separators too.

    >>> ascii_digits("\u0661\u0662"), ascii_digits("\uff13"), ascii_digits("\u0663\u066b\u0665")
    ('12', '3', '3.5')
    """
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC_SEPARATORS)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def blank_rows(cells: Cells) -> pd.Series:
    """Rows whose every cell is missing, empty or white space (no string copies).

    Each column is tested only on the rows still blank after the columns before it: past the
    first few columns of a real export there are none left to test.
    """
    blank = np.ones(len(cells.index), dtype=bool)
    for column in cells.raw.columns:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        values = cells.raw[column]
        part = values if len(rows) == len(values) else values.iloc[rows]
        blank[rows] = _empty(part)[0].to_numpy(dtype=bool)
    return pd.Series(blank, index=cells.index)


def _empty(values: pd.Series) -> tuple[pd.Series]:
    empty = values.isna() | (values.str.len() == 0) | values.str.isspace()
    return (empty.fillna(True).astype(bool),)


# --- parsers: every row, before quarantine ------------------------------------------------


def parse_count(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    """``count`` (1 where blank) and the rows whose count is not a whole number."""
    values, invalid = whole_numbers(cells.stripped(C.COUNT), default=1)
    return {C.COUNT: values, "invalid_count": invalid}


def parse_reach(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    """``reach`` (missing where blank) and the rows whose reach is not a whole number."""
    values, invalid = whole_numbers(cells.stripped(C.REACH), default=None)
    return {C.REACH: values, "invalid_reach": invalid}


def years_out_of_range(text: pd.Series) -> pd.Series:
    """Dates whose year is before 1900 or after 2100 (typos; pandas cannot hold them all).

    >>> years_out_of_range(pd.Series(["3025-01-02", "2025-01-02", None], dtype="str")).tolist()
    [True, False, False]
    """
    return per_distinct(text, _years_out_of_range)[0]


def _years_out_of_range(text: pd.Series) -> tuple[pd.Series]:
    years = pd.to_numeric(text.str.extract(_YEAR, expand=False), errors="coerce")
    return (((years < _YEARS[0]) | (years > _YEARS[1])).fillna(False).astype(bool),)


def parse_date_column(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    """``date`` parsed with the file's day/month order; how it was decided goes to the log.

    Dates with a year outside 1900-2100 are flagged ``date_out_of_range`` and not parsed (pandas
    cannot hold a year past 2262 or before 1677, and such a date is a typo in these exports).
    """
    text = cells.stripped(C.DATE)
    out_of_range = years_out_of_range(text)
    dates = parse_dates(text.mask(out_of_range), dayfirst=ctx.dayfirst)
    if ctx.file_log is not None:
        ctx.file_log.dates = {
            "dayfirst": dates.dayfirst,
            "order_evidence": dates.order_evidence,
            "forms": dates.counts,
        }
    return {
        C.DATE: dates.values,
        "invalid_date": dates.invalid,
        "date_out_of_range": out_of_range,
    }


def _person_name(cells: Cells) -> pd.Series:
    name = cells.stripped(C.NAME)
    if cells.has(C.FIRST_NAME) or cells.has(C.LAST_NAME):
        first = cells.stripped(C.FIRST_NAME).fillna("")
        joined = (first + " " + cells.stripped(C.LAST_NAME).fillna("")).str.strip()
        name = name.fillna(joined.mask(joined == ""))
    return name


def identify_participants(cells: Cells, ctx: Context) -> dict[str, pd.Series]:
    """``participant_id``: a keyed hash of e-mail, else name (+ organisation), else the export's id.

    Ids this project wrote (``p_`` + 16 hex digits) are kept when a clean table is re-cleaned;
    an export's own ids are hashed like e-mails, namespaced ``id:``.
    """
    name = _person_name(cells)
    has_name = bool(name.notna().any())
    if cells.has(C.EMAIL) or has_name:
        pid = pseudonymize(  # normalizes e-mails, names and organisations itself
            cells.column(C.EMAIL) if cells.has(C.EMAIL) else None,
            name if has_name else None,
            cells.column(C.ORGANISATION) if cells.has(C.ORGANISATION) else None,
            key=ctx.key,
            country=cells.column(C.COUNTRY) if cells.has(C.COUNTRY) else None,
        )
        if pid.attrs.get("shared_email_rows"):  # a delegation address: one id per name
            ctx.stats.count(
                C.PARTICIPANT_ID, "shared_email_split_by_name", pid.attrs["shared_email_rows"]
            )
    else:
        pid = pd.Series(pd.NA, index=cells.index, dtype="str")
    existing = cells.stripped(C.PARTICIPANT_ID)
    ours = existing.str.match(_OUR_ID, na=False)
    pid = pid.fillna(existing.where(ours))
    theirs = existing.where(~ours & existing.notna())
    if theirs.notna().any():
        pid = pid.fillna(hash_identities("id:" + theirs, key=ctx.key))
    return {C.PARTICIPANT_ID: pid}


# --- column steps: kept rows -> canonical output columns ----------------------------------


def map_label_column(
    values: pd.Series, mapper: LabelMapper, stats: LabelStats, column: str
) -> pd.Series:
    """Map a column through a vocabulary mapper, counting methods and unresolved labels."""
    mapped, distinct = mapper.map_series(values)
    for method, rows in distinct.groupby("method")["rows"].sum().items():
        stats.count(column, str(method), int(rows))
    for row in distinct[distinct["method"] == "unresolved"].itertuples():
        stats.unresolved(column, str(row.label), int(row.rows), str(row.candidates))
    return mapped


def _user_countries(user: Mapping[str, str]) -> dict[str, str]:
    """The mapping file's countries section, folded, with every code checked."""
    if not user:
        return {}
    valid = set(reference_countries()["iso2"])
    bad = {k: v for k, v in user.items() if v.strip().upper() not in valid}
    if bad:
        msg = (
            f"The mapping's countries section names unknown ISO codes: {bad}. "
            "Use ISO 3166-1 alpha-2 codes (e.g. GB)."
        )
        raise MappingFileError(msg)
    return {fold(k): v.strip().upper() for k, v in user.items()}


def _country_candidates(match: object) -> str:
    candidates = getattr(match, "candidates", ())
    return "; ".join(f"{c} ({s:g})" for c, s in candidates) or str(getattr(match, "reason", ""))


def holds_country_codes(labels: Iterable[object], user: Mapping[str, str]) -> bool:
    """Whether the distinct country `labels` the matcher sees (those the user's mapping does
    not settle) are mostly ISO codes: what :func:`countries` decides for a column."""
    user_folded = _user_countries(user)
    return holds_codes([lab for lab in labels if fold(strip_tags(str(lab))) not in user_folded])


def countries(
    values: pd.Series,
    user: Mapping[str, str],
    stats: LabelStats,
    codes: bool | None = None,
    seen: set[str] | None = None,
) -> pd.Series:
    """ISO alpha-2 codes for a raw country column: the user's mapping first, then the matcher.

    `codes`: whether the column is a column of codes (None: decided from `values`); `seen`
    collects the distinct labels."""
    user_folded = _user_countries(user)
    position, uniques = pd.factorize(values, use_na_sentinel=True)
    rows = np.bincount(position[position >= 0], minlength=len(uniques))
    labels = list(uniques)
    if seen is not None:
        seen.update(labels)
    keys = [fold(strip_tags(str(label))) for label in labels]
    left = [lab for lab, k in zip(labels, keys, strict=True) if k not in user_folded]
    builtin = iter(match_many(left, codes=codes))
    iso: list[str | None] = []
    for label, key, n in zip(labels, keys, rows, strict=True):
        if key in user_folded:
            iso.append(user_folded[key])
            stats.count(C.COUNTRY_ISO2, "user", int(n))
            continue
        match = next(builtin)
        iso.append(match.iso2)
        stats.count(C.COUNTRY_ISO2, match.method, int(n))
        if match.iso2 is None and match.reason != "empty":
            stats.unresolved(C.COUNTRY_ISO2, str(label), int(n), _country_candidates(match))
    blank = int((position < 0).sum())
    if blank:
        stats.count(C.COUNTRY_ISO2, "empty", blank)
    out = np.array([*iso, None], dtype=object)[position]
    return pd.Series(out, index=values.index, dtype="str", name=C.COUNTRY_ISO2)


def without_tags(series: pd.Series) -> pd.Series:
    """`series` with HTML tags removed (once per distinct value); `series` itself, not a copy,
    when no value changes (the clean column then shares the column as read).

    >>> text = pd.Series(["ICANN", None], dtype="str")
    >>> without_tags(text) is text, without_tags(pd.Series(["<b>A</b>"])).tolist()
    (True, ['A'])
    """
    uniques = pd.factorize(series, use_na_sentinel=True)[1].tolist()
    if pd.api.types.is_string_dtype(series) and all(strip_tags(u) == u for u in uniques):
        return series
    return map_distinct(series, strip_tags)


def tag_free_text(cells: Cells, names: tuple[str, ...]) -> dict[str, pd.Series]:
    """Free-text columns with HTML tags removed (once per distinct value)."""
    return {name: without_tags(cells.column(name)) for name in names}


def organisation(cells: Cells) -> pd.Series:
    """The organisation without markup, with runs of white space collapsed (once per distinct
    value)."""
    text = without_tags(cells.column(C.ORGANISATION))
    blank = text == ""
    return text.mask(blank) if blank.any() else text


def topics(cells: Cells, mapper: LabelMapper, stats: LabelStats) -> pd.Series:
    """Topics cells listing several topics, each mapped; unresolved parts go to the log."""
    mapped, distinct = map_topics(cells.column(C.TOPICS), mapper)
    for row in distinct[distinct["method"] == "unresolved"].itertuples():
        stats.unresolved(C.TOPICS, str(row.label), int(row.rows))
    return mapped


#: What every e-mail the scrub removes contains (its "at", plain or disguised), case aside:
#: a column with none of these anywhere has nothing to scrub.
#: (A pattern without flags: pandas runs it in arrow's RE2 kernel, without Python strings.)
_AT_SIGNS = r"(?is)@|＠|﹫|%40|&#|&commat;|[\[({<].*at"


def may_hold_email(text: pd.Series) -> bool:
    """Whether any cell of `text` could hold an e-mail :func:`scrub_emails` would remove (one
    pass over the column, no table of its distinct values).

    >>> may_hold_email(pd.Series(["Org 1", None])), may_hold_email(pd.Series(["a (at) b.org"]))
    (False, True)
    """
    return bool(text.str.contains(_AT_SIGNS, na=False).any())


def scrub_emails(clean: pd.DataFrame, stats: LabelStats) -> pd.DataFrame:
    """Replace e-mails (plain or disguised) in every free-text column, counting changed rows.

    Works once per distinct value.
    """
    import pyarrow as pa

    scrubbed = 0
    for name in clean.columns:
        if name in _NOT_FREE_TEXT or not pd.api.types.is_string_dtype(clean[name]):
            continue
        if not may_hold_email(clean[name]):
            continue
        codes, uniques = pd.factorize(clean[name], use_na_sentinel=True)
        distinct = uniques.tolist()
        replaced = [scrub_text(value) for value in distinct]
        changed = np.array([a != b for a, b in zip(replaced, distinct, strict=True)], dtype=bool)
        if changed.any():
            scrubbed += int(changed[codes[codes >= 0]].sum())
            values = pa.array(replaced, pa.large_string()).take(pa.array(codes, mask=codes < 0))
            clean[name] = pd.Series(values, index=clean.index, dtype="str")
    if scrubbed:
        stats.count("privacy", "emails_removed_from_text", scrubbed)
    return clean


# --- whole-table steps ---------------------------------------------------------------------


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
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


def record_ids(source: pd.Series, row: pd.Series) -> pd.Series:
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


def add_reference(frame: pd.DataFrame) -> pd.DataFrame:
    """Join the reference columns by position: one lookup per distinct country. The LDC,
    LLDC and SIDS flags are those in force on each row's date (today where it has none)."""
    ref = reference_countries()
    codes, uniques = pd.factorize(frame[C.COUNTRY_ISO2], use_na_sentinel=True)
    # one lookup per distinct code (missing: -1, the appended last position)
    position = np.append(pd.Index(ref["iso2"]).get_indexer(uniques), -1)[codes]
    missing = position < 0
    take = np.where(missing, 0, position)
    joined = {}
    for col in C.REFERENCE_COLUMNS:
        source = ref[col]
        if isinstance(source.dtype, pd.CategoricalDtype):
            codes = np.where(missing, -1, source.cat.codes.to_numpy()[take])
            joined[col] = pd.Categorical.from_codes(codes, categories=source.cat.categories)
        else:  # an arrow-backed take: no Python objects per row
            joined[col] = source.array.take(np.where(missing, -1, position), allow_fill=True)
    flags = development_flags(frame[C.COUNTRY_ISO2], frame.get(C.DATE))
    joined.update({col: flags[col].array for col in flags})
    return frame.assign(**joined)


def as_categories(
    frame: pd.DataFrame, vocabularies: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Each vocabulary column as a categorical over its whole vocabulary."""
    for name, vocabulary in vocabularies.items():
        frame[name] = frame[name].astype(pd.CategoricalDtype(list(vocabulary)))
    return frame
