"""Issue #15: "what changed" against the previous successful snapshot, under the guard."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
from helpers import write_probe_notebook

from wsisanalysis.metrics.disclosure import HIDDEN_LABEL
from wsisanalysis.reporting import benchmark_changes, changes, history
from wsisanalysis.reporting.changes import Headline, compare, people_change
from wsisanalysis.reporting.export import rebase_links
from wsisanalysis.reporting.runner import run_reports


def test_a_change_in_people_is_shown_only_when_both_counts_are_published_and_large():
    assert people_change(40, 52, 5) == "+12"
    assert people_change(40, 36, 5) == HIDDEN_LABEL  # a change of 4 people is a small count
    assert people_change(40, 40, 5) == "0"
    assert people_change(None, 52, 5) == HIDDEN_LABEL  # hidden before: its change stays hidden
    assert people_change(40, None, 5) == HIDDEN_LABEL


def test_countries_are_named_only_where_their_count_is_published():
    before = Headline(
        participants=100, countries={"US": 60, "FR": 40, "DE": None}, names={"DE": "Germany"}
    )
    now = Headline(participants=120, countries={"US": 60, "FR": 40, "NP": 10, "GH": None},
                   names={"NP": "Nepal", "GH": "Ghana"})  # fmt: skip
    table = compare(before, now, 5).set_index("figure")
    assert table.loc["Newly represented", "now"] == "Nepal (NP)"  # Ghana's count is hidden
    assert table.loc["No longer represented", "now"] == "none named"  # Germany's was hidden
    assert table.loc["Participants", "change"] == "+20"
    assert table.loc["Countries represented", "change"] == "+1"  # DE gone; NP, GH new


def test_a_share_change_of_a_hidden_region_stays_hidden():
    before = Headline(regions={"AF": None, "EU": 0.5})
    now = Headline(regions={"AF": 0.1, "EU": 0.45})
    table = compare(before, now, 5).set_index("figure")
    assert table.loc["Share from Africa", "change"] == HIDDEN_LABEL
    assert table.loc["Share from Europe", "change"] == "-5.0 points"


# --- three runs of one notebook on three data sets into one folder ------------------------

#: People per country in the three weekly data sets. Week 3 adds 6 people in the US, a new
#: country above the threshold (Nepal, 10) and one below it (Ghana, 2); Germany goes 3 -> 4
#: (hidden both weeks: its change must not be revealed anywhere).
WEEKS = (
    {"US": 40, "FR": 30, "BR": 20, "KE": 20, "JP": 25},
    {"US": 40, "FR": 30, "BR": 20, "KE": 20, "JP": 25, "DE": 3},
    {"US": 46, "FR": 30, "BR": 20, "KE": 20, "JP": 25, "DE": 4, "NP": 10, "GH": 2},
)


def _week(folder, people, demo):
    rows = []
    for iso2, n in people.items():
        template = demo[demo["country_iso2"] == iso2].iloc[[0]]
        rows.append(template.loc[template.index.repeat(n)])
    frame = pd.concat(rows, ignore_index=True).assign(attended=True, count=1, event="Weekly call")
    frame["participant_id"] = [f"p{i}" for i in range(len(frame))]
    frame["record_id"] = [f"r{i}" for i in range(len(frame))]
    folder.mkdir(parents=True, exist_ok=True)
    frame["count"] = frame["count"].astype("Int64")
    frame.to_parquet(folder / "participation.parquet")


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory, clean_dir):
    demo = pd.read_parquet(clean_dir / "participation.parquet")  # rows to copy, per country
    root = tmp_path_factory.mktemp("weekly")
    (root / "notebooks").mkdir()
    body = ('from wsisanalysis import reporting as rp\n'
            'frame = rp.load_clean(data_dir, "participation")\n'
            'rp.what_changed(frame, data_dir, threshold=5)')  # fmt: skip
    write_probe_notebook(root / "notebooks" / "01-weekly.ipynb",
                         'data_dir: str = "data"  # clean data', body, title="# Weekly")  # fmt: skip
    runs = root / "notebooks" / "runs.toml"
    runs.write_text(
        '[[run]]\nnotebook = "01-weekly"\nslug = "w"\nparameters = { data_dir = "data" }\n'
    )
    out = root / "reports"
    for people in WEEKS:
        _week(root / "data", people, demo)
        summary = run_reports(run_all=True, runs_file=runs, out_dir=out)
        assert summary.ok, summary.failed
        time.sleep(1.1)  # snapshots are named by the second they started
    return out


@pytest.mark.notebook
def test_three_runs_keep_three_snapshots_listed_in_the_index(three_weeks):
    kept = history.snapshots(three_weeks, "01-weekly__w")
    assert len(kept) == 3
    assert [e["status"] for e in history.read_history(three_weeks)] == ["ok", "ok", "ok"]
    index = (three_weeks / "index.html").read_text()
    for snapshot in kept:
        assert f"snapshots/01-weekly__w/{snapshot.path.name}/page.html" in index
    latest = three_weeks / "html" / "01-weekly__w.html"  # the same page, its links rebased
    assert (kept[-1].path / "page.html").read_text() == rebase_links(
        latest.read_text(), latest.parent, kept[-1].path
    )


def _rows(page):
    text = re.sub(r"\s+", " ", page)
    return dict(re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text) and
                [(f, (n, c)) for f, n, c in re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text)])  # fmt: skip


@pytest.mark.notebook
def test_the_third_page_reports_the_exact_differences_from_the_second(three_weeks):
    second, third = history.snapshots(three_weeks, "01-weekly__w")[1:]
    page = (third.path / "page.html").read_text()
    rows = _rows(page)
    before = changes.headline_of(history.read_published(second.path / history.PUBLISHED))
    now = changes.headline_of(history.read_published(third.path / history.PUBLISHED))
    expected = compare(before, now, 5)
    assert {r.figure: (r.now, r.change) for r in expected.itertuples()} == {
        f: rows[f] for f in expected["figure"]
    }
    # Nepal (10 people) is named where its count is published; Ghana (2 people) never is
    nepal = now.countries["NP"]
    assert rows["Newly represented"][0] == ("Nepal (NP)" if nepal is not None else "none named")
    assert "Ghana" not in rows["Newly represented"][0]
    assert rows["Countries represented"] == ("8", "+2")
    started = datetime.strptime(second.path.name, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert f"{started.day} {started:%B %Y, %H:%M} UTC" in page
    assert "participation.parquet" in page and "changed" in page  # the data changed, said so


@pytest.mark.notebook
def test_a_hidden_count_change_is_not_revealed(three_weeks):
    second, third = history.snapshots(three_weeks, "01-weekly__w")[1:]
    page = (third.path / "page.html").read_text()
    assert "Germany" not in page and "Ghana" not in page
    for snapshot in (second, third):
        tables = history.read_published(snapshot.path / history.PUBLISHED)
        germany = [r for r in tables[changes.COUNTRIES]["rows"] if r["iso2"] == "DE"]
        assert germany and germany[0]["count"] is None  # hidden in both weeks
    rows = _rows(page)
    # Europe's count went 33 -> 34 (Germany's hidden +1): its share change is not stated
    assert rows["Share from Europe"][1] == HIDDEN_LABEL
    # no "null" (a hidden value serialised) in what a reader sees: tables and text, not scripts
    visible = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    assert json.dumps(None) not in visible


@pytest.mark.notebook
def test_comparing_two_snapshots_gives_no_small_change_back(three_weeks):
    # a reader holding last week's page and this week's subtracts any count both publish:
    # Europe 33 -> 34 is Germany's one new participant, Africa 20 -> 22 Ghana's two
    second, third = history.snapshots(three_weeks, "01-weekly__w")[1:]
    for name in (changes.REGIONS, changes.COUNTRIES, changes.DEVELOPMENT):
        before, now = (
            history.read_published(s.path / history.PUBLISHED)[name]["rows"]
            for s in (second, third)
        )
        key = next(k for k in ("icann_region", "iso2", "flag") if k in now[0])
        old = {r[key]: r["count"] for r in before if r.get("count") is not None}
        for row in now:
            if row.get("count") is not None and row[key] in old:
                change = abs(row["count"] - old[row[key]])
                assert change == 0 or change >= 5, (name, row[key], old[row[key]], row["count"])
        totals = [{r.get("total") for r in rows} - {None} for rows in (before, now)]
        if name == changes.REGIONS and all(len(t) == 1 for t in totals):
            change = abs(totals[1].pop() - totals[0].pop())
            assert change == 0 or change >= 5


# --- the public-benchmarks page: published figures, shipped tables ------------------------


def _public(meeting, total, share, year="IGF 2025"):
    region = {"icann_region": "AF", "total": total, "share": share, "covers": meeting}
    group = {"stakeholder_group": "media", "total": None, "share": 0.01, "covers": year}
    return {
        benchmark_changes.MEETING: {"rows": [region]},
        benchmark_changes.IGF: {"rows": [group]},
    }


def test_public_figures_change_only_between_the_same_meeting():
    same = benchmark_changes.compare_public(
        _public("ICANN80", 1000, 0.40), _public("ICANN80", 1004, 0.443)
    )
    rows = {r.figure: (r.now, r.change) for r in same.itertuples()}
    assert rows["ICANN meeting covered"] == ("ICANN80", "same")
    assert rows["ICANN80: people counted"] == ("1,004", "+4")  # public counts: no suppression
    assert rows["ICANN80: share from Africa"] == ("44.3%", "+4.3 points")
    assert rows["IGF 2025: share from media"] == ("1.0%", "0.0 points")
    other = benchmark_changes.compare_public(
        _public("ICANN74", 900, 0.2, "IGF 2022"), _public("ICANN80", 1004, 0.443)
    )
    rows = {r.figure: (r.now, r.change) for r in other.itertuples()}
    # another meeting is not a change in participation: its shares are not subtracted
    assert rows["ICANN meeting covered"] == ("ICANN80", "was ICANN74")
    assert rows["ICANN80: people counted"] == ("1,004", "–")
    assert rows["ICANN80: share from Africa"] == ("44.3%", "–")
    assert ("IGF year covered", "IGF 2025", "was IGF 2022") in other.itertuples(index=False, name=None)


def test_shipped_inputs_are_the_public_tables_with_checksums_and_rows():
    from importlib import resources

    import pandas as pd

    inputs = {i["file"]: i for i in benchmark_changes.shipped_inputs()}
    folder = resources.files("wsisanalysis").joinpath("data", "public")
    assert set(inputs) == {f.name for f in folder.iterdir() if f.name.endswith(".csv")}
    attendance = inputs["icann_meeting_attendance_by_region.csv"]
    with resources.as_file(folder / attendance["file"]) as path:
        assert attendance["rows"] == len(pd.read_csv(path))
        assert attendance["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.notebook
def test_the_benchmarks_page_says_what_changed_between_two_runs(tmp_path):
    (tmp_path / "notebooks").mkdir()
    write_probe_notebook(tmp_path / "notebooks" / "01-public.ipynb",
                         'meeting: str = "ICANN74"  # meeting\nigf_year: int = 2022  # IGF year',
                         "from wsisanalysis import reporting as rp\nrp.public_changes(meeting, igf_year)")  # fmt: skip
    runs = tmp_path / "notebooks" / "runs.toml"
    out = tmp_path / "reports"
    pages = []
    for meeting in ("ICANN74", "ICANN80"):
        runs.write_text('[[run]]\nnotebook = "01-public"\nslug = "p"\n'
                        f'parameters = {{ meeting = "{meeting}", igf_year = 2022 }}\n')  # fmt: skip
        assert run_reports(run_all=True, runs_file=runs, out_dir=out).ok
        pages.append((out / "html" / "01-public__p.html").read_text())
        time.sleep(1.1)  # snapshots are named by the second they started
    assert "first successful snapshot" in pages[0]
    rows = _rows(pages[1])
    assert rows["ICANN meeting covered"] == ("ICANN80", "was ICANN74")
    assert rows["ICANN80: people counted"] == ("1,004", "–")
    assert rows["IGF 2022: people counted"] == ("5,120", "0")
    assert rows["IGF 2022: share from government"] == ("29.0%", "0.0 points")
    # the shipped tables did not change between the runs, and the page says so
    assert "The shipped public data is the same (same files, same checksums)" in pages[1]
    assert "icann_meeting_attendance_by_region.csv" in pages[1]
