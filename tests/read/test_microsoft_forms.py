"""Microsoft Forms workbook: ID / Start time / Completion time, anonymous responses."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    by_key,
    cleaned,
    expected,
)

NAME = "microsoft_forms_responses.xlsx"


def test_shape_countries_and_groups_as_expected():
    clean = assert_matches_expected(NAME)
    assert by_key(clean, "attendance_mode") == expected(NAME)["attendance_modes"]


def test_anonymous_responses_are_kept_each_as_their_own_participant():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    file = result.log.files[0]
    assert file.details["anonymous_responses"] == facts["anonymous"]
    assert file.anonymous_participants == len(facts["responses_without_any_email"])
    assert result.log.rows_quarantined == 0
    assert len(clean) == facts["participants"]
    without_id = clean[clean["participant_id"].isna()]
    assert set(without_id["key"]) == set(facts["responses_without_any_email"])


def test_the_latest_response_wins_and_email_case_does_not_split_a_person():
    result, clean = cleaned(NAME)
    assert result.log.duplicates_merged == 1
    mei = clean[clean["key"] == "mei.sampleton@example.net"]
    assert mei["attendance_mode"].tolist() == [
        expected(NAME)["duplicates_resolved"]["mei.sampleton@example.net"]["attendance_mode"]
    ]


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)
