"""Parse the dates exports carry: ISO, dd/mm/yyyy or mm/dd/yyyy, Excel serials, month names.

Each distinct string is parsed once, with explicit formats only (``format="mixed"`` is two
orders of magnitude slower). Whether ``03/04/2025`` is 3 April or 4 March is decided per file:
from the values themselves when one of them settles it (a first number above 12 means
day-first), else from the caller's ``dayfirst`` parameter, else day-first with a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_YMD_SLASH = r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$"
_NUMERIC_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$"
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


@dataclass(frozen=True)
class DateParse:
    """Parsed dates for one column, with what was decided on the way."""

    values: pd.Series  # datetime64[ns]; NaT where empty or unparseable
    invalid: pd.Series  # bool: a value was present but could not be read as a date
    dayfirst: bool | None  # the order used for dd/mm vs mm/dd, None if no such values
    order_evidence: str  # "data", "parameter", "default" or "none"
    counts: dict[str, int]  # rows parsed per form (iso, dmy, mdy, serial, text)


def _numeric_order(
    first: pd.Series, second: pd.Series, dayfirst: bool | None
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
    return True, "default"


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
    """
    text = series.astype("str").str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="str")
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    form = pd.Series("", index=distinct.index, dtype=object)

    iso = distinct.str.match(_ISO)
    if iso.any():
        values = pd.to_datetime(distinct[iso], format="ISO8601", errors="coerce", utc=True)
        parsed[iso] = values.dt.tz_convert(None).astype("datetime64[ns]")
        form[iso] = "iso"

    ymd = distinct.str.match(_YMD_SLASH) & parsed.isna()
    if ymd.any():
        normal = distinct[ymd].str.replace(".", "/", regex=False)
        parsed[ymd] = pd.to_datetime(normal, format="%Y/%m/%d", errors="coerce")
        form[ymd] = "iso"

    parts = distinct.str.extract(_NUMERIC_DMY)
    numeric = parts[0].notna() & parsed.isna()
    first = pd.to_numeric(parts.loc[numeric, 0])
    second = pd.to_numeric(parts.loc[numeric, 1])
    order, evidence = _numeric_order(first, second, dayfirst)
    if numeric.any():
        year = parts.loc[numeric, 2]
        year = year.where(year.str.len() == 4, "20" + year)
        day, month = (
            (parts.loc[numeric, 0], parts.loc[numeric, 1])
            if order
            else (parts.loc[numeric, 1], parts.loc[numeric, 0])
        )
        assembled = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
        time = parts.loc[numeric, 3].fillna("")
        assembled = assembled.where(time == "", assembled + " " + time)
        parsed[numeric] = pd.to_datetime(assembled, format="ISO8601", errors="coerce")
        form[numeric] = "dmy" if order else "mdy"

    serial = distinct.str.match(_SERIAL) & parsed.isna()
    if serial.any():
        number = pd.to_numeric(distinct[serial])
        ok = number.between(*_SERIAL_RANGE)
        days = pd.to_timedelta(number[ok].round(6), unit="D")
        parsed[ok[ok].index] = (_EXCEL_EPOCH + days).dt.round("s")
        form[ok[ok].index] = "serial"

    rest = parsed.isna() & distinct.notna() & (distinct != "")
    for fmt in _TEXT_FORMATS:
        if not rest.any():
            break
        attempt = pd.to_datetime(distinct[rest], format=fmt, errors="coerce")
        hit = attempt.notna()
        idx = hit[hit].index
        parsed[idx] = attempt[idx]
        form[idx] = "text"
        rest = parsed.isna() & distinct.notna() & (distinct != "")

    values_arr = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))[codes]
    invalid_distinct = np.append(
        (parsed.isna() & distinct.notna() & (distinct != "")).to_numpy(), False
    )
    forms = np.append(form.to_numpy(dtype=object), "")[codes]
    counts = {k: int(v) for k, v in pd.Series(forms).value_counts().items() if k}
    return DateParse(
        values=pd.Series(values_arr, index=series.index, name=series.name),
        invalid=pd.Series(invalid_distinct[codes], index=series.index),
        dayfirst=order,
        order_evidence=evidence,
        counts=counts,
    )
