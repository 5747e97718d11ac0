"""Parse the dates exports carry: ISO, dd/mm/yyyy or mm/dd/yyyy, Excel serials, month names.

Each distinct string is parsed once, with explicit formats only (``format="mixed"`` is two
orders of magnitude slower); times may follow on a 24- or 12-hour clock ("Nov 18, 2026
01:05:44 PM", "11/20/26, 1:45:02 PM"). Whether ``03/04/2025`` is 3 April or 4 March is decided
per file: from the values themselves when one of them settles it (a first number above 12 means
day-first), else from the caller's ``dayfirst`` parameter, else month-first when the times carry
AM/PM (the clock of US-style exports), else day-first with a note. The few distinct strings
left (month names in Arabic, Chinese, French, Russian or Spanish, ordinals) go to
``dateparser``, restricted to absolute dates that name a day, a month and a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_YMD_SLASH = r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$"
_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp])\.?\s?[Mm]\.?)?"
_NUMERIC_DMY = rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{2}}|\d{{4}})(?:,?[ T]\s*{_CLOCK})?$"
_TEXT_WITH_CLOCK = rf"^(.*[^\W\d_].*?\d{{2,4}}),?\s+{_CLOCK}$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_RANGE = (25569, 73051)  # 1970-01-01 .. 2099-12-31
_TEXT_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b. %Y",
    "%A, %B %d, %Y",
    "%A %d %B %Y",
    "%Y%m%d",
)
#: The languages dateparser may read: the six official languages of the UN.
UN_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
_FALLBACK_MAX_LENGTH = 60


@dataclass(frozen=True)
class DateParse:
    """Parsed dates for one column, with what was decided on the way."""

    values: pd.Series  # datetime64[ns]; NaT where empty or unparseable
    invalid: pd.Series  # bool: a value was present but could not be read as a date
    dayfirst: bool | None  # the order used for dd/mm vs mm/dd, None if no such values
    order_evidence: str  # "data", "parameter", "12-hour clock", "default" or "none"
    counts: dict[str, int]  # rows parsed per form (iso, dmy, mdy, serial, text, dateparser)


@dataclass
class _Distinct:
    """The distinct strings of a column and what has been parsed of them so far."""

    text: pd.Series
    parsed: pd.Series = field(init=False)
    form: pd.Series = field(init=False)

    def __post_init__(self) -> None:
        self.parsed = pd.Series(pd.NaT, index=self.text.index, dtype="datetime64[ns]")
        self.form = pd.Series("", index=self.text.index, dtype=object)

    def open(self) -> pd.Series:
        """Strings present and not parsed yet."""
        return self.parsed.isna() & self.text.notna() & (self.text != "")

    def set(self, mask: pd.Series, values: pd.Series, form: str) -> None:
        hit = mask & values.reindex(self.text.index).notna()
        self.parsed[hit] = values[hit[hit].index].astype("datetime64[ns]")
        self.form[hit] = form


def _clock(parts: pd.DataFrame, first: int) -> pd.Series:
    """Time of day from the clock groups starting at column `first` (hour, minute, second,
    a/p); NaT where the clock is out of range, a zero offset where there is no clock."""
    hour = pd.to_numeric(parts[first]).fillna(0)
    minute = pd.to_numeric(parts[first + 1]).fillna(0)
    second = pd.to_numeric(parts[first + 2]).fillna(0)
    half = parts[first + 3].str.lower()
    twelve = half.notna()
    ok = (minute < 60) & (second < 60) & ((~twelve & (hour < 24)) | (twelve & hour.between(1, 12)))
    hour = hour.where(~twelve, hour % 12 + np.where(half == "p", 12, 0))
    offset = pd.to_timedelta(hour * 3600 + minute * 60 + second, unit="s")
    return offset.where(ok)


def _numeric_order(
    first: pd.Series, second: pd.Series, dayfirst: bool | None, twelve_hour: bool
) -> tuple[bool | None, str]:
    if first.empty:
        return None, "none"
    day_first_evidence = bool((first > 12).any())
    month_first_evidence = bool((second > 12).any())
    if dayfirst is not None:
        return dayfirst, "parameter"
    if day_first_evidence and not month_first_evidence:
        return True, "data"
    if month_first_evidence and not day_first_evidence:
        return False, "data"
    if day_first_evidence and month_first_evidence:
        # both forms in one file: follow the majority of decisive values
        return bool((first > 12).sum() >= (second > 12).sum()), "data (mixed)"
    if twelve_hour:
        return False, "12-hour clock"
    return True, "default"


def _parse_iso(state: _Distinct) -> None:
    iso = state.text.str.match(_ISO)
    if iso.any():
        values = pd.to_datetime(state.text[iso], format="ISO8601", errors="coerce", utc=True)
        state.set(iso, values.dt.tz_convert(None), "iso")
    ymd = state.text.str.match(_YMD_SLASH) & state.open()
    if ymd.any():
        normal = state.text[ymd].str.replace(".", "/", regex=False)
        state.set(ymd, pd.to_datetime(normal, format="%Y/%m/%d", errors="coerce"), "iso")


def _parse_numeric(state: _Distinct, dayfirst: bool | None) -> tuple[bool | None, str]:
    """``nn/nn/yyyy`` dates, with a time on either clock; returns the order used."""
    parts = state.text.str.extract(_NUMERIC_DMY)
    numeric = parts[0].notna() & state.open()
    parts = parts[numeric]
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    order, evidence = _numeric_order(first, second, dayfirst, bool(parts[6].notna().any()))
    if not numeric.any():
        return order, evidence
    year = parts[2].where(parts[2].str.len() == 4, "20" + parts[2])
    day, month = (parts[0], parts[1]) if order else (parts[1], parts[0])
    assembled = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    days = pd.to_datetime(assembled, format="%Y-%m-%d", errors="coerce")
    state.set(numeric, days + _clock(parts, 3), "dmy" if order else "mdy")
    return order, evidence


def _parse_serial(state: _Distinct) -> None:
    serial = state.text.str.match(_SERIAL) & state.open()
    if serial.any():
        number = pd.to_numeric(state.text[serial])
        ok = number.between(*_SERIAL_RANGE)
        days = pd.to_timedelta(number[ok].round(6), unit="D")
        state.set(
            serial & ok.reindex(serial.index, fill_value=False),
            (_EXCEL_EPOCH + days).dt.round("s"),
            "serial",
        )


def _parse_text(state: _Distinct) -> None:
    """Month-name dates in English, with or without a time after them."""
    rest = state.open()
    if not rest.any():
        return
    parts = state.text[rest].str.extract(_TEXT_WITH_CLOCK)
    timed = parts[0].notna()
    dates = state.text[rest].where(~timed, parts[0])
    clock = _clock(parts, 1).where(timed, pd.Timedelta(0))
    for fmt in _TEXT_FORMATS:
        todo = state.open() & rest
        if not todo.any():
            break
        attempt = pd.to_datetime(dates[todo[todo].index], format=fmt, errors="coerce")
        state.set(todo, attempt + clock[attempt.index], "text")


def _parse_fallback(state: _Distinct, dayfirst: bool | None) -> None:
    """The few strings left, read by dateparser in the UN languages (absolute dates only)."""
    rest = state.open()
    text = state.text[rest]
    worth = (
        text.str.len().le(_FALLBACK_MAX_LENGTH)
        & text.str.contains(r"\d")
        & text.str.contains(r"[^\W\d_]")
    )
    if not worth.any():
        return
    import dateparser

    settings = {
        "DATE_ORDER": "MDY" if dayfirst is False else "DMY",
        "PARSERS": ["absolute-time"],
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    found = {}
    for i, value in text[worth].items():
        parsed = dateparser.parse(value, languages=list(UN_LANGUAGES), settings=settings)
        if parsed is not None and 1970 <= parsed.year <= 2099:
            found[i] = pd.Timestamp(parsed)
    if found:
        values = pd.Series(found, dtype="datetime64[ns]")
        state.set(rest & rest.index.isin(values.index), values, "dateparser")


def _expand(
    state: _Distinct, codes: np.ndarray, series: pd.Series
) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    """Per-row values, invalid mask and form counts from the per-distinct results."""
    values = np.append(state.parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))[codes]
    invalid = np.append(state.open().to_numpy(), False)[codes]
    # rows per form, from rows per distinct value (no per-row strings)
    rows = np.bincount(codes[codes >= 0], minlength=len(state.form))
    per_form = pd.Series(rows).groupby(state.form.to_numpy(dtype=object), sort=False).sum()
    per_form = per_form[per_form > 0].sort_values(ascending=False, kind="stable")
    counts = {str(k): int(v) for k, v in per_form.items() if k}
    return (
        pd.Series(values, index=series.index, name=series.name),
        pd.Series(invalid, index=series.index),
        counts,
    )


def parse_dates(series: pd.Series, *, dayfirst: bool | None = None) -> DateParse:
    """Parse a text column of dates.

    Parameters
    ----------
    series
        Text values; missing or blank values become NaT and are not invalid.
    dayfirst
        Force the order of ``nn/nn/yyyy`` dates; ``None`` detects it from the values.

    Examples
    --------
    >>> parsed = parse_dates(pd.Series(["2025-12-16", "17/12/2025", "45642", "16 Dec 2025", "soon"]))
    >>> parsed.values.dt.strftime("%Y-%m-%d").tolist()
    ['2025-12-16', '2025-12-17', '2024-12-16', '2025-12-16', nan]
    >>> parsed.invalid.tolist(), parsed.dayfirst, parsed.order_evidence
    ([False, False, False, False, True], True, 'data')
    >>> clock = parse_dates(pd.Series(["Nov 18, 2026 01:05:44 PM", "11/20/26, 1:45:02 PM"]))
    >>> clock.values.dt.strftime("%Y-%m-%d %H:%M:%S").tolist(), clock.order_evidence
    (['2026-11-18 13:05:44', '2026-11-20 13:45:02'], 'data')
    >>> parse_dates(pd.Series(["18 ноября 2026", "2026年11月18日"])).values.dt.day.tolist()
    [18, 18]
    """
    text = series.astype("str").str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    state = _Distinct(pd.Series(uniques, dtype="str"))
    _parse_iso(state)
    order, evidence = _parse_numeric(state, dayfirst)
    _parse_serial(state)
    _parse_text(state)
    _parse_fallback(state, order)
    values, invalid, counts = _expand(state, codes, series)
    return DateParse(values, invalid, dayfirst=order, order_evidence=evidence, counts=counts)
