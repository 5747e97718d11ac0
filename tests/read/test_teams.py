"""Microsoft Teams attendance report: UTF-16, tab-separated, three sections."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    cleaned,
    expected,
)

NAME = "teams_attendance_report.csv"


def test_utf16_sections_are_found_and_the_summary_names_the_event():
    clean = assert_matches_expected(NAME)
    result, _ = cleaned(NAME)
    file = result.log.files[0]
    assert (file.encoding, file.delimiter) == ("utf-16", "\t")
    assert clean["date"].iloc[0].isoformat() == expected(NAME)["start_local"]
    assert file.details == {"attended_participants": "9", "join_sessions": 11}


def test_one_record_per_person_and_presenters_are_participants():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    assert result.log.rows_in == facts["records"]
    assert clean["attended"].eq(True).all()
    assert len(clean[clean["role"] != "Organizer"]) == facts["attendees"]
    assert set(clean.loc[clean["role"] == "Organizer", "key"]) == set(facts["hosts"])
    assert "rafael.mocksworth@example.org" in set(clean.loc[clean["role"] == "Presenter", "key"])


def test_guest_upn_is_not_an_email_and_case_does_not_split_a_person():
    _, clean = cleaned(NAME)
    keys = set(clean["key"])
    assert {"priya.demo@example.net", "leila.mockford@example.org"} <= keys
    assert not any("#ext#" in k for k in keys)
    assert clean["participant_id"].notna().all()  # the unverified joiner by name
    assert clean["participant_id"].is_unique


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)
