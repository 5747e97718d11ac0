"""The disclosure guard: cell rules, the linear-programming audit, the ledger across runs."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from wsisanalysis.metrics.disclosure import (
    DisclosureError,
    Rules,
    guard,
    suppress,
)
from wsisanalysis.metrics.disclosure.cells import INDEPENDENT
from wsisanalysis.reporting.tables import load_clean

ALL = "*"


def reader_ranges(cells, atoms, keys_of_atoms):
    """What a reader can do: the LP over the atoms (non-negative only) given every published
    cell; the range of each hidden cell. `cells` maps a key (with * for a total) to its
    published value or None; `keys_of_atoms` lists each atom's full key."""

    def members(key):
        return np.array(
            [all(k in (ALL, a) for k, a in zip(key, atom, strict=True)) for atom in keys_of_atoms],
            dtype=float,
        )

    published = [(members(k), v) for k, v in cells if v is not None]
    a_eq = np.array([m for m, _ in published]) if published else None
    b_eq = np.array([v for _, v in published], dtype=float) if published else None
    out = {}
    for key, value in cells:
        if value is None and ALL not in key:
            c = members(key)
            low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            out[key] = (low.fun, -high.fun if high.status == 0 else np.inf)
    return out


def _two_way(values: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(f"r{i}", f"c{j}", v) for i, row in enumerate(values) for j, v in enumerate(row)],
        columns=["row", "col", "count"],
    )


def test_a_cell_fixed_by_both_margins_is_protected():
    # the 2 at (r0, c0) is alone in neither its row nor its column, so the per-total heuristic
    # leaves it; but with both margins published the four hidden cells pin it exactly
    table = _two_way([[2, 1, 30], [9, 7, 40], [20, 30, 50]])
    heuristic = suppress(table, by=["row", "col"])
    cells = [
        ((r, c), None if pd.isna(v) else int(v))
        for r, c, v in heuristic[["row", "col", "count"]].itertuples(index=False)
    ]
    margins = [((f"r{i}", ALL), int(table[table.row == f"r{i}"]["count"].sum())) for i in range(3)]
    margins += [
        ((ALL, f"c{j}"), int(table[table.col == f"c{j}"]["count"].sum())) for j in range(3)
    ]
    atoms = [(r, c) for r, c in table[["row", "col"]].itertuples(index=False)]
    before = reader_ranges(cells + margins, atoms, atoms)
    assert any(high - low < 5 for low, high in before.values()), "the heuristic alone leaks"
    safe = guard(table, ["row", "col"])
    after = reader_ranges(list(safe.cells), atoms, atoms)
    assert after and all(high - low >= 5 for low, high in after.values())


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda r: st.integers(2, 5).flatmap(
            lambda c: st.lists(
                st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 9, 15, 40]), min_size=c, max_size=c),
                min_size=r,
                max_size=r,
            )
        )
    ),
    st.integers(3, 8),
)
def test_every_small_hidden_cell_stays_at_least_the_threshold_wide(values, threshold):
    table = _two_way(values)
    safe = guard(table, ["row", "col"], rules=Rules(threshold=threshold))
    atoms = [(r, c) for r, c in table[["row", "col"]].itertuples(index=False)]
    shown = safe.table["count"]
    assert not ((shown > 0) & (shown < threshold)).fillna(False).any()
    ranges = reader_ranges(list(safe.cells), atoms, atoms)
    true = dict(zip(atoms, table["count"], strict=True))
    for key, (low, high) in ranges.items():
        if 0 < true[key] < threshold:
            assert high - low >= threshold - 1e-6, (key, low, high, values)


def test_every_column_derived_from_a_hidden_count_is_hidden_by_rule():
    table = pd.DataFrame(
        {
            "region": ["AF", "EU", "NA"],
            "count": [3, 40, 50],
            "cohort_size": [3, 40, 50],
            "rate": [1.0, 1.0, 1.0],
            "some_new_ratio_column": [0.2, 0.9, 1.1],
            "flag_below": [True, False, False],
            "baseline_share": [0.1, 0.5, 0.4],
        }
    )
    out = suppress(table, by="region")
    hidden = out["count"].isna()
    assert hidden.sum() >= 2
    for col in ("cohort_size", "rate", "some_new_ratio_column", "flag_below"):
        assert out.loc[hidden, col].isna().all(), col
        assert out.loc[~hidden, col].notna().all(), col
    assert "baseline_share" in INDEPENDENT and out["baseline_share"].notna().all()


