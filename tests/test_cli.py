from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
from helpers import DATA, assert_accounted

from wsisanalysis.cli import main


def test_demo_then_clean_each_hard_format(tmp_path, demo_dir, capsys):
    """UTF-16 tab text, cp1252 semicolon with dd/mm dates, XLSX with a title row."""
    files = {
        "utf16": next(demo_dir.glob("DEMO_participation_wsis20_forum_2024.txt")),
        "cp1252": next(demo_dir.glob("DEMO_participation_zero_draft_consultation.csv")),
        "xlsx": next(demo_dir.glob("DEMO_participation_icann80_wsis_session.xlsx")),
    }
    for name, path in files.items():
        out = tmp_path / name
        assert main(["clean", str(path), "--kind", "participation", "--out", str(out)]) == 0
        log = json.loads((out / "participation_cleaning.json").read_text())
        assert_accounted(log)
        assert log["rows_clean"] > 400
        clean = pd.read_parquet(out / "participation.parquet")
        assert clean["date"].notna().mean() > 0.99
        assert "@" not in clean.astype(str).to_string()
    cp = json.loads((tmp_path / "cp1252" / "participation_cleaning.json").read_text())["files"][0]
    assert (cp["encoding"], cp["delimiter"], cp["dates"]["dayfirst"]) == ("cp1252", ";", True)
    assert "rows in" in capsys.readouterr().out


