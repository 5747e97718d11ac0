"""Issue #12: a workbook formula saved without a value is an error naming the file, the sheets
and the cells (calamine would read it as a blank cell), never a silently blank value."""

from __future__ import annotations

from helpers import DATA

from wsisanalysis.cli import main

WORKBOOK = DATA / "hostile" / "formula_without_cached_value.xlsx"


def test_clean_exits_1_naming_the_cells_and_what_to_do(tmp_path, capsys):
    code = main(["clean", str(WORKBOOK), "--kind", "participation", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and err.count("\n") == 1
    for words in (str(WORKBOOK), "2 formula cell(s)", "'Day 1'!G3", "'Day 2'!C4", "LibreOffice",
                  "export the sheet to CSV"):  # fmt: skip
        assert words in err, (words, err)
    assert not (tmp_path / "participation.parquet").exists()


def test_a_formula_above_the_header_is_not_data(tmp_path):
    from openpyxl import Workbook

    from wsisanalysis.read import read_export

    wb = Workbook()
    ws = wb.active
    ws.append(["=TODAY()"])  # a title row: not read as data
    ws.append(["Name", "Email", "Country", "Event"])
    ws.append(["Ana Lima", "ana@example.org", "Brazil", "WSIS+20"])
    wb.save(tmp_path / "titled.xlsx")
    assert len(read_export(tmp_path / "titled.xlsx").frame) == 1