def test_hidden_cells_look_the_same_whether_small_or_protecting():
    table = pd.DataFrame({"region": ["AF", "AP", "EU"], "count": [3, 40, 50]})
    safe = guard(table, "region")
    assert "suppressed" not in safe.table  # the reason column never reaches a page
    assert safe.table["count"].isna().sum() == 2
    assert "fewer than 5" in safe.legend


def test_a_table_that_does_not_count_its_source_is_refused():
    source = pd.DataFrame({"region": ["AF"] * 10 + ["EU"] * 20})
    wrong = pd.DataFrame({"region": ["AF", "EU"], "count": [12, 18]})
    with pytest.raises(DisclosureError, match="does not count its source"):
        guard(wrong, "region", source=source)


def _events() -> pd.DataFrame:
    """Two events: the side event has 3 from AF and 2 from LAC."""
    main = {"AF": 40, "AP": 60, "EU": 80, "LAC": 30, "NA": 50}
    side = {"AF": 3, "AP": 12, "EU": 20, "LAC": 2, "NA": 9}
    rows = [
        (e, r)
        for e, counts in (("main", main), ("side", side))
        for r, n in counts.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows, columns=["event", "region"])


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    counts = frame.groupby("region").size().reindex(["AF", "AP", "EU", "LAC", "NA"], fill_value=0)
    return counts.rename("count").reset_index()


def _difference_attack(all_events, one_event) -> dict[str, int]:
    """All-events page minus one event's page: the other event's cells, where both are shown."""
    a = dict(all_events.table[["region", "count"]].itertuples(index=False))
    b = dict(one_event.table[["region", "count"]].itertuples(index=False))
    return {r: int(a[r] - b[r]) for r in a if pd.notna(a[r]) and pd.notna(b[r])}


def test_the_ledger_stops_the_difference_of_two_pages_revealing_a_hidden_cell(tmp_path):
    _events().to_parquet(tmp_path / "participation.parquet")
    frame = load_clean(tmp_path)  # remembers its file: the ledger is kept per clean table
    main = frame[frame["event"] == "main"]
    side_truth = _table(frame[frame["event"] == "side"]).set_index("region")["count"]

    # unguarded across pages: each page suppressed on its own (separate ledgers)
    alone_all = guard(_table(frame), "region", source=frame, ledger=tmp_path / "a.jsonl")
    alone_main = guard(_table(main), "region", source=main, ledger=tmp_path / "b.jsonl")
    leaked = _difference_attack(alone_all, alone_main)
    assert leaked.get("AF") == side_truth["AF"] == 3, "the attack must work on pages audited apart"

    # one ledger: the second page is audited against the first
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    first = guard(_table(frame), "region", source=frame, ledger=ledger)
    second = guard(_table(main), "region", source=main, ledger=ledger)
    recovered = _difference_attack(first, second)
    small = {r for r, v in side_truth.items() if 0 < v < 5}
    assert not small & set(recovered), recovered
    assert len(ledger.read_text().splitlines()) == 2
    written = ledger.read_text()
    assert "null" in written
    assert not re.search(r'"key":\["(AF|LAC)"\],"value":[0-9]', written.splitlines()[1])


def test_an_empty_table_is_published_as_it_is():
    empty = pd.DataFrame({"reason": pd.Series([], dtype=str), "rows": pd.Series([], dtype=int)})
    assert guard(empty, "reason", rules=Rules(count="rows")).table.empty


