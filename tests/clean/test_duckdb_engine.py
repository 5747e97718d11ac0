"""The DuckDB engine gives the pandas engine's outputs: clean table, quarantine, log, coverage."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from helpers import DATA, assert_accounted

from wsisanalysis.clean import clean_files
from wsisanalysis.clean.duckdb_engine import clean_files_duckdb
from wsisanalysis.cli import main
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics import coverage

DIMENSIONS = {
    "participation": [["icann_region"], ["icann_region", "stakeholder_group"], ["event"], ["ldc"],
                      ["community", "gender"], ["country_iso2"]],
    "engagement": [["icann_region"], ["activity_type", "stakeholder_group"], ["topics"], ["sids"]],
}  # fmt: skip


def assert_same_outputs(files, kind, tmp_path, *, chunk_rows, **options):
    """Both engines on the same files: equal Parquet tables, quarantine files, logs, coverage."""
    result, pandas_paths = clean_files(files, kind, tmp_path / "pandas", **options)
    log, duck_paths = clean_files_duckdb(
        files, kind, tmp_path / "duckdb", chunk_rows=chunk_rows, **options
    )
    assert_accounted(log)
    expected = pd.read_parquet(pandas_paths["clean"])
    got = pd.read_parquet(duck_paths["clean"])
    pd.testing.assert_frame_equal(got, expected)
    assert duck_paths["quarantine"].read_text() == pandas_paths["quarantine"].read_text()
    pandas_log = json.loads(pandas_paths["log"].read_text())
    duck_log = json.loads(duck_paths["log"].read_text())
    assert duck_log == pandas_log
    for by in DIMENSIONS[kind]:
        table = coverage(duck_paths["clean"], by, engine="duckdb")
        pd.testing.assert_frame_equal(table, coverage(result.clean, by))
    return pandas_log


@pytest.mark.parametrize("kind", ["participation", "engagement"])
def test_engines_agree_on_the_demo_data(demo_dir, tmp_path, kind):
    files = sorted(demo_dir.glob(f"DEMO_{kind}_*"))
    log = assert_same_outputs(files, kind, tmp_path, chunk_rows=700)  # several chunks per file
    assert log["rows_quarantined"] and log["duplicates_merged"] and log["unresolved"]
    assert {f["format"] for f in log["files"]} >= {"csv", "xlsx"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from benchmarks.generate import write_csv

    folder = tmp_path_factory.mktemp("generated")
    return {
        kind: write_csv(100_000, folder / f"{kind}.csv", kind=kind)
        for kind in ("participation", "engagement")
    }


@pytest.mark.parametrize("kind", ["participation", "engagement"])
def test_engines_agree_on_a_generated_100k_file(generated, tmp_path, kind):
    log = assert_same_outputs([generated[kind]], kind, tmp_path, chunk_rows=30_000)
    assert log["rows_in"] == 100_000
    assert log["duplicates_merged"] > 2_000
    if kind == "engagement":
        assert set(log["quarantine_reasons"]) == {"missing_date", "invalid_date", "invalid_reach"}


def test_the_day_month_order_is_decided_over_the_whole_file(tmp_path):
    """The only mm/dd evidence is in the last chunk: every chunk still reads mm/dd (alone, the
    first chunks would fall back to dd/mm)."""
    rows = ["a@x.org,E,03/04/2025"] * 5 + ["b@x.org,E,04/25/2025"]
    src = tmp_path / "x.csv"
    src.write_text("email,event,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    log, paths = clean_files_duckdb([src], "participation", tmp_path / "o", chunk_rows=2)
    assert log.files[0].dates["dayfirst"] is False
    dates = pd.read_parquet(paths["clean"])["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2025-03-04", "2025-04-25"]


def test_cli_engine_duckdb_with_a_memory_limit(demo_dir, tmp_path, capsys):
    files = [str(p) for p in sorted(demo_dir.glob("DEMO_engagement_*"))]
    code = main(["clean", *files, "--kind", "engagement", "--out", str(tmp_path),
                 "--engine", "duckdb", "--memory-limit", "256MB"])  # fmt: skip
    assert code == 0
    assert "rows in ->" in capsys.readouterr().out
    assert pd.read_parquet(tmp_path / "engagement.parquet").shape[0] > 1000
    assert not list(tmp_path.glob(".duckdb-*")), "the spill folder is removed"


def test_memory_limit_without_duckdb_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["clean", "x.csv", "--kind", "engagement", "--out", str(tmp_path),
              "--memory-limit", "1GB"])  # fmt: skip
    assert info.value.code == 2


def test_missing_duckdb_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(WsisAnalysisError, match=r"wsisanalysis\[duckdb\]"):
        clean_files_duckdb([tmp_path / "x.csv"], "engagement", tmp_path)
    with pytest.raises(WsisAnalysisError, match=r"wsisanalysis\[duckdb\]"):
        coverage(tmp_path / "x.parquet", "icann_region", engine="duckdb")


def test_engines_agree_when_a_file_or_every_file_has_no_clean_row(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("email,event,date\na@x.org,E,2025-01-02\nb@x.org,E,2025-01-03\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("email,event,date\na@x.org,,2025-01-02\n,,\n")  # missing event, empty row
    assert_same_outputs([good, bad], "participation", tmp_path / "mixed", chunk_rows=1)
    log = assert_same_outputs([bad], "participation", tmp_path / "none", chunk_rows=1)
    assert log["rows_clean"] == 0


EXPORTS = sorted(p for p in (DATA / "exports").iterdir() if p.suffix in (".csv", ".xlsx"))


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name)
def test_engines_agree_on_each_export_shape(path, tmp_path):
    """Zoom, Teams, Forms and ticketing exports: the shape's columns, event, attendance and
    dedupe precedence (attended before registered-only; a form's latest response wins)."""
    log = assert_same_outputs([path], "participation", tmp_path, chunk_rows=3)
    assert log["files"][0]["shape"] != "generic"


def test_engines_agree_on_every_export_shape_together(tmp_path):
    log = assert_same_outputs(EXPORTS, "participation", tmp_path, chunk_rows=4)
    assert log["duplicates_merged"]


def test_engines_agree_with_one_event_for_every_export(tmp_path):
    """``--event``: one event for the exports without an event column, so people who took
    part in several merge across files (the attended record wins)."""
    log = assert_same_outputs(EXPORTS, "participation", tmp_path, chunk_rows=4, event="WSIS+20")
    assert any(f["event"].get("source") == "--event" for f in log["files"])


def test_attended_beats_registered_only_and_the_latest_form_response_wins(tmp_path):
    """Within one file and across chunks: the no-show comes first but the attended record is
    kept; in a form export the later response of the same person is kept."""
    rows = tmp_path / "regs.csv"
    rows.write_text(
        "email,event,attended,country\n"
        "a@x.org,E,no,France\nb@x.org,E,yes,Ghana\na@x.org,E,yes,Peru\nb@x.org,E,no,Chile\n"
    )
    forms = tmp_path / "form.csv"
    forms.write_text(
        "Timestamp,Email Address,Which event?,Country\n"
        "2025/01/02 10:00:00,c@x.org,F,France\n2025/01/03 10:00:00,c@x.org,F,Peru\n"
    )
    assert_same_outputs([rows, forms], "participation", tmp_path, chunk_rows=1)
    clean = pd.read_parquet(tmp_path / "duckdb" / "participation.parquet")
    assert clean["country_iso2"].tolist() == ["GH", "PE", "PE"]


def test_cli_engine_duckdb_takes_an_event(tmp_path, capsys):
    path = DATA / "exports" / "zoom_meeting_participants.csv"
    code = main(["clean", str(path), "--kind", "participation", "--out", str(tmp_path),
                 "--engine", "duckdb", "--event", "WSIS+20"])  # fmt: skip
    assert code == 0
    assert "'WSIS+20' (--event)" in capsys.readouterr().out
    assert set(pd.read_parquet(tmp_path / "participation.parquet")["event"]) == {"WSIS+20"}


def test_engines_merge_event_spellings_across_chunks_and_files(tmp_path):
    """ "ICANN 82" and "icann  82 " are one event (the most frequent spelling), so the same
    person in both is one participant, and the log lists the merge."""
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("email,event\na@x.org,ICANN 82\nb@x.org,ICANN 82\n")
    two.write_text("email,event\na@x.org,icann  82\nc@x.org,IGF\n")
    log = assert_same_outputs([one, two], "participation", tmp_path, chunk_rows=1)
    assert log["event_merges"] == [{"event": "ICANN 82", "merged": ["icann 82"], "rows": 1}]
    assert log["duplicates_merged"] == 1


def _countries_file(path, labels):
    rows = [f"p{i}@x.org,ICANN82,{label}" for i, label in enumerate(labels)]
    path.write_text("email,event,country\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_column_of_codes_is_decided_over_the_whole_file_not_per_chunk(tmp_path):
    """Two-letter words ("no", "in") are ISO codes only in a column of codes. The first chunk
    holds codes, the last names: every chunk must read "no" as the pandas engine does for
    the whole file (Norway), not as its own chunk would alone (unresolved)."""
    codes = ["SE", "DK", "FR", "DE", "ES", "PT"]
    src = _countries_file(tmp_path / "x.csv", [*codes, "Ghana", "Peru", "no", "Chile"])
    log = assert_same_outputs([src], "participation", tmp_path, chunk_rows=6)
    assert not log["unresolved"]
    clean = pd.read_parquet(tmp_path / "duckdb" / "participation.parquet")
    assert clean["country_iso2"].tolist() == [*codes, "GH", "PE", "NO", "CL"]


def test_a_column_of_codes_is_decided_on_the_rows_kept_as_the_pandas_engine_does(tmp_path):
    """Quarantined rows (no event) do not count: here their codes would tip the whole file to
    a column of codes, which the kept rows are not."""
    rows = [f"p{i}@x.org,ICANN82,{c}" for i, c in enumerate(["Ghana", "Peru", "Chile", "no"])]
    rows += [f"q{i}@x.org,,{c}" for i, c in enumerate(["SE", "DK", "FR", "DE", "ES"])]
    src = tmp_path / "x.csv"
    src.write_text("email,event,country\n" + "\n".join(rows) + "\n", encoding="utf-8")
    log = assert_same_outputs([src], "participation", tmp_path, chunk_rows=3)
    assert log["rows_quarantined"] == 5
    assert [u["label"] for u in log["unresolved"]] == ["no"]
