"""Attacks on the disclosure guard across snapshots of a scheduled run.

A reader holds every page of every snapshot and may hold the ledger. Each test states what
the reader would derive; each fails on the guard before the private half of the ledger and
the comparison by what a cell counts (commit message of the change), and passes now.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from wsisanalysis.metrics.disclosure import DisclosureError, Rules, guard
from wsisanalysis.metrics.disclosure.ledger import Run
from wsisanalysis.metrics.disclosure.tables import unpack
from wsisanalysis.reporting.tables import load_clean

ALL = "*"
REGIONS = ["AF", "AP", "EU", "LAC", "NA"]
GROUPS = ["gov", "civ", "biz"]
BASE = {"AF": 20, "AP": 40, "EU": 50, "LAC": 30, "NA": 30}


def _data(folder, rows, columns):
    folder.mkdir(parents=True)
    pd.DataFrame(rows, columns=columns).to_parquet(folder / "participation.parquet")
    return load_clean(folder)


def _regions(frame):
    counts = frame.groupby("region").size().reindex(REGIONS, fill_value=0)
    return counts.rename("count").reset_index()


def _region_group(frame):
    return frame.groupby(["region", "group"]).size().rename("count").reset_index()


def _run(n):
    return Run("weekly", f"2026-11-{n:02d}T09:00:00+00:00")


def _ledger(tmp_path):
    return tmp_path / "reports" / "disclosure_ledger.jsonl"


def _cells(frame, columns, name, n, ledger):
    """Publish `frame` counted by `columns` as table `name` in execution `n` of the run."""
    table = frame.groupby(columns).size().rename("count").reset_index()
    rules = Rules(run=_run(n), name=name)
    return dict(guard(table, columns, source=frame, rules=rules, ledger=ledger).cells)


def _weeks(tmp_path, weeks):
    """One 1-D regions table (with its total) per weekly snapshot, one ledger."""
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    out = []
    for n, counts in enumerate(weeks, start=1):
        frame = _data(tmp_path / f"week{n}", [(r,) for r, k in counts.items() for _ in range(k)], ["region"])  # fmt: skip
        rules = Rules(run=_run(n), name="region")
        out.append(dict(guard(_regions(frame), "region", source=frame, rules=rules, ledger=ledger).cells))  # fmt: skip
    return out, ledger


def _range(cells, target):
    """A reader's LP range of region `target` from one 1-D snapshot's published cells."""
    atoms = [(r,) for r in REGIONS]

    def members(key):
        return np.array([all(k in (ALL, a) for k, a in zip(key, atom, strict=True)) for atom in atoms], float)  # fmt: skip

    known = [(members(k), v) for k, v in cells.items() if v is not None]
    a_eq = np.array([m for m, _ in known])
    b_eq = np.array([v for _, v in known], dtype=float)
    c = members(target)
    low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return low.fun, (-high.fun if high.status == 0 else np.inf)


def _change_range(before, after, target):
    """The range of the change of `target` from two snapshots' systems solved apart."""
    lo1, hi1 = _range(before, target)
    lo2, hi2 = _range(after, target)
    return lo2 - hi1, hi2 - lo1


# --- 1. one table, two or three snapshots -------------------------------------------------


@pytest.mark.parametrize(
    ("week1", "week2"),
    [
        ({**BASE, "AF": 3}, {**BASE, "AF": 6}),  # a small cell grows past the threshold
        ({**BASE, "AF": 6}, {**BASE, "AF": 3}),  # a published cell shrinks under it
        ({**BASE, "AF": 3}, {**BASE, "AF": 0}),  # a small cell disappears
        ({**BASE, "AF": 3}, {**BASE, "AF": 3, "LAC": 32}),  # its complement grows by 2
        ({**BASE, "AF": 3}, {**BASE, "AF": 4, "LAC": 27}),  # both change a little
        (BASE, {**BASE, "AF": 22, "AP": 52}),  # one small, one large change
    ],
)
def test_two_snapshots_of_one_table_keep_every_small_change_wide(tmp_path, week1, week2):
    (first, second), _ = _weeks(tmp_path, [week1, week2])
    for r in REGIONS:
        change = week2[r] - week1[r]
        if 0 < abs(change) < 5:
            low, high = _change_range(first, second, (r,))
            assert high - low >= 5, (r, change, low, high, first, second)
    for cells, truth in ((first, week1), (second, week2)):
        for r in REGIONS:
            if 0 < truth[r] < 5:
                low, high = _range(cells, (r,))
                assert high - low >= 5, (r, low, high)


@pytest.mark.parametrize(
    "afs",
    [(20, 22, 21), (6, 3, 7)],  # week 1 and week 3 both published, one apart
)
def test_three_snapshots_give_no_small_change_between_the_first_and_the_third(tmp_path, afs):
    weeks = [{**BASE, "AF": a} for a in afs]
    (first, second, third), _ = _weeks(tmp_path, weeks)
    assert second[("AF",)] is None  # the change 1 -> 2 is hidden
    # week 1 and week 3 both publish Africa: their difference is the change of 1 person
    low, high = _change_range(first, third, ("AF",))
    assert high - low >= 5, f"Africa changed by {low:g}..{high:g} between week 1 and week 3"