def _scoped(tmp_path, side_af: int):
    """All events (Africa 5 in all) published first, then the main event alone."""
    rows = [("main", "AF")] * (5 - side_af) + [("side", "AF")] * side_af
    rows += [(e, r) for e, n in (("main", 40), ("side", 30)) for r in ("AP", "EU", "LAC", "NA") for _ in range(n // 4 + 5)]  # fmt: skip
    pd.DataFrame(rows, columns=["event", "region"]).to_parquet(tmp_path / "participation.parquet")
    frame = load_clean(tmp_path)
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    everyone = guard(_table(frame), "region", source=frame, ledger=ledger)
    main = frame[frame["event"] == "main"]
    return everyone, guard(_table(main), "region", source=main, ledger=ledger), ledger


def test_a_hidden_cell_an_earlier_page_pins_is_left_out_not_shown_as_hidden(tmp_path):
    # Africa is 5 on the all-events page (published: not small). On the main event's page
    # Africa is 3: shown as "suppressed", a reader knows it is 1 to 5, narrower than the
    # threshold, and no cell of the main page can widen it. It must be left out instead.
    everyone, main, ledger = _scoped(tmp_path, side_af=2)
    assert everyone.table.set_index("region")["count"]["AF"] == 5
    assert "AF" not in set(main.table["region"]), main.table
    assert "left out" in main.legend and main.left_out and not everyone.left_out
    assert not main.unresolved and not main.withheld
    written = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert {"key": ["AF"], "value": None, "listed": False} in written[1]["cells"]
    # the reader's LP over (event, region) from both pages: Africa at the main event stays
    # at least the threshold wide (the main page's total minus its shown regions must not
    # give it back either)
    regions = ["AF", "AP", "EU", "LAC", "NA"]
    atoms = [(e, r) for e in ("main", "side") for r in regions]
    cells = [((ALL, r), _value(everyone, r)) for r in regions] + [((ALL, ALL), _total(everyone))]
    cells += [(("main", r), _value(main, r)) for r in regions] + [(("main", ALL), _total(main))]
    low, high = reader_ranges(cells, atoms, atoms)[("main", "AF")]
    assert high - low >= 5, (low, high)


def _value(published, region):
    row = published.table.set_index("region")["count"]
    return None if region not in row or pd.isna(row[region]) else int(row[region])


def _total(published):
    """The page's total as the guard takes it to be published (printed, or a sum of rows)."""
    return dict(published.cells)[(ALL,)]


def test_a_later_run_reads_left_out_cells_back_as_unlisted(tmp_path):
    _scoped(tmp_path, side_af=2)
    from wsisanalysis.metrics.disclosure.memory import read

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    dataset = json.loads(ledger.read_text().splitlines()[0])["dataset"]
    main = read(ledger, dataset)[1]
    assert ("AF",) in main.unlisted
    assert not main.listed()[list(main.keys).index(("AF",))]
    assert not main.listed()[list(main.keys).index(("*",))], "a total is never listed on its own"


def test_a_table_the_audit_withholds_shows_nothing_but_saying_so(tmp_path, monkeypatch):
    from wsisanalysis.metrics.disclosure import sets
    from wsisanalysis.reporting.tables import show_table

    # force the last resort: a disclosure neither hiding nor leaving out can repair
    monkeypatch.setattr(sets, "protect", lambda cells, threshold, check=None: {0: (1.0, 2.0)})
    _events().to_parquet(tmp_path / "participation.parquet")
    frame = load_clean(tmp_path)
    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    withheld = guard(_table(frame), "region", source=frame, ledger=ledger)
    assert withheld.withheld and withheld.table.empty
    from wsisanalysis.reporting.figures import share_bars

    chart = share_bars(withheld, by="region", title="Participants by region")
    assert "Withheld" in chart._repr_html_() and "plotly" not in chart._repr_html_()
    page = show_table(withheld).markup
    assert "Withheld" in page and not re.search(r"\d{2}", page.replace("fewer than 5", ""))
    assert not ledger.exists() or not ledger.read_text().strip(), (
        "a withheld table is not recorded"
    )


def _week(folder, counts):
    folder.mkdir(parents=True)
    rows = [r for r, n in counts.items() for _ in range(n)]
    pd.DataFrame({"region": rows}).to_parquet(folder / "participation.parquet")
    return load_clean(folder)


def _weekly(tmp_path, *, run_aware: bool):
    from wsisanalysis.metrics.disclosure.ledger import Run

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    week1 = {"AF": 20, "AP": 40, "EU": 50, "LAC": 30, "NA": 30}
    week2 = {**week1, "AF": 22, "AP": 52}  # two more from Africa, twelve more from Asia-Pacific
    published = []
    for n, counts in enumerate((week1, week2), start=1):
        frame = _week(tmp_path / f"week{n}", counts)
        run = Run("weekly", f"2026-11-{n:02d}T09:00:00+00:00") if run_aware else None
        rules = Rules(run=run, name="region")
        published.append(guard(_table(frame), "region", source=frame, rules=rules, ledger=ledger))
    return [p.table.set_index("region")["count"] for p in published], published[1]


def test_a_small_change_since_the_previous_snapshot_is_hidden_and_protected(tmp_path):
    # comparing two weekly snapshots gives the change of every cell both publish: here the 2
    # new participants from Africa, a count of people under the threshold
    (before, now), _ = _weekly(tmp_path / "unaware", run_aware=False)
    assert now["AF"] - before["AF"] == 2, "the attack works when snapshots are audited apart"

    (before, now), second = _weekly(tmp_path / "aware", run_aware=True)
    assert pd.isna(now["AF"]) and now["AP"] - before["AP"] == 12
    # and the second week's own figures do not give Africa back (total minus the rest)
    regions = ["AF", "AP", "EU", "LAC", "NA"]
    cells = [((r,), _value(second, r)) for r in regions] + [((ALL,), _total(second))]
    low, high = reader_ranges(cells, [(r,) for r in regions], [(r,) for r in regions])[("AF",)]
    assert high - low >= 5, (low, high)


def test_what_derives_from_a_withheld_table_stays_withheld():
    from wsisanalysis.metrics.disclosure import PublishedTable
    from wsisanalysis.reporting import categories

    withheld = PublishedTable(
        pd.DataFrame(columns=["community", "count"]),
        ("community",),
        "count",
        5,
        "",
        (),
        withheld=True,
    )
    frame = pd.DataFrame({"event": ["A"], "date": pd.to_datetime(["2025-06-02"])})
    for derived in (categories.publish_rollup(withheld), categories.parents_only(withheld), categories.as_months(withheld),
                    categories.known_shares(withheld, "community"), categories.with_event_dates(withheld, frame)):  # fmt: skip
        assert derived.withheld


def test_the_legend_names_what_the_table_counts():
    activities = pd.DataFrame({"activity_type": ["a", "b", "c"], "activities": [3, 40, 50]})
    assert (
        "fewer than 5 activities"
        in guard(activities, "activity_type", rules=Rules(count="activities")).legend
    )
    people = pd.DataFrame({"region": ["AF", "AP", "EU"], "count": [3, 40, 50]})
    assert "fewer than 5 people" in guard(people, "region").legend


def _two_weeks(tmp_path, week1, week2):
    from wsisanalysis.metrics.disclosure.ledger import Run

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    out = []
    for n, counts in enumerate((week1, week2), start=1):
        frame = _week(tmp_path / f"week{n}", counts)
        rules = Rules(run=Run("weekly", f"2026-11-{n:02d}T09:00:00+00:00"), name="region")
        out.append(guard(_table(frame), "region", source=frame, rules=rules, ledger=ledger))
    return out


def test_a_cell_hidden_last_week_without_being_kept_wide_shows_no_small_change(tmp_path):
    from wsisanalysis.metrics.disclosure import memory

    # last week Africa's 3 was hidden, and one more region with it (a complementary cell: not
    # small, so the audit never kept it wide and a reader may have narrowed it). This week
    # that region grew by 2: published, a reader could take the 2 back. Africa's own change
    # (3 -> 6) is safe: a small hidden count is kept at least 5 wide, so its change is too.
    week1 = {"AF": 3, "AP": 40, "EU": 50, "LAC": 30, "NA": 33}
    first = _two_weeks(tmp_path / "probe", week1, week1)[0]
    complement = next(r for r in ("AP", "EU", "LAC", "NA") if _value(first, r) is None)
    week2 = {**week1, "AF": 6, complement: week1[complement] + 2}
    first, second = _two_weeks(tmp_path / "weeks", week1, week2)
    assert _value(first, complement) is None and _value(second, complement) is None
    ledger = tmp_path / "weeks" / "reports" / "disclosure_ledger.jsonl"
    dataset = json.loads(ledger.read_text().splitlines()[-1])["dataset"]
    protected = {k[0] for k in memory.read(ledger, dataset)[-1].sensitive}
    assert protected == {complement}, "only the complement is protected for its change"
    assert "sensitive" not in ledger.read_text(), "the ledger does not say which change was small"
    regions = ["AF", "AP", "EU", "LAC", "NA"]
    cells = [((r,), _value(second, r)) for r in regions] + [((ALL,), _total(second))]
    low, high = reader_ranges(cells, [(r,) for r in regions], [(r,) for r in regions])[
        (complement,)
    ]
    assert high - low >= 5, (low, high)


def test_the_private_memory_keeps_true_counts_out_of_the_output_folder(tmp_path):
    from wsisanalysis.metrics.disclosure import memory

    week = {"AF": 3, "AP": 40, "EU": 50, "LAC": 30, "NA": 33}
    _two_weeks(tmp_path / "weeks", week, week)
    ledger = tmp_path / "weeks" / "reports" / "disclosure_ledger.jsonl"
    path = memory.memory_path(ledger)
    assert path.is_relative_to(tmp_path / "state") and path.stat().st_mode & 0o077 == 0
    remembered = [json.loads(line) for line in path.read_text().splitlines()]
    assert [{tuple(k): v for k, v, _ in e["counts"]}[("AF",)] for e in remembered] == [3, 3]
    assert [e["id"] for e in remembered] == [
        e["id"] for e in map(json.loads, ledger.read_text().splitlines())
    ]
    # the output folder holds published values only: Africa's 3 is nowhere in it
    for entry in map(json.loads, ledger.read_text().splitlines()):
        assert {tuple(c["key"]): c["value"] for c in entry["cells"]}[("AF",)] is None


def test_the_private_memory_keeps_every_execution_of_each_run(tmp_path):
    """A reader may hold every page of every snapshot: nothing is forgotten (it once kept
    the last 3 executions only, and week 5 was not compared with week 1)."""
    from wsisanalysis.metrics.disclosure import memory
    from wsisanalysis.metrics.disclosure.ledger import Run

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    frame = _week(tmp_path / "data", {"AF": 10, "EU": 20})
    for day in range(1, 6):
        for run in ("weekly", "monthly"):
            rules = Rules(run=Run(run, f"2026-11-{day:02d}T09:00:00+00:00"), name="region")
            guard(_table(frame), "region", source=frame, rules=rules, ledger=ledger)
    kept = [json.loads(line) for line in memory.memory_path(ledger).read_text().splitlines()]
    for run in ("weekly", "monthly"):
        days = sorted(e["started"][8:10] for e in kept if e.get("run") == run and "counts" in e)
        assert days == ["01", "02", "03", "04", "05"], (run, days)


def test_a_later_table_on_the_same_data_keeps_a_small_change_protected(tmp_path):
    # week 2 hides Africa's change (20 -> 22) without the ledger saying so; a second page of
    # the same week's data, published after it, must still keep Africa at least 5 wide
    from wsisanalysis.metrics.disclosure.ledger import Run

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    week1 = {"AF": 20, "AP": 40, "EU": 50, "LAC": 30, "NA": 30}
    week2 = {**week1, "AF": 22}
    for n, counts in enumerate((week1, week2), start=1):
        frame = _week(tmp_path / f"week{n}", counts)
        run = Run("weekly", f"2026-11-{n:02d}T09:00:00+00:00")
        guard(
            _table(frame),
            "region",
            source=frame,
            rules=Rules(run=run, name="region"),
            ledger=ledger,
        )
    # the same counts again, as another page of that run would publish them (its own name)
    again = guard(
        _table(frame), "region", source=frame, rules=Rules(name="other page"), ledger=ledger
    )
    assert "sensitive" not in ledger.read_text()
    assert _value(again, "AF") is None, "Africa's 22 beside last week's 20 gives its 2 back"
    regions = ["AF", "AP", "EU", "LAC", "NA"]
    cells = [((r,), _value(again, r)) for r in regions] + [((ALL,), _total(again))]
    low, high = reader_ranges(cells, [(r,) for r in regions], [(r,) for r in regions])[("AF",)]
    assert high - low >= 5, (low, high)


def test_earlier_records_are_kept_privately_without_ids(tmp_path):
    from wsisanalysis.metrics.disclosure import memory
    from wsisanalysis.metrics.disclosure.ledger import Run

    ledger = tmp_path / "reports" / "disclosure_ledger.jsonl"
    for day in range(1, 6):
        folder = tmp_path / f"week{day}"
        folder.mkdir()
        rows = [(r, f"p{r}{i}") for r, n in {"AF": 10 + day, "EU": 20}.items() for i in range(n)]
        pd.DataFrame(rows, columns=["region", "participant_id"]).to_parquet(
            folder / "participation.parquet"
        )
        frame = load_clean(folder)
        rules = Rules(run=Run("weekly", f"2026-11-{day:02d}T09:00:00+00:00"), name="region")
        guard(_table(frame), "region", source=frame, rules=rules, ledger=ledger)

    def kept():
        return sorted(memory.memory_path(ledger).parent.glob("*.parquet"))

    assert len(kept()) == 5, [p.name for p in kept()]  # one per execution
    for path in kept():
        assert path.stat().st_mode & 0o077 == 0
        assert "participant_id" not in pd.read_parquet(path).columns
    assert not list((tmp_path / "reports").glob("*.parquet"))
