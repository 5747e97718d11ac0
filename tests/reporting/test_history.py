from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.reporting import history

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _page(tmp_path, text):
    page = tmp_path / "page.html"
    page.write_text(text)
    return page


def test_each_run_is_kept_under_its_own_date(tmp_path):
    out = tmp_path / "reports"
    for week in range(3):
        page = _page(tmp_path, f"week {week}")
        history.keep_snapshot(
            out, "20-regional__demo", T0 + timedelta(weeks=week), {"page.html": page}
        )
    kept = history.snapshots(out, "20-regional__demo")
    assert [s.started for s in kept] == [T0 + timedelta(weeks=w) for w in range(3)]
    assert [(s.path / "page.html").read_text() for s in kept] == ["week 0", "week 1", "week 2"]


def test_a_half_copied_snapshot_is_not_listed(tmp_path):
    out = tmp_path / "reports"
    (out / history.SNAPSHOTS / "run" / ".20261102T060000Z.partial").mkdir(parents=True)
    assert history.snapshots(out, "run") == []


def test_the_same_second_twice_is_refused(tmp_path):
    out, page = tmp_path / "reports", _page(tmp_path, "x")
    history.keep_snapshot(out, "run", T0, {"page.html": page})
    with pytest.raises(WsisAnalysisError, match="already exists"):
        history.keep_snapshot(out, "run", T0, {"page.html": page})


def test_retention_deletes_only_the_oldest_snapshots_of_that_run(tmp_path):
    out, page = tmp_path / "reports", _page(tmp_path, "x")
    for week in range(4):
        for run in ("a", "b"):
            history.keep_snapshot(out, run, T0 + timedelta(weeks=week), {"page.html": page})
    deleted = history.apply_retention(out, "a", keep=3)
    assert [p.name for p in deleted] == ["20261102T060000Z"]
    assert [s.started for s in history.snapshots(out, "a")] == [
        T0 + timedelta(weeks=w) for w in (1, 2, 3)
    ]
    assert len(history.snapshots(out, "b")) == 4  # the other run is untouched
    with pytest.raises(WsisAnalysisError, match="at least 1"):
        history.apply_retention(out, "a", keep=0)


def test_history_keeps_every_run_and_skips_a_line_cut_by_a_crash(tmp_path, caplog):
    out = tmp_path
    history.append_history(
        out, {"run": "a", "status": "ok", "started_utc": "2026-11-02T06:00:00+00:00"}
    )
    with (out / history.HISTORY_FILE).open("a") as handle:
        handle.write('{"run": "a", "sta')  # kill -9 in the middle of a write by another tool
    history.append_history(
        out, {"run": "a", "status": "failed", "started_utc": "2026-11-09T06:00:00+00:00"}
    )
    entries = history.read_history(out)
    assert [(e["run"], e["status"]) for e in entries] == [("a", "ok"), ("a", "failed")]
    assert all(e["history_version"] == history.HISTORY_VERSION for e in entries)
    assert "line 2" in caplog.text


def test_a_newer_history_line_is_not_used(tmp_path):
    (tmp_path / history.HISTORY_FILE).write_text(
        json.dumps({"history_version": 99, "run": "a"}) + "\n"
    )
    assert history.read_history(tmp_path) == []


def test_previous_success_skips_failures_and_later_runs():
    entries = [
        {"run": "a", "status": "ok", "started_utc": "2026-11-02"},
        {"run": "a", "status": "failed", "started_utc": "2026-11-09"},
        {"run": "b", "status": "ok", "started_utc": "2026-11-10"},
        {"run": "a", "status": "ok", "started_utc": "2026-11-16"},
    ]
    assert (
        history.previous_success(entries, "a", before="2026-11-16")["started_utc"] == "2026-11-02"
    )
    assert history.previous_success(entries, "a", before="2026-11-02") is None


def test_input_changes_name_added_removed_and_changed_files():
    old = {
        "inputs": [
            {"file": "p.parquet", "sha256": "1", "rows": 5},
            {"file": "e.parquet", "sha256": "2", "rows": 7},
        ]
    }
    new = {
        "inputs": [
            {"file": "p.parquet", "sha256": "1", "rows": 5},
            {"file": "x.parquet", "sha256": "3", "rows": 1},
        ]
    }
    assert [(c["file"], c["change"]) for c in history.input_changes(old, new)] == [
        ("e.parquet", "removed"),
        ("p.parquet", "unchanged"),
        ("x.parquet", "added"),
    ]
