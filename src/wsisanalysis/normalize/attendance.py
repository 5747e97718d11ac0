"""Whether a person took part: ``attended`` as true, false or unknown (missing).

Exports say it in many ways: Zoom's "Attended" (Yes/No), a ticket's status ("Checked In",
"Refunded"), a check-in mark. Each distinct value is read once through ``attended.tsv``; a
value the table does not know stays unknown and is reported, never guessed.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from wsisanalysis._text import fold
from wsisanalysis.reference.packaged import read_packaged

_VALUES = {"true": True, "false": False, "unknown": None}


@functools.cache
def _table() -> dict[str, bool | None]:
    table = read_packaged("vocab", "attended.tsv")
    return {
        fold(label): _VALUES[value]
        for label, value in zip(table["label"], table["attended"], strict=True)
    }


def parse_attended(values: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Read a column of attendance values as a nullable boolean (missing = unknown).

    Returns the parsed column and one row per distinct value with ``label, value, method,
    rows`` (``method``: ``alias`` when the table knows the value, ``unresolved`` otherwise).

    >>> parsed, distinct = parse_attended(pd.Series(["Yes", "No", "Checked In", "Attending", None, "maybe"]))
    >>> parsed.tolist()
    [True, False, True, <NA>, <NA>, <NA>]
    >>> distinct.loc[distinct["method"] == "unresolved", "label"].tolist()
    ['maybe']
    """
    if not values.notna().any():  # most exports do not say: nothing to read
        empty = pd.DataFrame({"label": [], "value": [], "method": [], "rows": []})
        return pd.Series(pd.NA, index=values.index, dtype="boolean", name="attended"), empty
    table = _table()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = [str(u) for u in uniques]
    keys = [fold(label) for label in labels]
    known = [key in table or not key for key in keys]
    parsed = [table.get(key) for key in keys]
    out = np.array([*parsed, None], dtype=object)[codes]
    rows = np.bincount(codes[codes >= 0], minlength=len(uniques))
    distinct = pd.DataFrame(
        {
            "label": labels,
            "value": pd.array(parsed, dtype="boolean"),
            "method": ["alias" if ok else "unresolved" for ok in known],
            "rows": rows.astype("int64"),
        }
    )
    return pd.Series(out, index=values.index, dtype="boolean", name="attended"), distinct


class AttendanceMapper:
    """:func:`parse_attended` with the ``map_series`` interface of the label mappers, so the
    cleaning steps count and report attendance values like any vocabulary column."""

    def map_series(self, values: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
        """Same as :func:`parse_attended`."""
        return parse_attended(values)
