"""What a table's numbers are, and the weight of each row.

A table is one of three natures, declared in ``frame.attrs["nature"]`` (the published-data
loaders set it; a clean participation or engagement table has none and is read as a sample):

``sample``
    Records of some of the people a question is about (registrations of an event read as a
    sample of the community that could have come). Shares get 95% Wilson intervals, ratios
    get intervals and a chi-square test applies.
``census``
    Everyone was counted (an ICANN meeting's published attendance by region). Shares and
    ratios are exact: no interval, no test of sampling variation.
``percentages``
    Published percentages. With the number of people they describe
    (``frame.attrs["total"]``) they become counts of a census (rounded to whole people);
    without it there are shares only: no counts, no intervals, no test.
"""

from __future__ import annotations

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError

SAMPLE, CENSUS, PERCENTAGES = "sample", "census", "percentages"
NATURES = (SAMPLE, CENSUS, PERCENTAGES)
STATISTICS = {
    SAMPLE: "a sample: shares carry 95% Wilson intervals and a chi-square test applies",
    CENSUS: "a census (everyone counted): shares and ratios are exact; no interval or test applies",
    PERCENTAGES: "published percentages without the number of people: shares only; no count, interval or test applies",
}


class CountError(WsisAnalysisError):
    """Raised when a ``count`` column holds a value that is not a whole number of people."""


def data_nature(frame: pd.DataFrame) -> str:
    """The nature a table declares in ``attrs["nature"]`` (default ``sample``)."""
    nature = frame.attrs.get("nature", SAMPLE)
    if nature not in NATURES:
        msg = f"Unknown data nature {nature!r} in attrs['nature']. Expected one of: {', '.join(NATURES)}."
        raise WsisAnalysisError(msg)
    if nature == PERCENTAGES and "percent" not in frame:
        msg = (
            "A table of published percentages needs a 'percent' column; found: "
            + ", ".join(map(str, frame.columns))
            + "."
        )
        raise WsisAnalysisError(msg)
    return str(nature)


def known_total(frame: pd.DataFrame) -> int | None:
    """The number of people a table of percentages describes, when published."""
    total = frame.attrs.get("total")
    return int(total) if total is not None and pd.notna(total) else None


def _row_names(frame: pd.DataFrame, rows: pd.Series) -> str:
    """Rows named as a reader can find them: source file and row when known, else the index."""
    where = rows[rows].index
    if C.SOURCE_ROW in frame:
        files = frame.loc[where, C.SOURCE].astype(str) + ":" if C.SOURCE in frame else "row "
        names = (files + frame.loc[where, C.SOURCE_ROW].astype(str)).tolist()
    else:
        names = [f"row {i}" for i in where]
    values = ["missing" if pd.isna(v) else repr(v) for v in frame.loc[where, C.COUNT]]
    shown = ", ".join(f"{n} (count: {v})" for n, v in zip(names[:10], values[:10], strict=False))
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def took_part(frame: pd.DataFrame) -> pd.Series:
    """Rows that count as participants: every row but registrations that never attended
    (``attended`` false: no-shows, cancelled tickets). Unknown attendance counts.

    >>> took_part(pd.DataFrame({"attended": pd.array([True, False, None], dtype="boolean")})).tolist()
    [True, False, True]
    """
    if C.ATTENDED not in frame:
        return pd.Series(True, index=frame.index)
    return frame[C.ATTENDED].astype("boolean").ne(False).fillna(True).astype(bool)


def participants(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` without the registrations that never attended (see :func:`took_part`)."""
    kept = took_part(frame)
    return frame if bool(kept.all()) else frame[kept]


def weights(frame: pd.DataFrame) -> pd.Series:
    """The weight of each row: its ``count``, else 1 (a table without a count column); 0 for a
    registration that never attended (see :func:`took_part`).

    A missing, fractional or negative count is an error naming the rows: a count is a number
    of people, and a missing one is not one person.

    >>> weights(pd.DataFrame({"count": [3, 0]})).tolist()
    [3, 0]
    >>> weights(pd.DataFrame({"count": [3, None]}))
    Traceback (most recent call last):
    ...
    wsisanalysis.metrics.counts.CountError: 1 row has a missing, fractional or negative count: row 1 (count: missing). Each count must be a whole number of people (0 or more): fill in or remove these rows, or quarantine them when cleaning.
    """
    if C.COUNT not in frame:
        return pd.Series(1, index=frame.index, dtype="int64").where(took_part(frame), 0)
    if pd.api.types.is_bool_dtype(frame[C.COUNT].dtype):
        values = pd.Series(float("nan"), index=frame.index)
    else:
        values = pd.to_numeric(frame[C.COUNT], errors="coerce").astype("float64")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        n = int(bad.sum())
        msg = (
            f"{n} row{'s have' if n > 1 else ' has'} a missing, fractional or negative count: "
            f"{_row_names(frame, bad)}. Each count must be a whole number of people (0 or more): "
            "fill in or remove these rows, or quarantine them when cleaning."
        )
        raise CountError(msg)
    return values.astype("int64").where(took_part(frame), 0)


def percent_weights(frame: pd.DataFrame) -> pd.Series:
    """The published percentage of each row, checked (none missing or negative)."""
    values = pd.to_numeric(frame["percent"], errors="coerce").astype("float64")
    bad = values.isna() | (values < 0)
    if bad.any():
        rows = ", ".join(f"row {i}" for i in values[bad].index[:10])
        msg = f"Missing or negative published percentages in {rows}: give every category its percentage (0 if none)."
        raise CountError(msg)
    return values


def statistics_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which statistics apply to each coverage table, for readers: one row per table with its
    nature, whether shares have intervals, whether a chi-square test was run, and what the
    four-fifths flag rests on.

    >>> t = pd.DataFrame({"count": [1]})
    >>> t.attrs["nature"] = "census"
    >>> statistics_table({"ICANN80": t})["intervals"].tolist()
    ['no']
    """
    rows = []
    for name, table in tables.items():
        nature = str(table.attrs.get("nature", SAMPLE))
        sampled = nature == SAMPLE
        rows.append({"table": name, "nature": nature, "what applies": STATISTICS[nature],
                     "intervals": "yes" if sampled else "no", "chi-square test": "yes" if sampled else "no",
                     "four-fifths flag": "whole interval below 0.8" if sampled else "point below 0.8 (exact)"})  # fmt: skip
    return pd.DataFrame(rows)


def as_sample(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table read as a sample of a wider population, for a page that says so (e.g.
    IGF participants as a sample of the stakeholders who follow the IGF): intervals and tests
    then apply. Published percentages need their total; they become whole counts.

    >>> t = pd.DataFrame({"percent": [44.0, 56.0]})
    >>> t.attrs.update(nature="percentages", total=5120)
    >>> as_sample(t)["count"].tolist()
    [2253, 2867]
    """
    out = frame.copy()
    if data_nature(frame) == PERCENTAGES:
        total = known_total(frame)
        if total is None:
            msg = (
                "Published percentages without the number of people cannot be read as a sample: "
                "set attrs['total'] to the number of participants the percentages describe."
            )
            raise WsisAnalysisError(msg)
        out[C.COUNT] = (percent_weights(frame) * total / 100).round().astype("int64")
        out.attrs.pop("total", None)
    out.attrs["nature"] = SAMPLE
    return out
