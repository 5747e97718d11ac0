from __future__ import annotations

import json
import subprocess
import sys

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
