from __future__ import annotations

import pytest

from wsisanalysis.normalize.headers import keyword_column, match_headers


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Which stakeholder group do you belong to?", "stakeholder_group"),
        ("Country of residence?", "country"),
        ("Country or economy of residence", "country"),
        ("In which country are you based?", "country"),
        ("How will you join?", "attendance_mode"),
        ("How did you take part in the consultation?", "attendance_mode"),
        ("Is this your first ICANN or IGF event?", "newcomer"),
        ("Is this your first time at an IGF?", "newcomer"),
        ("Which ICANN community are you part of, if any?", "community"),
        ("Organisation / affiliation", "organisation"),
        ("What is your gender?", "gender"),
        # two columns as likely, or none: no guess
        ("Which stakeholder group or ICANN community are you in?", None),
        ("Do you want to join from your country office?", None),
        ("Your e-mail address (optional)", None),
        ("Would you like to receive our newsletter?", None),
        ("Timestamp", None),
    ],
)
def test_question_style_headers_match_only_when_one_column_clearly_wins(header, column):
    found = keyword_column(header)
    assert (found[0] if found else None) == column


def test_aliases_win_over_keywords_and_every_keyword_match_is_listed():
    found = match_headers(["Which stakeholder group do you belong to?", "Stakeholder group"])
    assert found.mapping == {"Stakeholder group": "stakeholder_group"}
    assert found.duplicates == {"stakeholder_group": ["Which stakeholder group do you belong to?"]}
    found = match_headers(["E-mail", "How will you join?"])
    assert found.keyword == {"How will you join?": "attendance_mode"}
    assert found.reasons["How will you join?"] == "keywords: join"
    assert found.reasons["E-mail"] == "alias"


def test_the_mapping_file_overrides_keywords_and_shape_knowledge():
    headers = ["Email", "How will you join?", "Country/Region", "Country/Region Name"]
    found = match_headers(
        headers,
        {"How will you join?": "session"},
        shape={"Country/Region Name": "country"},
        shape_ignored={"Country/Region": "declared"},
    )
    assert found.mapping["How will you join?"] == "session"
    assert found.reasons["How will you join?"] == "mapping file"
    assert found.mapping["Country/Region Name"] == "country"
    assert "Country/Region" in found.ignored
    assert found.reasons["Country/Region"] == "left out by the export shape: declared"
    user = match_headers(
        headers, {"Country/Region": "country"}, shape={"Country/Region Name": "country"}
    )
    assert user.mapping["Country/Region"] == "country"
    assert user.duplicates == {"country": ["Country/Region Name"]}
