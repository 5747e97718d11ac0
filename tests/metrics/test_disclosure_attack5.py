"""Fifth round of attacks on the cross-snapshot disclosure guard: derived cells over more
scopes than two, a flag's complement, more ties than :data:`.snapshots.MAX_DESCRIPTIONS`,
categories split or merged between weeks, and the guard's cost over a realistic run.

A reader holds every page of every snapshot and the ledger in ``reports/`` (not the private
state). Standard: no count of 1-4 people, and no change of 1-4 people of one count between
two snapshots, may be derived to within a range narrower than 5. A leak is an
``xfail(strict=True)`` test whose assertion states that standard; a probe that holds passes.
"""

from __future__ import annotations

import pytest
from tests.metrics.test_disclosure_attack import ALL, REGIONS, _cells, _data, _ledger, _run
from tests.metrics.test_disclosure_attack3 import MAIN, SIDE, _main_by_difference
from tests.metrics.test_disclosure_attack4 import _safe

from wsisanalysis.metrics import development_coverage
from wsisanalysis.metrics.disclosure import Rules, guard

# --- 1. a flag's complement: the region table's total less the LDC count ----------------------

# A page by region (with its total) and development_coverage (LDC/LLDC/SIDS people) over the
# same records. Everyone not from an LDC is the total less the LDC count: a count no table
# holds, no block of scopes (one scope only) and no candidate of the audit.
COUNTRY_REGION = {"ET": "AF", "ZA": "AF", "NP": "AP", "HT": "LAC"}  # ZA alone is not an LDC


def _regions_and_flags(tmp_path, n, counts, ledger, *, run=True):
    rows = [(COUNTRY_REGION[c], c, "2025-06-23") for c, k in counts.items() for _ in range(k)]
    frame = _data(tmp_path / f"week{n}", rows, ["region", "country_iso2", "date"])
    table = frame.groupby("region").size().rename("count").reset_index()
    rules = Rules(run=_run(n) if run else None, name="region")
    regions = dict(guard(table, "region", source=frame, rules=rules, ledger=ledger).cells)
    rules = Rules(run=_run(n) if run else None, name="flag", indicator=True)
    cells = guard(development_coverage(frame), "flag", source=frame, rules=rules, ledger=ledger)
    return regions, {k[0].partition("@")[0]: v for k, v in cells.cells}


def test_the_total_less_the_ldc_count_gives_no_small_count_back(tmp_path):
    """Was a leak: no audit cell for a flag's complement (total - ldc); TableSet.cells
    adds candidates only across scopes, and uncovered() skips indicator tables. Fixed."""
    counts = {"ET": 47, "ZA": 3, "NP": 20, "HT": 15}  # 85 people, 82 from LDCs
    regions, flags = _regions_and_flags(tmp_path, 1, counts, _ledger(tmp_path), run=False)
    total, ldc = regions[(ALL,)], flags["ldc"]
    assert total is None or ldc is None or not 0 < total - ldc < 5, (
        f"{total} people, {ldc} from LDCs: {total - ldc} from South Africa"
    )


def test_the_total_less_the_ldc_count_gives_no_small_change_back(tmp_path):
    """Was a leak: narrow_changes compares single cells and moved_derived returns [] for
    one scope; total - ldc (non-LDC people) moves 10 -> 12 while each cell moves by 7-9.
    Fixed."""
    ledger = _ledger(tmp_path)
    w1 = _regions_and_flags(tmp_path, 1, {"ET": 40, "ZA": 10, "NP": 20, "HT": 15}, ledger)
    w2 = _regions_and_flags(tmp_path, 2, {"ET": 47, "ZA": 12, "NP": 20, "HT": 15}, ledger)
    old, new = (None if None in (r[(ALL,)], f["ldc"]) else r[(ALL,)] - f["ldc"] for r, f in (w1, w2))  # fmt: skip
    assert _safe(old, new), f"people not from an LDC {old} -> {new}"  # 85-75 -> 94-82


# --- 2. three events and the host left out: main = whole - side - third ----------------------

# Pages: the whole data, the host country (CH) left out, the side event, the third event, all
# by region. main = whole - side - third is the union of two blocks (main & host, main & not
# host) and no difference of two scopes. Each block and each difference of two pages moves by
# 0 or 5 or more; the main event's Europe moves 40 -> 42 (and its total 120 -> 122).
EU3_W1 = {("main", "FR"): 30, ("main", "CH"): 10, ("side", "FR"): 10, ("side", "CH"): 10,
          ("third", "FR"): 10, ("third", "CH"): 10}  # fmt: skip
EU3_W2 = {**EU3_W1, ("main", "FR"): 37, ("main", "CH"): 5, ("side", "FR"): 20,
          ("third", "FR"): 15}  # fmt: skip


