from __future__ import annotations

import pandas as pd
import pytest

from wsisanalysis.normalize import dates
from wsisanalysis.normalize.dates import parse_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms the webinar, meeting, form and ticketing exports print (tests/data/exports)
        ("Nov 18, 2026 12:58 PM", "2026-11-18 12:58:00"),
        ("Nov 18, 2026 01:05:44 PM", "2026-11-18 13:05:44"),
        ("Nov 18, 2026 12:05:44 AM", "2026-11-18 00:05:44"),
        ("Mar 22, 2025 19:13:27", "2025-03-22 19:13:27"),
        ("11/20/2026 01:45:02 PM", "2026-11-20 13:45:02"),
        ("11/20/26, 1:45:02 PM", "2026-11-20 13:45:02"),
        ("11/2/2026 9:14:03", "2026-11-02 09:14:03"),
        ("10/14/26 09:12", "2026-10-14 09:12:00"),
        ("Dec 7, 2026 9:00 AM", "2026-12-07 09:00:00"),
        ("2026-11-18T12:58:00Z", "2026-11-18 12:58:00"),
        # month names in the six UN languages
        ("18 November 2026", "2026-11-18 00:00:00"),
        ("18 novembre 2026", "2026-11-18 00:00:00"),
        ("18 de noviembre de 2026", "2026-11-18 00:00:00"),
        ("18 ноября 2026", "2026-11-18 00:00:00"),
        ("18 نوفمبر 2026", "2026-11-18 00:00:00"),
        ("2026年11月18日", "2026-11-18 00:00:00"),
    ],
)
def test_export_date_forms_parse(text, expected):
    parsed = parse_dates(pd.Series([text, "12/31/2026"]))  # a month-first file
    assert parsed.values.iloc[0] == pd.Timestamp(expected)
    assert not parsed.invalid.iloc[0]


@pytest.mark.parametrize(
    "text", ["soon", "yesterday", "2026", "noviembre 2026", "13:05 PM", "Lagos 12"]
)
def test_what_is_not_one_day_stays_invalid(text):
    parsed = parse_dates(pd.Series([text]))
    assert parsed.values.isna().all() and parsed.invalid.all()


def test_a_12_hour_clock_settles_an_undecided_order_as_month_first():
    parsed = parse_dates(pd.Series(["11/05/2026 01:45:02 PM"]))
    assert parsed.values.iloc[0] == pd.Timestamp("2026-11-05 13:45:02")
    assert (parsed.dayfirst, parsed.order_evidence) == (False, "12-hour clock")
    # day-first evidence in the data still wins
    assert parse_dates(pd.Series(["11/05/2026 01:45 PM", "25/05/2026 01:45 PM"])).dayfirst


def test_dateparser_reads_only_the_distinct_strings_the_fast_path_leaves(monkeypatch):
    import dateparser

    calls = []
    original = dateparser.parse
    monkeypatch.setattr(
        dateparser, "parse", lambda text, **kw: calls.append(text) or original(text, **kw)
    )
    values = ["2026-11-18", "18/11/2026", "18 Nov 2026", "18 ноября 2026", "soon 12"] * 1000
    parsed = parse_dates(pd.Series(values))
    assert sorted(calls) == ["18 ноября 2026", "soon 12"]
    assert parsed.counts == {"iso": 1000, "dmy": 1000, "text": 1000, "dateparser": 1000}
    assert dates.UN_LANGUAGES == ("en", "fr", "es", "ru", "ar", "zh")