def test_missing_file_exits_1_with_a_message_and_no_traceback(tmp_path, capsys):
    code = main(
        ["clean", str(tmp_path / "nope.csv"), "--kind", "participation", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.csv: file not found" in err and "Traceback" not in err


def test_missing_column_exits_1_listing_headers(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["clean", str(src), "--kind", "engagement", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "required columns are missing" in err and "'a'" in err


def test_strict_exits_1_on_unresolved_labels(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("email,event,country\na@x.org,E,Narnia\n", encoding="utf-8")
    assert (
        main(
            [
                "clean",
                str(src),
                "--kind",
                "participation",
                "--out",
                str(tmp_path / "o"),
                "--strict",
            ]
        )
        == 1
    )
    assert "Narnia" in capsys.readouterr().err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["clean", "x.csv", "--kind", "bogus", "--out", "o"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["report"])
    assert info.value.code == 2


def test_version(capsys):
    from wsisanalysis import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"wsisanalysis {__version__}"


def test_debug_shows_the_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wsisanalysis",
            "--debug",
            "clean",
            str(tmp_path / "nope.csv"),
            "--kind",
            "participation",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" in proc.stderr


HOSTILE = DATA / "hostile"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["clean", str(HOSTILE / "zip_renamed.csv")], ["zip_renamed.csv", "zip", "extract"]),
        (["clean", str(HOSTILE / "xlsx_renamed.csv")], ["xlsx_renamed.csv", "rename"]),
        (
            ["clean", str(HOSTILE / "unbalanced_quote.csv"), "--mapping",
             str(HOSTILE / "mapping_invalid.yaml")],
            ["mapping_invalid.yaml", "line 3"],
        ),
        (
            ["clean", str(HOSTILE / "unbalanced_quote.csv"), "--mapping",
             str(HOSTILE / "mapping_not_a_mapping.yaml")],
            ["mapping_not_a_mapping.yaml", "list"],
        ),
        (["clean", str(HOSTILE)], ["is a folder"]),
    ],
)  # fmt: skip
def test_hostile_inputs_exit_1_naming_the_file_without_traceback(tmp_path, capsys, args, words):
    code = main([*args, "--kind", "participation", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in err.lower()


def test_out_that_is_a_file_exits_1_without_traceback(tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    code = main(["clean", str(HOSTILE / "gzip_valid.csv.gz"), "--kind", "participation",
                 "--out", str(blocker)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and str(blocker) in err and "--out" in err


def test_invalid_params_file_exits_1_before_any_kernel(tmp_path, capsys):
    code = main(["report", "20-regional-coverage", "--params",
                 str(HOSTILE / "params_invalid.toml"), "--out", str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "params_invalid.toml" in err and "TOML" in err
    assert not (tmp_path / "executed").exists()


def test_debug_raises_the_hostile_file_error(tmp_path):
    with pytest.raises(Exception, match="zip"):
        main(["--debug", "clean", str(HOSTILE / "zip_renamed.csv"), "--kind", "participation",
              "--out", str(tmp_path)])  # fmt: skip

EXPORT_SHAPES = {
    "zoom_webinar_attendee_report.csv": "zoom_webinar_attendees",
    "zoom_meeting_participants.csv": "zoom_meeting_participants",
    "teams_attendance_report.csv": "teams_attendance",
    "google_forms_responses.csv": "google_forms",
    "microsoft_forms_responses.xlsx": "microsoft_forms",
    "eventbrite_attendees.csv": "eventbrite_attendees",
}


@pytest.mark.parametrize(("name", "shape"), EXPORT_SHAPES.items())
def test_clean_each_export_shape_with_no_mapping(tmp_path, capsys, name, shape):
    out = tmp_path / "out"
    code = main(
        ["clean", str(DATA / "exports" / name), "--kind", "participation", "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    log = json.loads((out / "participation_cleaning.json").read_text())
    assert_accounted(log)
    assert log["files"][0]["shape"] == shape
    assert log["rows_quarantined"] == 0
    clean = pd.read_parquet(out / "participation.parquet")
    assert clean["event"].notna().all()
    assert "@" not in clean.astype(str).to_string()


def test_inspect_shows_shape_mapping_event_and_unresolved_and_writes_nothing(tmp_path, capsys):
    copy = tmp_path / "google_forms_responses.csv"
    copy.write_bytes((DATA / "exports" / "google_forms_responses.csv").read_bytes())
    before = sorted(tmp_path.rglob("*"))
    code = main(["inspect", str(copy), str(DATA / "exports" / "zoom_webinar_attendee_report.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert sorted(tmp_path.rglob("*")) == before
    assert "shape: google_forms" in out and "shape: zoom_webinar_attendees" in out
    assert "keywords: stakeholder" in out  # how a question header maps, and why
    assert "event: 'google forms responses' (file name)" in out
    assert "'youth network'" in out  # unresolved label preview
    assert "header on row 6" in out
    assert "dates: none (13 records without a date)" in out  # form timestamps are not dates
    assert "dates: 2026-11-18T12:58:00 to 2026-11-18T12:58:00" in out
    assert "nothing was written" in out
    code = main(["inspect", str(copy), "--event", "ICANN85"])
    assert "event: 'ICANN85' (--event)" in capsys.readouterr().out


def test_no_country_column_warns_and_strict_makes_it_an_error(tmp_path, capsys):
    src = DATA / "exports" / "teams_attendance_report.csv"
    out = tmp_path / "out"
    assert main(["clean", str(src), "--kind", "participation", "--out", str(out)]) == 0
    assert "no country column" in capsys.readouterr().err
    code = main(
        ["clean", str(src), "--kind", "participation", "--out", str(tmp_path / "o2"), "--strict"]
    )
    assert code == 1
    assert "no country column" in capsys.readouterr().err


def test_max_quarantined_warns_naming_the_file_and_the_reasons(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text(
        "email,event,country,date\na@x.org,E,FR,2025-01-01\nb@x.org,,FR,2025-01-01\n"
        "c@x.org,E,FR,soon\nd@x.org,E,FR,2025-01-02\n",
        encoding="utf-8",
    )
    args = ["clean", str(src), "--kind", "participation", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "x.csv: 2 of 4 rows (50.0%) were quarantined, more than 5%" in err
    assert "missing_event 1" in err and "invalid_date 1" in err
    assert main([*args, "--max-quarantined", "60"]) == 0
    assert "quarantined" not in capsys.readouterr().err
    assert main([*args, "--strict"]) == 1


def test_the_command_line_default_quarantine_limit_is_the_librarys():
    from wsisanalysis import cli
    from wsisanalysis.clean import quality

    assert cli.DEFAULT_MAX_QUARANTINED == quality.DEFAULT_MAX_QUARANTINED


# --- report: retention and history through the command line (issue #15) -------------------

_WEEKLY = "10-data-quality__weekly"


def _report_weekly(out, data_dir, *more):
    """`wsisanalysis report 10-data-quality` as a scheduled job runs it, in a subprocess."""
    from helpers import ROOT

    time.sleep(1.1)  # a snapshot is named by the second its run started
    return subprocess.run(
        [sys.executable, "-m", "wsisanalysis", "report", "10-data-quality", "-p", "data_dir",
         str(data_dir), "--slug", "weekly", "--out", str(out), *more],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip


def _stamp(entry):
    from wsisanalysis.reporting import history

    return history.snapshot_stamp(datetime.fromisoformat(entry["started_utc"]).astimezone(UTC))


@pytest.mark.notebook
def test_report_keep_2_keeps_the_two_newest_snapshots_of_that_run_only(tmp_path, clean_dir):
    from wsisanalysis.reporting import history

    out, page = tmp_path / "reports", tmp_path / "other.html"
    page.write_text("another run's page")
    other = "10-data-quality__weekly-engagement"  # older than every run below
    for day in (1, 2):
        history.keep_snapshot(out, other, datetime(2020, 1, day, tzinfo=UTC), {"page.html": page})
    for _ in range(3):
        proc = _report_weekly(out, clean_dir, "--keep", "2")
        assert proc.returncode == 0, proc.stderr
    runs = history.read_history(out)
    assert [(e["run"], e["status"]) for e in runs] == [(_WEEKLY, "ok")] * 3  # every run listed
    kept = [s.path.name for s in history.snapshots(out, _WEEKLY)]
    assert kept == [_stamp(e) for e in runs[1:]]  # the two newest; the first one deleted
    assert [s.path.name for s in history.snapshots(out, other)] == [
        "20200101T000000Z",
        "20200102T000000Z",
    ]  # another run's snapshots are not touched, however old
    index = (out / "index.html").read_text()
    assert index.count("(no longer kept)") == 1
    assert all(f"snapshots/{_WEEKLY}/{name}/page.html" in index for name in kept)


@pytest.mark.notebook
def test_a_failed_run_is_in_the_history_and_keeps_the_last_good_snapshot(tmp_path, clean_dir):
    from wsisanalysis.reporting import history

    out = tmp_path / "reports"
    assert _report_weekly(out, clean_dir, "--keep", "1").returncode == 0
    (good,) = history.snapshots(out, _WEEKLY)
    empty = tmp_path / "empty"  # a bad data_dir: the folder exists, the clean table does not
    empty.mkdir()
    proc = _report_weekly(out, empty, "--keep", "1")
    assert proc.returncode == 1 and "1 run(s) failed" in proc.stderr
    assert "Traceback" not in proc.stderr
    first, failed = history.read_history(out)
    assert (first["status"], failed["status"], failed["run"]) == ("ok", "failed", _WEEKLY)
    assert str(empty) in failed["error"] and "snapshot" not in failed
    assert history.snapshots(out, _WEEKLY) == [good]  # kept, with retention at 1
    assert (good.path / history.PAGE).is_file()
    manifest = json.loads((out / "manifests" / f"{_WEEKLY}.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["last_success_utc"] == first["started_utc"]
    assert (out / manifest["html"]).is_file()  # the last good page stays linked
    assert "failed on" in (out / "index.html").read_text()