def _four_scopes(tmp_path, n, europe, ledger):
    rows = [(e, "EU", c) for (e, c), k in europe.items() for _ in range(k)]
    rows += [(e, r, f"X{r}") for r in REGIONS if r != "EU"
             for e, k in (("main", 20), ("side", 6), ("third", 6)) for _ in range(k)]  # fmt: skip
    frame = _data(tmp_path / f"week{n}", rows, ["event", "region", "country"])
    whole = _cells(frame, ["region"], "region", n, ledger)
    _cells(frame[frame["country"] != "CH"], ["region"], "region", n, ledger)
    side = _cells(frame[frame["event"] == "side"], ["region"], "region", n, ledger)
    third = _cells(frame[frame["event"] == "third"], ["region"], "region", n, ledger)
    return whole, side, third


def _main_of(whole, side, third, key):
    return None if None in (whole[key], side[key], third[key]) else whole[key] - side[key] - third[key]  # fmt: skip


def test_whole_less_two_events_cut_by_a_fourth_scope_gives_no_small_change_back(tmp_path):
    """Was a leak: block_cells(differences=True) adds blocks and differences of two
    scopes; whole - side - third (a union of two blocks once the host scope cuts it) is
    neither. Fixed."""
    ledger = _ledger(tmp_path)
    w1 = _four_scopes(tmp_path, 1, EU3_W1, ledger)
    w2 = _four_scopes(tmp_path, 2, EU3_W2, ledger)
    for key in (("EU",), (ALL,)):
        old, new = _main_of(*w1, key), _main_of(*w2, key)  # 40 -> 42, 120 -> 122
        assert _safe(old, new), f"main event {key}: {old} -> {new}"


def test_whole_less_two_events_without_a_host_scope_is_compared(tmp_path):
    """Probe that holds: the same three events without the host page: main is one block."""
    ledger = _ledger(tmp_path)
    out = []
    for n, europe in enumerate((EU3_W1, EU3_W2), 1):
        rows = [(e, "EU", c) for (e, c), k in europe.items() for _ in range(k)]
        rows += [(e, r, f"X{r}") for r in REGIONS if r != "EU"
                 for e, k in (("main", 20), ("side", 6), ("third", 6)) for _ in range(k)]  # fmt: skip
        frame = _data(tmp_path / f"week{n}", rows, ["event", "region", "country"])
        pages = [_cells(f, ["region"], "region", n, ledger) for f in
                 (frame, frame[frame["event"] == "side"], frame[frame["event"] == "third"])]  # fmt: skip
        out.append(_main_of(*pages, ("EU",)))
    assert _safe(*out), out


# --- 3. more ties than MAX_DESCRIPTIONS: the right description is cut off ---------------------

# This week the main event is also "badge = delegate", "venue = CICG", "language = en"... (9
# columns that happen to select it exactly), the event column coming last. Last week Europe's
# side-event people had the main event's values in all 9: each of the 8 descriptions tried
# counts them at the main event (50 -> 42, not small); event = main (40 -> 42) is the 10th.
TIES = [f"tie{i}" for i in range(9)]


def _tied_events(tmp_path, n, main_eu, side_like_main, ties=TIES):
    rows = []
    for event, counts in (("main", {**MAIN, "EU": main_eu}), ("side", SIDE)):
        for region, k in counts.items():
            like = event == "main" or (region in side_like_main)
            rows += [(*(["a" if like else "b"] * len(ties)), event, region)] * k
    return _data(tmp_path / f"week{n}", rows, [*ties, "event", "region"])


@pytest.mark.xfail(
    strict=True,
    reason="leak: descriptions() stops at MAX_DESCRIPTIONS (8); 9 coincident columns before "
    "`event` fill them all and event = main is never tried by narrow_changes",
)
def test_more_tied_columns_than_descriptions_give_no_small_change_back(tmp_path):
    ledger = _ledger(tmp_path)
    old = _main_by_difference(_tied_events(tmp_path, 1, 40, {"EU"}), 1, ledger)  # 50 - 10
    week2 = _tied_events(tmp_path, 2, 42, set())
    new = _cells(week2[week2["event"] == "main"], ["region"], "region", 2, ledger)[("EU",)]
    assert _safe(old, new), f"main event's Europe {old} -> {new}"


def test_eight_tied_columns_are_all_tried(tmp_path):
    """Probe that holds: two ties fewer (8 descriptions, event = main among them)."""
    ledger = _ledger(tmp_path)
    old = _main_by_difference(_tied_events(tmp_path, 1, 40, {"EU"}, TIES[:7]), 1, ledger)
    week2 = _tied_events(tmp_path, 2, 42, set(), TIES[:7])
    new = _cells(week2[week2["event"] == "main"], ["region"], "region", 2, ledger)[("EU",)]
    assert _safe(old, new), f"main event's Europe {old} -> {new}"


# --- 4. a category split into two, or two merged into one, between weeks ---------------------

# Week 1 publishes civil society as one group (civ 50); week 2 splits it (civ-academia 20,
# civ-ngo 32), or the other way round. Each new label is compared with each gone label alone
# (50 -> 20, 50 -> 32: far apart); their sum, civil society, moves 50 -> 52.


