"""Issue #12: legacy .xls workbooks are read like .xlsx (every data sheet), not refused."""

from __future__ import annotations

import shutil

import pytest
from helpers import DATA

from wsisanalysis.errors import InputFileError
from wsisanalysis.read import read_export, read_tables

XLS = DATA / "hostile" / "legacy_two_sheets.xls"


def test_every_data_sheet_of_an_xls_is_read_with_a_note_on_what_xls_cannot_show():
    tables = read_tables(XLS)
    assert [t.source for t in tables] == [f"{XLS.name} [Day 1]", f"{XLS.name} [Day 2]"]
    assert [len(t) for t in tables] == [3, 2]
    assert {t.format for t in tables} == {"xls"}
    assert tables[0].frame["Date"].tolist() == ["2025-03-11", "2025-03-12", "2025-03-10"]
    assert any("hidden rows" in n for n in tables[0].notes)
    assert read_export(XLS).source == f"{XLS.name} [Day 1]"


def test_an_xls_with_a_text_file_name_is_refused_with_what_to_do(tmp_path):
    renamed = shutil.copy(XLS, tmp_path / "export.csv")
    with pytest.raises(InputFileError, match=r"legacy Excel workbook.*Rename it to \.xls"):
        read_export(renamed)


def test_a_damaged_xls_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.xls"
    broken.write_bytes(XLS.read_bytes()[:600])
    with pytest.raises(InputFileError, match="not a readable Excel workbook"):
        read_tables(broken)
