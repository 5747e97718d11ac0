"""Zoom webinar attendee report: sections, rejoins, no-shows, declared vs IP country."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    by_key,
    cleaned,
    expected,
)

from wsisanalysis import metrics

NAME = "zoom_webinar_attendee_report.csv"


def test_shape_event_countries_and_question_headers_as_expected():
    clean = assert_matches_expected(NAME)
    result, _ = cleaned(NAME)
    file = result.log.files[0]
    assert file.event == {
        "name": expected(NAME)["event"],
        "source": "export (zoom_webinar_attendees)",
        "date": "Nov 18, 2026 12:58 PM",
        "date_source": "export (zoom_webinar_attendees)",
    }
    assert file.columns_by_keyword == {
        "Which stakeholder group do you belong to?": "stakeholder_group"
    }
    assert clean["date"].iloc[0].isoformat() == expected(NAME)["start_local"]


def test_every_section_is_read_and_rejoins_are_one_person():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    assert result.log.files[0].details["sections"] == {"host": 1, "panelist": 3, "attendee": 15}
    assert result.log.duplicates_merged == 2  # Kenji and panelist Nadia rejoined
    attendees = clean[clean["role"] == "attendee"]
    assert len(attendees) == facts["records"]
    assert set(clean.loc[clean["role"] == "host", "key"]) == set(facts["hosts"])
    assert set(clean.loc[clean["role"] == "panelist", "key"]) == set(facts["panelists"])


def test_registrants_who_never_joined_are_kept_as_not_attended():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    attendees = clean[clean["role"] == "attendee"]
    assert set(attendees.loc[attendees["attended"].eq(False), "key"]) == set(facts["not_attended"])
    assert int(attendees["attended"].eq(True).sum()) == facts["attendees"]
    assert int(clean["attended"].eq(True).sum()) == facts["attendees_including_staff"]
    counts = result.log.attendance[NAME]
    assert (counts["attended"], counts["not_attended"]) == (13, 4)


def test_metrics_count_no_shows_as_registrations_not_participants():
    _, clean = cleaned(NAME)
    table = metrics.coverage(clean, "stakeholder_group")
    assert int(table["count"].sum()) == expected(NAME)["attendees_including_staff"]
    counts = metrics.country_counts(clean).set_index("iso2")["count"]
    assert "KE" not in counts.index  # Olu registered from Kenya and never joined


def test_the_declared_country_wins_over_the_ip_address():
    _, clean = cleaned(NAME)
    countries = by_key(clean, "country_iso2")
    for person in expected(NAME)["declared_differs_from_ip"]:
        assert countries[person] == expected(NAME)["countries"][person]
    assert countries["jonas.mockford@example.com"] == "DE"  # nothing declared: the IP's
    assert cleaned(NAME)[0].log.files[0].details["country_from_ip_address"] == 5


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)
