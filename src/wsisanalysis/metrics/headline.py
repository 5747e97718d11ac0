"""The facts a page leads with: which events it covers, when, and the one before in the series.

People counts for the headline are ordinary coverage tables (published through the guard by
the reporting layer); what this module returns are facts about events and countries, which
count no people.
"""

from __future__ import annotations

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.coverage import UNKNOWN_LABEL


def events(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per event of `frame`, in date order: ``event``, ``first``, ``last`` (dates).

    >>> t = pd.DataFrame({"event": ["B", "A", "B"],
    ...                   "date": pd.to_datetime(["2025-06-02", "2024-05-01", "2025-06-01"])})
    >>> events(t).astype(str).values.tolist()
    [['A', '2024-05-01', '2024-05-01'], ['B', '2025-06-01', '2025-06-02']]
    """
    dates = pd.to_datetime(frame[C.DATE]).dt.normalize()
    table = (
        pd.DataFrame({C.EVENT: frame[C.EVENT].astype(str), "date": dates})
        .groupby(C.EVENT)["date"]
        .agg(first="min", last="max")
        .reset_index()
    )
    return table.sort_values(["first", C.EVENT], kind="stable").reset_index(drop=True)


def previous_event(everything: pd.DataFrame, selected: pd.DataFrame) -> str | None:
    """The event of `everything` that last started before the first event of `selected`
    (None when `selected` holds several events, or none came before).

    >>> t = pd.DataFrame({"event": ["A", "B", "C"],
    ...                   "date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01"])})
    >>> previous_event(t, t[t["event"] == "C"]), previous_event(t, t)
    ('B', None)
    """
    chosen = events(selected)
    if len(chosen) != 1:
        return None
    earlier = events(everything)
    earlier = earlier[earlier["first"] < chosen["first"].iloc[0]]
    return None if earlier.empty else str(earlier[C.EVENT].iloc[-1])


def places(frame: pd.DataFrame) -> dict[str, int]:
    """How many distinct countries and ICANN regions `frame` has a known value for.

    These are facts about countries (which are listed on the page anyway), not people counts.

    >>> places(pd.DataFrame({"country_iso2": ["GH", "GH", None], "icann_region": ["AF", "AF", "unknown"]}))
    {'countries': 1, 'regions': 1}
    """

    def distinct(column: str) -> int:
        if column not in frame:
            return 0
        values = frame[column].dropna().astype(str)
        return int(values[values != UNKNOWN_LABEL].nunique())

    return {"countries": distinct(C.COUNTRY_ISO2), "regions": distinct(C.ICANN_REGION)}
