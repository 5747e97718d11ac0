"""UN development-group membership (LDC, LLDC, SIDS) as dated intervals.

``data/reference/development_groups.csv`` holds one row per country and group with the
interval in force: ``start`` (empty: listed before :data:`RECORDED_SINCE`) and ``end`` (empty:
still listed; otherwise the day membership ends, e.g. the graduation date). A country is a
member on day *d* when ``start <= d < end``. The sources and the verification of each dated
row are in the table and in ``data/README.md``.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.reference.packaged import read_packaged

GROUPS = (C.LDC, C.LLDC, C.SIDS)
#: The history is recorded from this day on (it covers WSIS+10 and WSIS+20); earlier dates
#: are refused rather than answered with a list that may be wrong.
RECORDED_SINCE = pd.Timestamp("2013-01-01")


@functools.cache
def development_intervals() -> pd.DataFrame:
    """The membership intervals: ``iso2, group, start, end, status, source, verification``."""
    raw = read_packaged("reference", "development_groups.csv")
    return raw.assign(
        start=pd.to_datetime(raw["start"].replace("", None), format="%Y-%m-%d"),
        end=pd.to_datetime(raw["end"].replace("", None), format="%Y-%m-%d"),
    )


def as_date(value: object) -> pd.Timestamp:
    """A day from a date, a datetime or an ISO string; ``None`` is today."""
    if value is None:
        return pd.Timestamp(dt.date.today())
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        msg = f"Expected a date such as '2025-06-23' for `as_of`; found {value!r}."
        raise WsisAnalysisError(msg) from exc
    return day.tz_localize(None).normalize() if day.tzinfo else day.normalize()


def check_recorded(day: pd.Timestamp) -> None:
    """Refuse a day before the recorded history rather than answer with a list that may be
    wrong."""
    if day < RECORDED_SINCE:
        msg = (
            f"LDC/LLDC/SIDS membership is recorded from {RECORDED_SINCE.date()} on; found the "
            f"date {day.date()}. Pass a later `as_of` (or event date), or extend "
            "data/reference/development_groups.csv with the earlier history and its sources."
        )
        raise WsisAnalysisError(msg)


def development_flags(iso2: pd.Series, dates: pd.Series | None = None) -> pd.DataFrame:
    """The LDC, LLDC and SIDS flags of each row's country on that row's date, vectorized.

    Missing dates (or ``dates=None``) mean today. A row without a country, or dated before
    :data:`RECORDED_SINCE`, has missing flags (unknown, not false).

    >>> iso2 = pd.Series(["BT", "BT", "NP", "FR"])
    >>> dates = pd.Series(pd.to_datetime(["2023-06-01", "2024-06-01", "2025-01-01", "2025-01-01"]))
    >>> development_flags(iso2, dates)["ldc"].tolist()
    [True, False, True, False]
    """
    today = as_date(None)
    days = (
        pd.Series(today, index=iso2.index)
        if dates is None
        else pd.to_datetime(pd.Series(dates, index=iso2.index), errors="coerce")
    )
    if days.dt.tz is not None:  # an export in local time: the calendar day is what counts
        days = days.dt.tz_localize(None)
    days = days.dt.normalize().fillna(today)
    intervals = development_intervals()
    codes, uniques = pd.factorize(iso2, use_na_sentinel=True)  # one lookup per distinct code
    out = {}
    for group in GROUPS:
        rows = intervals[intervals["group"] == group]
        position = np.append(pd.Index(rows["iso2"]).get_indexer(uniques), -1)[codes]
        take = np.where(position < 0, 0, position)
        start = rows["start"].to_numpy()[take]
        end = rows["end"].to_numpy()[take]
        day = days.to_numpy()
        inside = (pd.isna(start) | (start <= day)) & (pd.isna(end) | (day < end))
        flag = pd.array(np.where(position >= 0, inside, False), dtype="boolean")
        out[group] = pd.Series(flag, index=iso2.index).mask(iso2.isna() | (days < RECORDED_SINCE))
    return pd.DataFrame(out, index=iso2.index)