def _groups(tmp_path, n, groups, ledger):
    rows = [(g,) for g, k in groups.items() for _ in range(k)]
    return _cells(_data(tmp_path / f"week{n}", rows, ["group"]), ["group"], "group", n, ledger)


def test_a_category_split_in_two_gives_no_small_change_back(tmp_path):
    """Was a leak: _renamed/_renamings map each new label to one gone label; a split
    category's parts are never summed (civ 50 -> academia 20 + ngo 32 = 52). Fixed."""
    ledger = _ledger(tmp_path)
    first = _groups(tmp_path, 1, {"gov": 50, "civ": 50, "biz": 50}, ledger)
    second = _groups(tmp_path, 2, {"gov": 60, "civ-academia": 20, "civ-ngo": 32, "biz": 50}, ledger)  # fmt: skip
    parts = (second[("civ-academia",)], second[("civ-ngo",)])
    new = None if None in parts else sum(parts)
    assert _safe(first[("civ",)], new), f"civil society {first[('civ',)]} -> {new}"


def test_two_categories_merged_into_one_give_no_small_change_back(tmp_path):
    """Was a leak: a label new since (civ) is compared with each gone label alone
    (academia 20, ngo 30), never with their sum (50 -> 52). Fixed."""
    ledger = _ledger(tmp_path)
    first = _groups(tmp_path, 1, {"gov": 50, "civ-academia": 20, "civ-ngo": 30, "biz": 50}, ledger)  # fmt: skip
    second = _groups(tmp_path, 2, {"gov": 60, "civ": 52, "biz": 50}, ledger)
    parts = (first[("civ-academia",)], first[("civ-ngo",)])
    old = None if None in parts else sum(parts)
    assert _safe(old, second[("civ",)]), f"civil society {old} -> {second[('civ',)]}"


# --- 5. over-hiding: ordinary weekly use ------------------------------------------------------


def test_pages_whose_cells_move_by_zero_or_five_or_more_hide_nothing(tmp_path):
    """Probe that holds: three pages both weeks, every cell (and margin) moves by 0, 5 or 10."""
    ledger = _ledger(tmp_path)
    w1 = {(r, g): 10 for r in REGIONS for g in ("gov", "civ", "biz")}
    w2 = {**w1, ("EU", "civ"): 15, ("AF", "gov"): 15}
    for n, counts in enumerate((w1, w2), 1):
        frame = _data(tmp_path / f"week{n}", [k for k, v in counts.items() for _ in range(v)],
                      ["region", "group"])  # fmt: skip
        for by in (["region", "group"], ["region"], ["group"]):
            cells = _cells(frame, by, "/".join(by), n, ledger)
            assert None not in cells.values(), (n, by, cells)


def test_a_new_country_is_not_taken_for_a_renaming_of_an_unrelated_gone_one(tmp_path):
    """Was over-hiding: _renamings pairs a new country with every gone one; Bangladesh
    (new, 12) is hidden as a 'renaming' of Nepal (gone, 10), France as its complement.
    Fixed."""
    ledger = _ledger(tmp_path)
    out = []
    for n, counts in enumerate(({"FR": 50, "NP": 10, "US": 40}, {"FR": 50, "BD": 12, "US": 50}), 1):  # fmt: skip
        rows = [(c,) for c, k in counts.items() for _ in range(k)]
        out.append(_cells(_data(tmp_path / f"week{n}", rows, ["iso2"]), ["iso2"], "iso2", n, ledger))  # fmt: skip
    # no count of people moved by 1-4: France 50 -> 50, US 40 -> 50, total 100 -> 112
    assert out[1] == {("BD",): 12, ("FR",): 50, ("US",): 50, (ALL,): 112}, out[1]


# --- 7. a data set of another shape: the side event dropped from the export -------------------

# Week 1's export holds both events (an `event` column); the pages are the whole and the side
# event (main = 50 - 10 = 40). Week 2's export holds the main event only, with no `event`
# column: its whole page is the main event (42), and is translated to all of week 1's records
# (50 -> 42, not small).


@pytest.mark.xfail(
    strict=True,
    reason="leak: a page of all records is described as [] (all records) and compared with "
    "all of week 1's; a data set narrowed to one event, its event column dropped, is not "
    "compared with that event's derived count",
)
def test_an_export_narrowed_to_the_main_event_gives_no_small_change_back(tmp_path):
    ledger = _ledger(tmp_path)
    rows = [(e, r) for e, c in (("main", MAIN), ("side", SIDE)) for r, k in c.items() for _ in range(k)]  # fmt: skip
    old = _main_by_difference(_data(tmp_path / "week1", rows, ["event", "region"]), 1, ledger)
    rows2 = [(r,) for r, k in {**MAIN, "EU": 42}.items() for _ in range(k)]
    new = _cells(_data(tmp_path / "week2", rows2, ["region"]), ["region"], "region", 2, ledger)
    assert _safe(old, new[("EU",)]), f"main event's Europe {old} -> {new[('EU',)]}"
