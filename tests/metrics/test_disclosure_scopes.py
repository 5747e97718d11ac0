"""How a page's part of the records is described, so that it can be found again in another
snapshot's records (``wsisanalysis.metrics.disclosure.scopes``), and how the records are kept
for it (``snapshots.save_records``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from wsisanalysis.metrics.disclosure import scopes, snapshots
from wsisanalysis.metrics.disclosure.tables import Records, TableSpec, pack

#: every event x country x organisation, one participant each, and p1 twice at the main event
FRAME = pd.DataFrame(
    [
        (event, country, organisation)
        for event in ("main", "side")
        for country in ("FR", "KE", "BR")
        for organisation in ("Gov", "Uni", "ICANN org")
    ],
    columns=["event", "country", "organisation"],
)
FRAME["participant_id"] = [f"p{i}" for i in range(len(FRAME))]
FRAME = pd.concat([FRAME, FRAME.iloc[[0]]], ignore_index=True)
MAIN = FRAME.index[FRAME["event"] == "main"]


def _condition(records, scope):
    """The first description of `scope` (the one the guard tries first); None if none."""
    found = scopes.descriptions(records, scope)
    return found[0] if found else None


def _scope(rows):
    return FRAME.index.isin(rows)


def test_one_event_is_one_condition_not_also_the_countries_seen_at_it():
    """Without Brazilians at the main event, 'country in {FR, KE}' would hold on its rows
    too, and in another week's records would leave out a Brazilian at it."""
    frame = FRAME[~((FRAME["event"] == "main") & (FRAME["country"] == "BR"))]
    frame = frame.reset_index(drop=True)
    records, main = Records(frame), (frame["event"] == "main").to_numpy()
    assert _condition(records, main) == [("event", True, frozenset({"main"}))]
    later = Records(FRAME)  # the next week, Brazilians at the main event
    got = scopes.scope_on(later, _condition(records, main))
    assert got.tolist() == (FRAME["event"] == "main").tolist()


def test_staff_left_out_is_a_condition_on_the_organisation():
    records = Records(FRAME)
    rows = FRAME.index[(FRAME["event"] == "main") & (FRAME["organisation"] != "ICANN org")]
    conditions = _condition(records, _scope(rows))
    assert sorted(conditions) == [
        ("event", True, frozenset({"main"})),
        ("organisation", False, frozenset({"ICANN org"})),
    ]


@pytest.mark.parametrize(
    ("rows", "once"),
    [(FRAME.index[:-1], True), (MAIN[:-1], True), ([*range(1, 9), len(FRAME) - 1], False)],
    ids=["each participant once", "main, each once", "p1's later record"],
)
def test_each_participant_once_is_a_condition_of_its_own(rows, once):
    got = _condition(Records(FRAME), _scope(rows))
    if once:
        assert got[-1] == scopes.ONCE
    else:
        assert got is None  # p1's second record, not the first: no condition describes it


def test_each_participant_once_is_found_again_on_the_kept_numbers(tmp_path, monkeypatch):
    """The kept records hold each participant's number in that data set, never the id."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    ledger = tmp_path / "reports" / "ledger.jsonl"
    snapshots.memory_path(ledger).parent.mkdir(parents=True)
    records = Records(FRAME)
    scope = _scope(FRAME.index[:-1])
    spec = TableSpec("t", ("event",), (("main",), ("side",)), (9, 9), pack(scope), len(scope))
    snapshots.save_records(ledger, "d" * 64, records, spec)
    path = snapshots._records_path(ledger, "d" * 64)
    names = pq.read_schema(path).names
    assert "participant_id" not in names and scopes.PERSON in names
    assert "organisation" in names  # a page may be cut by it
    kept = Records(pd.read_parquet(path))
    again = scopes.scope_on(kept, _condition(records, scope))
    np.testing.assert_array_equal(again, scope)


def test_a_part_no_condition_describes_is_none():
    assert _condition(Records(FRAME), _scope([0, 4])) is None
