"""Second round of attacks on the reworked disclosure guard (snapshots of a scheduled run).

A reader holds every page of every snapshot and the ledger in ``reports/`` (not the private
state). Standard: no single cell's count of 1-4, and no single cell's change of 1-4 between
two snapshots, may be derived to within a range narrower than 5. A leak is an
``xfail(strict=True)`` test whose assertion states that standard; a probe that holds passes.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from tests.metrics.test_disclosure_attack import (
    ALL,
    BASE,
    REGIONS,
    _change_range,
    _data,
    _run,
    _weeks,
)
from wsisanalysis.metrics.disclosure import Rules, guard

GROUPS = ["gov", "civ", "biz"]


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _ledger(tmp_path):
    return tmp_path / "reports" / "disclosure_ledger.jsonl"


def _by(frame, columns):
    return frame.groupby(columns).size().rename("count").reset_index()


def _cells(frame, columns, name, n, ledger):
    """Publish `frame` counted by `columns` as table `name` in execution `n` of the run."""
    rules = Rules(run=_run(n), name=name)
    return dict(guard(_by(frame, columns), columns, source=frame, rules=rules, ledger=ledger).cells)


def _width(low, high):
    return high - low


# --- A. tables over part of the records, published under different `by` columns -------------

# A page of one event (the data also hold another event). reporting.tables.publish names a
# table by its columns ("/".join(by)), so the event's region table and its region x group
# table have different names; their cells are matched by name only (not "whole").
EVENT_W1 = {(r, g): 10 for r in REGIONS for g in GROUPS}  # every cell 10: nothing small
EVENT_W2 = {**EVENT_W1, ("EU", "civ"): 12}  # Europe 30 -> 32, the event 150 -> 152


def _event(tmp_path, n, counts):
    rows = [("forum", r, g) for (r, g), k in counts.items() for _ in range(k)]
    rows += [("other", r, g) for r in REGIONS for g in GROUPS for _ in range(7)]
    frame = _data(tmp_path / f"week{n}", rows, ["event", "region", "group"])
    return frame[frame["event"] == "forum"]


@pytest.mark.xfail(strict=True, reason="a part table's margins are matched by table name only: "
                   "the event's region x group table is not compared with its region table")  # fmt: skip
def test_an_event_page_that_changes_its_breakdown_gives_no_small_change_back(tmp_path):
    ledger = _ledger(tmp_path)
    first = _cells(_event(tmp_path, 1, EVENT_W1), ["region"], "region", 1, ledger)
    second = _cells(_event(tmp_path, 2, EVENT_W2), ["region", "group"], "region/group", 2, ledger)
    pairs = [(first[("EU",)], second[("EU", ALL)]), (first[(ALL,)], second[(ALL, ALL)])]
    # Europe at the event 30 -> 32 and the event's total 150 -> 152, both published
    for old, new in pairs:
        assert old is None or new is None or abs(new - old) >= 5, (
            f"a reader reads a change of {new - old} people ({old} -> {new})"
        )


# --- B. a cell of a new table equal to a difference of last week's published cells ----------

# Week 1: the whole data by region, and the side event by region (both named "region", as
# publish names them). Week 2: the main event by region. The main event's Europe last week is
# whole minus side, a number no single cell held, so nothing in the ledger matches it.
MAIN_W1 = {"AF": 20, "AP": 40, "EU": 40, "LAC": 30, "NA": 30}
SIDE = {"AF": 6, "AP": 6, "EU": 10, "LAC": 6, "NA": 6}
MAIN_W2 = {**MAIN_W1, "EU": 42}


def _events(tmp_path, n, main):
    rows = [("main", r) for r, k in main.items() for _ in range(k)]
    rows += [("side", r) for r, k in SIDE.items() for _ in range(k)]
    return _data(tmp_path / f"week{n}", rows, ["event", "region"])


@pytest.mark.xfail(strict=True, reason="exposed() records single published cells, not what they "
                   "determine: last week's main event = whole - side is never matched")  # fmt: skip
def test_a_new_main_event_table_gives_no_small_change_back(tmp_path):
    ledger = _ledger(tmp_path)
    week1 = _events(tmp_path, 1, MAIN_W1)
    whole = _cells(week1, ["region"], "region", 1, ledger)
    side = _cells(week1[week1["event"] == "side"], ["region"], "region", 1, ledger)
    week2 = _events(tmp_path, 2, MAIN_W2)
    main = _cells(week2[week2["event"] == "main"], ["region"], "region", 2, ledger)
    old = whole[("EU",)] - side[("EU",)]  # 50 - 10 = 40, exactly
    new = main[("EU",)]
    assert new is None or abs(new - old) >= 5, f"main event's Europe {old} -> {new}: a change of {new - old}"


# --- C. the same for a whole table: a coarser classification of last week's cells ----------

# Week 1: a country table (two African countries, 10 each). Week 2: a region table; Algeria
# gained 2 people, the United States 10 (so the total moved by 12, and is published). Africa's
# count last week is the sum of its countries, never a cell.
@pytest.mark.xfail(strict=True, reason="a region is matched only with cells of the same "
                   "categories, not with the sum of last week's country cells")  # fmt: skip
def test_a_region_table_after_a_country_table_gives_no_small_change_back(tmp_path):
    ledger = _ledger(tmp_path)
    countries = {"DZ": ("AF", 10), "EG": ("AF", 10), "JP": ("AP", 40), "FR": ("EU", 50),
                 "BR": ("LAC", 30), "US": ("NA", 30)}  # fmt: skip
    rows1 = [(r, c) for c, (r, k) in countries.items() for _ in range(k)]
    week1 = _data(tmp_path / "week1", rows1, ["region", "iso2"])
    by_country = _cells(week1, ["iso2"], "iso2", 1, ledger)
    week2 = _data(tmp_path / "week2", [*rows1, *[("AF", "DZ")] * 2, *[("NA", "US")] * 10], ["region", "iso2"])
    by_region = _cells(week2, ["region"], "region", 2, ledger)
    old = by_country[("DZ",)] + by_country[("EG",)]  # 20
    new = by_region[("AF",)]
    assert new is None or abs(new - old) >= 5, f"Africa {old} -> {new}: a change of {new - old}"
