"""Development-group membership with dates, checked against the UN LDC list history."""

from __future__ import annotations

import pandas as pd
import pytest

from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.reference import development_flags, development_intervals, reference_countries


@pytest.mark.parametrize(
    ("day", "ldcs"),
    [
        ("2013-06-01", 49),  # before Samoa (1 Jan 2014)
        ("2014-06-01", 48),  # Equatorial Guinea still listed
        ("2017-07-01", 47),  # after Equatorial Guinea (4 Jun 2017)
        ("2021-01-01", 46),  # after Vanuatu (4 Dec 2020)
        ("2023-07-03", 46),  # WSIS Forum 2023: Bhutan and Sao Tome and Principe still listed
        ("2023-12-13", 45),  # Bhutan graduates that day
        ("2024-12-12", 45),
        ("2024-12-13", 44),  # Sao Tome and Principe graduates that day
        ("2026-11-23", 44),
        ("2026-11-24", 42),  # Lao PDR and Nepal; Bangladesh deferred (CDP, June 2026)
        ("2029-11-24", 41),  # Bangladesh, on the deferred date
    ],
)
def test_ldc_list_on_each_date_matches_the_un_history(day, ldcs):
    assert int(reference_countries(as_of=day)["ldc"].sum()) == ldcs


def test_wsis_forum_2023_counts_bhutan_and_sao_tome_as_ldcs():
    ref = reference_countries(as_of="2023-03-13").set_index("iso2")
    assert ref.loc[["BT", "ST", "NP", "LA", "BD"], "ldc"].all()
    assert not ref.loc["VU", "ldc"]
    assert ref.attrs["as_of"] == "2023-03-13"


def test_lldc_and_sids_lists_are_unchanged_and_dated_too():
    for day in ("2015-01-01", "2025-06-23", "2027-01-01"):
        ref = reference_countries(as_of=day)
        assert int(ref["lldc"].sum()) == 32
        assert int(ref["sids"].sum()) == 53


def test_flags_follow_each_rows_own_date():
    iso2 = pd.Series(["ST", "ST", "NP", "NP", "BD", None, "FR"])
    dates = pd.Series(pd.to_datetime(
        ["2024-06-13", "2025-06-23", "2026-11-23", "2026-11-24", "2027-01-01", "2025-01-01", "2025-01-01"]))  # fmt: skip
    flags = development_flags(iso2, dates)
    assert flags["ldc"].tolist() == [True, False, True, False, True, pd.NA, False]
    assert flags["lldc"].tolist()[:4] == [False, False, True, True]


def test_dates_before_the_recorded_history_are_refused_or_unknown():
    with pytest.raises(WsisAnalysisError, match="recorded from 2013-01-01"):
        reference_countries(as_of="2010-05-01")
    flags = development_flags(pd.Series(["NP"]), pd.Series(pd.to_datetime(["2010-05-01"])))
    assert flags["ldc"].isna().all()


def test_every_dated_interval_has_a_source_and_a_verification_note():
    table = development_intervals()
    assert not table.duplicated(["iso2", "group"]).any()
    dated = table[table["end"].notna()]
    assert set(dated["iso2"]) == {"WS", "GQ", "VU", "BT", "ST", "LA", "NP", "BD"}
    assert dated["source"].str.contains("http").all()
    assert dated["verification"].str.len().gt(0).all()
    bangladesh = table[(table["iso2"] == "BD") & (table["group"] == "ldc")].iloc[0]
    assert bangladesh["end"] == pd.Timestamp("2029-11-24")
    assert "NOT verified" in bangladesh["verification"]


def test_default_is_today():
    today = pd.Timestamp.today().normalize()
    assert reference_countries().attrs["as_of"] == today.date().isoformat()


def test_internet_use_is_the_latest_value_with_its_year():
    ref = reference_countries(as_of="2025-01-01").set_index("iso2")
    # World Bank IT.NET.USER.ZS: India 43.4% in 2020, 64.9% in 2024
    assert ref.loc["IN", "internet_users_pct"] == pytest.approx(64.9)
    assert ref.loc["IN", "internet_users_year"] == 2024
    assert ref.loc["IN", "internet_users"] == round(1_450_935_791 * 0.649)
    # 1995 values of 0% are not today's internet use: left out, not counted as nobody
    for iso in ("AS", "MP", "TC"):
        assert ref.loc[iso, "internet_users_year"] == 1995
        assert pd.isna(ref.loc[iso, "internet_users"])
    assert (ref["population_year"].dropna() == 2024).all()


def test_territories_follow_their_mother_country_except_four_caribbean_codes():
    ref = reference_countries(as_of="2025-06-23").set_index("iso2")["icann_region"].astype(str)
    assert (
        ref[["GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF", "AW", "CW", "KY"]] == "EU"
    ).all()
    assert (ref[["PR", "GU", "VI", "AS", "MP"]] == "NA").all()
    assert (ref[["BL", "BQ", "MF", "SX"]] == "LAC").all()  # the four exceptions, as in the source


def test_timezone_aware_dates_use_the_calendar_day():
    dates = pd.Series(pd.to_datetime(["2023-06-01T10:00:00+02:00", "2025-06-01T10:00:00+02:00"]))
    assert development_flags(pd.Series(["BT", "BT"]), dates)["ldc"].tolist() == [True, False]
