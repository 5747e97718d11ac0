"""Ticketing attendee list (Eventbrite): attendee not buyer, ticket status."""

from __future__ import annotations

from export_fixtures import (
    assert_matches_expected,
    assert_no_personal_data_written,
    by_key,
    cleaned,
    expected,
)

from wsisanalysis import metrics

NAME = "eventbrite_attendees.csv"


def test_shape_event_and_date_from_the_ticket_columns():
    assert_matches_expected(NAME)
    result, _ = cleaned(NAME)
    assert result.log.files[0].event["source"] == "column 'Event Name'"


def test_cancelled_tickets_are_registrations_never_participants():
    result, clean = cleaned(NAME)
    facts = expected(NAME)
    assert result.log.rows_in == facts["records"]
    assert set(clean.loc[clean["attended"].eq(False), "key"]) == set(facts["not_attended"])
    assert int(clean["attended"].eq(True).sum()) == facts["checked_in"]
    assert int(clean["attended"].ne(False).fillna(True).sum()) == facts["attendees"]
    assert int(metrics.coverage(clean, "icann_region")["count"].sum()) == facts["attendees"]


def test_the_attendee_is_the_participant_and_billing_country_is_the_buyers():
    _, clean = cleaned(NAME)
    keys = set(clean["key"])
    assert not keys & set(expected(NAME)["buyers_who_are_not_participants"])
    countries = by_key(clean, "country_iso2")
    assert countries["amara.fixture@example.org"] == "NG"  # not the buyer's US
    assert countries["kenji.sampleton@example.net"] == "JP"  # own ticket, question left blank


def test_no_name_or_email_in_any_output_file(tmp_path):
    assert_no_personal_data_written(NAME, tmp_path)
