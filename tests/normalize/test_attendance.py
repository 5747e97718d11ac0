from __future__ import annotations

import pandas as pd
import pytest

from wsisanalysis.normalize.attendance import parse_attended


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Yes", True),
        ("Checked In", True),
        ("x", True),
        ("No", False),
        ("Refunded", False),
        ("Deleted", False),
        ("Not Attending", False),
        ("Transferred", False),
        ("no-show", False),
        ("Attending", None),  # a valid ticket, not checked in: unknown
        ("registered", None),
    ],
)
def test_attendance_values(label, value):
    parsed, distinct = parse_attended(pd.Series([label]))
    assert (None if pd.isna(parsed.iloc[0]) else bool(parsed.iloc[0])) == value
    assert distinct["method"].tolist() == ["alias"]


def test_an_unknown_value_is_unknown_and_reported():
    parsed, distinct = parse_attended(pd.Series(["maybe", "maybe", None]))
    assert parsed.isna().all()
    assert distinct.to_dict("records")[0] | {"value": None} == {
        "label": "maybe",
        "value": None,
        "method": "unresolved",
        "rows": 2,
    }