# --- 2. two tables per snapshot ----------------------------------------------------------

BY_GROUP = [[10, 6, 4], [20, 15, 5], [30, 12, 8], [10, 10, 10], [9, 11, 10]]
W1 = {
    (r, g): n
    for r, row in zip(REGIONS, BY_GROUP, strict=True)
    for g, n in zip(GROUPS, row, strict=True)
}
W2 = {**W1, ("EU", "civ"): 14}  # Europe 50 -> 52


def _two_tables(tmp_path, plan, *, wipe=False):
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    out = []
    for n, (counts, tables) in enumerate(zip((W1, W2), plan, strict=True), start=1):
        if wipe and n > 1:
            shutil.rmtree(tmp_path / "state", ignore_errors=True)
        rows = [(r, g) for (r, g), k in counts.items() for _ in range(k)]
        frame = _data(tmp_path / f"week{n}", rows, ["region", "group"])
        week = {}
        for name in tables:
            rules = Rules(run=_run(n), name=name)
            if name == "region":
                week[name] = dict(guard(_regions(frame), "region", source=frame, rules=rules, ledger=ledger).cells)  # fmt: skip
            else:
                week[name] = dict(guard(_region_group(frame), ["region", "group"], source=frame, rules=rules, ledger=ledger).cells)  # fmt: skip
        out.append(week)
    return out


def test_two_tables_in_both_snapshots_hide_a_small_change_in_both(tmp_path):
    first, second = _two_tables(tmp_path, [["region", "region x group"], ["region x group", "region"]])  # fmt: skip
    assert first["region"][("EU",)] == 50
    assert second["region"][("EU",)] is None
    assert second["region x group"][("EU", ALL)] is None
    assert second["region x group"][("EU", "civ")] is None


def test_a_table_new_in_this_snapshot_gives_no_small_change_back(tmp_path):
    first, second = _two_tables(tmp_path, [["region"], ["region x group", "region"]])
    europe = [first["region"][("EU",)], second["region x group"][("EU", ALL)]]
    assert europe[0] == 50
    assert None in europe or abs(europe[1] - europe[0]) >= 5, f"Europe {europe[0]} -> {europe[1]}"


# --- 4. the ledger -------------------------------------------------------------------------


def test_the_ledger_does_not_give_a_hidden_total_back(tmp_path):
    # the ledger's "rows" was the true total of a table of one record per person
    (_, second), ledger = _weeks(tmp_path, [BASE, {**BASE, "AF": 22}])
    assert second[("AF",)] is None and second[(ALL,)] is None
    for line in map(json.loads, ledger.read_text().splitlines()):
        assert "rows" not in line and "scope" not in line, sorted(line)


def test_the_ledger_scope_does_not_count_a_small_page(tmp_path):
    rows = [("main", r) for r in REGIONS for _ in range(30)]
    rows += [("side", "AF"), ("side", "AF"), ("side", "EU")]
    frame = _data(tmp_path / "data", rows, ["event", "region"])
    side = frame[frame["event"] == "side"]
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    page = guard(_regions(side), "region", source=side, rules=Rules(name="side"), ledger=ledger)
    assert dict(page.cells)[(ALL,)] is None, "the page hides its total of 3"
    line = json.loads(ledger.read_text().splitlines()[-1])
    assert "scope" not in line, "the scope mask's 3 bits would count the page's 3 people"
    from wsisanalysis.metrics.disclosure import memory

    private = json.loads(memory.memory_path(ledger).read_text().splitlines()[-1])
    assert int(unpack(private["scope"], private["rows"]).sum()) == 3  # kept privately


# --- 5. private state missing between executions --------------------------------------------


def test_a_fresh_runner_refuses_to_publish_blind_into_a_ledger_of_the_same_data(tmp_path):
    # without the private half, which cells were protected (Africa's 20 -> 22) is lost: another
    # page on the same data would publish Africa's 22. Publishing is refused, saying why.
    (_, second), ledger = _weeks(tmp_path, [BASE, {**BASE, "AF": 22}])
    assert second[("AF",)] is None
    shutil.rmtree(tmp_path / "state")  # a fresh CI runner: the ledger is kept, the state is not
    frame = load_clean(tmp_path / "week2")
    with pytest.raises(DisclosureError, match=r"private part is missing.*new output folder"):
        guard(
            _regions(frame), "region", source=frame, rules=Rules(name="other page"), ledger=ledger
        )


def test_a_fresh_runner_still_hides_a_small_change_of_a_cell_published_both_times(tmp_path):
    # the ledger alone holds last week's published values: a cell published both times is
    # still compared, state or not
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    out = []
    for n, counts in enumerate((BASE, {**BASE, "AF": 22}), start=1):
        shutil.rmtree(tmp_path / "state", ignore_errors=True)
        frame = _data(tmp_path / f"week{n}", [(r,) for r, k in counts.items() for _ in range(k)], ["region"])  # fmt: skip
        out.append(dict(guard(_regions(frame), "region", source=frame, rules=Rules(run=_run(n), name="region"), ledger=ledger).cells))  # fmt: skip
    assert out[1][("AF",)] is None
    low, high = _change_range(out[0], out[1], ("AF",))
    assert high - low >= 5
