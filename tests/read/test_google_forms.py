"""Google Forms responses: questions as headers, resubmissions, no event in the export."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    by_key,
    cleaned,
    expected,
)

NAME = "google_forms_responses.csv"


def test_question_headers_are_matched_by_keywords_and_listed():
    assert_matches_expected(NAME)
    result, clean = cleaned(NAME)
    assert result.log.files[0].columns_by_keyword == {
        "Organisation / affiliation": "organisation",
        "Which stakeholder group do you belong to?": "stakeholder_group",
        "Which ICANN community are you part of, if any?": "community",
        "How will you join?": "attendance_mode",
        "Is this your first ICANN or IGF event?": "newcomer",
    }
    assert by_key(clean, "attendance_mode") == expected(NAME)["attendance_modes"]
    assert int((clean["newcomer"] == "newcomer").sum()) == expected(NAME)["newcomers"]


def test_the_latest_response_of_a_person_wins():
    result, clean = cleaned(NAME)
    assert result.log.duplicates_merged == 1
    assert len(clean) == expected(NAME)["participants"]
    lucia = clean[clean["key"] == "lucia.placeholder@example.org"]
    assert lucia["attendance_mode"].tolist() == ["onsite"]
    assert lucia["source_row"].tolist() == [12]  # the 15 November response


def test_the_event_comes_from_the_file_name_and_timestamps_are_not_event_dates():
    result, clean = cleaned(NAME)
    assert result.log.files[0].event == {"name": "google forms responses", "source": "file name"}
    assert clean["date"].isna().all()
    assert clean["attended"].isna().all()  # registrations: attendance unknown


def test_the_event_option_names_the_event():
    from export_fixtures import EXPORTS

    from wsisanalysis.clean import clean_participation

    result = clean_participation(EXPORTS / NAME, key="k", event="ICANN85 WSIS+20 session")
    assert set(result.clean["event"]) == {"ICANN85 WSIS+20 session"}
    assert result.log.files[0].event["source"] == "--event"


def test_an_unmappable_other_answer_is_unknown_and_logged():
    result, clean = cleaned(NAME)
    assert by_key(clean, "stakeholder_group")["jamal.fixturedoe@example.com"] == "unknown"
    assert {
        "column": "stakeholder_group",
        "label": "youth network",
        "rows": 1,
        "candidates": "",
    } in (result.log.unresolved)


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)
