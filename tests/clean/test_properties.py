from __future__ import annotations

import re

import pandas as pd
from helpers import assert_accounted
from hypothesis import given
from strategies import ENGAGEMENT_HEADERS, PARTICIPATION_HEADERS, hostile_frames

from wsisanalysis import clean_engagement, clean_participation
from wsisanalysis import schema as C

PARTICIPATION = hostile_frames(PARTICIPATION_HEADERS, ["E-mail", "Meeting"])
ENGAGEMENT = hostile_frames(ENGAGEMENT_HEADERS, ["Activity date", "Activity type"])


def _accounted(result, frame):
    log = result.log.to_dict()
    assert log["rows_in"] == len(frame)
    assert_accounted(log)
    assert (
        len(result.clean) == log["rows_clean"]
        and len(result.quarantine) == log["rows_quarantined"]
    )
    assert len(result.clean) <= len(frame)


@given(PARTICIPATION)
def test_every_participation_row_is_clean_quarantined_or_merged(frame):
    _accounted(clean_participation(frame), frame)


@given(ENGAGEMENT)
def test_every_engagement_row_is_clean_quarantined_or_merged(frame):
    _accounted(clean_engagement(frame), frame)


@given(PARTICIPATION)
def test_no_email_reaches_the_clean_table(frame):
    clean = clean_participation(frame).clean
    assert not set(C.PERSONAL_COLUMNS) & set(clean.columns)
    emails = {v.strip().casefold() for v in frame["E-mail"].dropna() if re.search(r".@.", v)}
    cells = {str(v).strip().casefold() for col in clean.columns for v in clean[col].dropna()}
    assert not emails & cells


@given(PARTICIPATION)
def test_cleaning_is_idempotent(frame):
    once = clean_participation(frame).clean
    twice = clean_participation(once).clean
    assert len(twice) == len(once)
    # provenance is never read from input columns (issue #12): a re-cleaned table gets its own
    keep = [c for c in once.columns if c not in (C.RECORD_ID, C.SOURCE, C.SOURCE_ROW)]
    pd.testing.assert_frame_equal(
        twice[keep].reset_index(drop=True), once[keep].reset_index(drop=True), check_dtype=False
    )


@given(PARTICIPATION)
def test_clean_vocabularies_are_complete_categoricals(frame):
    clean = clean_participation(frame).clean
    assert list(clean[C.STAKEHOLDER_GROUP].cat.categories) == list(C.STAKEHOLDER_GROUPS)
    assert clean[C.STAKEHOLDER_GROUP].notna().all()
    assert set(clean[C.ICANN_REGION].dropna()) <= set(C.ICANN_REGIONS)
