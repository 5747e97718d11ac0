"""Zoom meeting participants report: summary block, rejoins, waiting room, guests."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    cleaned,
    expected,
)

NAME = "zoom_meeting_participants.csv"


def test_shape_event_and_date_from_the_summary_block():
    clean = assert_matches_expected(NAME)
    assert clean["date"].iloc[0].isoformat() == expected(NAME)["start_local"]
    assert cleaned(NAME)[0].log.files[0].details["meeting_id"] == expected(NAME)["event_id"]


def test_rejoins_merge_and_a_waiting_room_row_is_not_attendance():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    assert result.log.rows_in == facts["records"]
    attended = clean[clean["attended"].eq(True)]
    assert len(attended) == facts["attendees_including_staff"]
    assert len(attended[attended["role"] != "host"]) == facts["attendees"]
    assert set(clean.loc[clean["role"] == "host", "key"]) == set(facts["hosts"])
    assert set(clean.loc[clean["attended"].eq(False), "key"]) == set(facts["not_attended"])
    # Hana waited 3 minutes, then joined: one person, who attended
    hana = clean[clean["key"] == "hana.exampleova@example.org"]
    assert hana["attended"].tolist() == [True]


def test_guests_without_email_are_each_one_participant():
    _, clean = cleaned(NAME)
    for person in expected(NAME)["participants_without_email"]:
        assert (clean["key"] == person).sum() == 1
        assert clean.loc[clean["key"] == person, "participant_id"].notna().all()


def test_no_country_column_is_a_warning():
    result, clean = cleaned(NAME)
    assert clean["country_iso2"].isna().all()
    assert any("no country column" in w for w in result.log.warnings)


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)


def test_headers_in_another_case_are_read_the_same(tmp_path):
    from export_fixtures import EXPORTS

    from wsisanalysis.clean import clean_participation

    text = (EXPORTS / NAME).read_text(encoding="utf-8-sig")
    for header in ("Name (Original Name)", "User Email", "In Waiting Room", "Topic", "Start Time"):
        text = text.replace(header, header.lower())
    copy = tmp_path / NAME
    copy.write_text(text, encoding="utf-8-sig")
    result = clean_participation(copy, key="k")
    assert result.log.files[0].shape == "zoom_meeting_participants"
    assert set(result.clean["event"]) == {expected(NAME)["event"]}
    assert (
        int(result.clean["attended"].eq(True).sum()) == expected(NAME)["attendees_including_staff"]
    )
