from __future__ import annotations

from unittest import mock

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wsisanalysis.errors import InputFileError
from wsisanalysis.read import read_export
from wsisanalysis.write import neutralize_formulas, write_csv

ROWS = [
    ["Name", "E-mail", "Pays", "Date"],
    ["Élodie Lefèvre", "elodie@example.org", "Côte d’Ivoire", "13/10/2025"],
    ["Søren Nielsen", "soren@example.org", "Danemark", "14/10/2025"],
]


def _text(rows, sep):
    return "\n".join(sep.join(r) for r in rows) + "\n"


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", ";"), ("utf-16-le", "\t")],
)
def test_csv_encodings_and_delimiters_are_detected(tmp_path, encoding, sep):
    path = tmp_path / "export.csv"
    rows = [[c.replace("’", "'") for c in r] for r in ROWS] if encoding == "cp1252" else ROWS
    path.write_bytes(_text(rows, sep).encode(encoding))
    table = read_export(path)
    assert table.delimiter == sep
    assert list(table.frame.columns) == ROWS[0]
    assert table.frame["Name"].tolist() == ["Élodie Lefèvre", "Søren Nielsen"]
    assert table.source_rows.tolist() == [2, 3]


def test_title_rows_above_the_header_are_skipped_in_csv(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Registrations export,,,\nGenerated 2025-10-15,,,\n" + _text(ROWS, ","), encoding="utf-8"
    )
    table = read_export(path)
    assert table.header_row == 3
    assert list(table.frame.columns) == ROWS[0]
    assert table.source_rows.tolist() == [4, 5]


def test_xlsx_title_row_and_excel_dates(tmp_path):
    path = tmp_path / "export.xlsx"
    body = pd.DataFrame(
        {
            "Name": ["A B"],
            "Email": ["a@example.org"],
            "Country": ["Kenya"],
            "Meeting": ["ICANN80"],
            "Date": [pd.Timestamp("2024-06-10")],
        }
    )
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["ICANN80 registrations"]]).to_excel(writer, header=False, index=False)
        body.to_excel(writer, index=False, startrow=2)
    table = read_export(path)
    assert table.header_row == 3
    assert table.frame.loc[0, "Date"] == "2024-06-10"
    assert table.source_rows.tolist() == [4]


def test_parquet_is_read_as_text(tmp_path):
    path = tmp_path / "export.parquet"
    pd.DataFrame(
        {"email": ["a@example.org"], "count": [3], "date": pd.to_datetime(["2025-12-16"])}
    ).to_parquet(path)
    frame = read_export(path).frame
    assert frame.loc[0, "count"] == "3" and frame.loc[0, "date"] == "2025-12-16"


def test_rows_with_extra_fields_are_rejected_with_their_line_not_dropped(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "name,email,country\nA,a@example.org,FR\nB,b@example.org,DE,extra\nC,c@x.org,JP,\n",
        encoding="utf-8",
    )
    table = read_export(path)
    assert table.rows_in == 3
    assert table.frame["name"].tolist() == ["A", "C"]  # an empty extra field is harmless
    assert table.rejected is not None
    assert table.rejected[["source_row", "reason", "extra_fields"]].values.tolist() == [
        [3, "field_count_mismatch", "extra"]
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (b"PK\x03\x04garbage", "not a readable Excel workbook"),
    ],
)
def test_unreadable_files_name_the_file_and_the_reason(tmp_path, content, message):
    path = tmp_path / ("bad.xlsx" if content and content.startswith(b"PK") else "bad.csv")
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as info:
        read_export(path)
    assert "bad." in str(info.value)


def test_formula_like_cells_are_neutralized_in_written_csv(tmp_path):
    frame = pd.DataFrame({"org": ['=HYPERLINK("x")', "+1 202", "@SUM(A1)", "-3", "Normal"]})
    out = pd.read_csv(write_csv(frame, tmp_path / "x.csv"), dtype=str)
    assert out["org"].tolist() == ['\'=HYPERLINK("x")', "'+1 202", "'@SUM(A1)", "-3", "Normal"]
    assert neutralize_formulas(frame) is not frame


def test_every_data_sheet_is_read_and_other_sheets_are_skipped_with_a_reason(tmp_path):
    from wsisanalysis.read import read_tables

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"About": ["Exported by the secretariat"]}).to_excel(
            writer, sheet_name="Notes", index=False
        )
        pd.DataFrame({"Name": ["A"], "Email": ["a@x.org"], "Event": ["E1"]}).to_excel(
            writer, sheet_name="Day 1", index=False
        )
        pd.DataFrame({"E-mail": ["b@x.org"], "Meeting": ["E2"]}).to_excel(
            writer, sheet_name="Day 2", index=False
        )
    tables = read_tables(path)
    assert [t.source for t in tables] == ["book.xlsx [Day 1]", "book.xlsx [Day 2]"]
    assert tables[1].frame["E-mail"].tolist() == ["b@x.org"]
    assert any("'Notes' skipped" in note for note in tables[0].notes)


def test_a_plain_csv_is_read_without_a_record_per_line(tmp_path, monkeypatch):
    """The record-by-record scan (a Python list per line: 1.6 GB and 15 s for 1M rows) runs
    only when some line is not a plain record (quoted cells are plain)."""
    import wsisanalysis.read.csv as reader

    def no_scan(*args, **kwargs):
        raise AssertionError("the record scan ran on a plain file")

    path = tmp_path / "plain.csv"
    path.write_text('email,country\na@x.org,"Korea, Rep."\nb@x.org,France\n', encoding="utf-8")
    monkeypatch.setattr(reader, "_scan", no_scan)
    table = reader.read_csv_export(path)
    assert table.frame.to_dict("list") == {
        "email": ["a@x.org", "b@x.org"], "country": ["Korea, Rep.", "France"],
    }  # fmt: skip
    assert table.source_rows.tolist() == [2, 3]


def _hostile_texts():
    """Each hostile CSV that decodes, with its text (byte-order mark stripped)."""
    from helpers import DATA

    import wsisanalysis.read.csv as reader
    from wsisanalysis.read.detect import decode_text

    for path in sorted((DATA / "hostile").glob("*.csv")):
        try:
            text, _, _ = decode_text(reader._load(path), None)
        except (LookupError, InputFileError):
            continue
        yield path, text.lstrip("\ufeff")


def test_the_plain_check_agrees_with_the_record_scan_on_every_hostile_file():
    """Every file of the hostile corpus: the quick check says plain exactly when the full
    scan does (a line it misjudged would skip the scan's quarantine)."""
    import wsisanalysis.read.csv as reader
    from wsisanalysis.read.records import physical_lines

    checked = 0
    for path, text in _hostile_texts():
        lines = physical_lines(text)
        layout = reader._layout(lines, None)
        body = lines[layout.body_start :]
        plain = reader._scan(lines, layout)[2]
        assert reader._plain(body, layout.delimiter, len(layout.header)) == plain, path.name
        checked += 1
    assert checked >= 10


def test_body_blocks_split_lines_as_physical_lines_do(monkeypatch):
    """The plain check reads the text a block at a time: the lines it sees are exactly
    ``physical_lines(text)[skip:]``, whatever the blocks' size and the line endings."""
    import wsisanalysis.read.csv as reader
    from wsisanalysis.read.records import physical_lines

    texts = [
        "h1,h2\na,b\r\nc,d\n\ne,f\r\n\n",
        "h1,h2\na,b\nc\rd,e\nlast",
        "h1,h2\n",
        "h1,h2",
        "\n\n\na,b\n",
        "h\r\n" + "".join(f"{i},x{'y' * (i % 7)}\r\n" for i in range(50)),
    ]
    for block in (1, 3, 8, 1 << 20):
        monkeypatch.setattr(reader, "_BLOCK", block)
        for text in texts:
            for skip in (0, 1, 2, 5):
                seen = [line for b in reader._body_blocks(text, skip) for line in b]
                assert seen == physical_lines(text)[skip:], (block, skip, text)
            head = reader._first_lines(text, 2)
            assert head == physical_lines(text)[:2], text


def test_the_block_plain_check_counts_the_data_lines_of_every_hostile_file(monkeypatch):
    """On the hostile corpus, the block-by-block check answers what the line-list check does
    and counts the lines the parser must return."""
    import wsisanalysis.read.csv as reader
    from wsisanalysis.read.records import physical_lines

    monkeypatch.setattr(reader, "_BLOCK", 64)
    checked = 0
    for path, text in _hostile_texts():
        lines = physical_lines(text)
        layout = reader._layout(lines, None)
        assert (
            reader._layout(reader._first_lines(text, reader.HEADER_SCAN_ROWS * 4), None) == layout
        ), path.name
        body = lines[layout.body_start :]
        plain = reader._plain(body, layout.delimiter, len(layout.header)) and bool(layout.header)
        assert reader._plain_lines(text, layout) == (len(body) if plain else None), path.name
        checked += 1
    assert checked >= 10


def test_the_byte_plain_check_answers_what_the_text_check_does_on_every_hostile_file(
    monkeypatch,
):
    """The hostile corpus: counted on the file's bytes, the plain check answers exactly what
    it answers on the decoded text, for every encoding the byte check takes."""
    from helpers import DATA

    import wsisanalysis.read.csv as reader
    from wsisanalysis.read.detect import HEADER_SCAN_ROWS, decode_text

    monkeypatch.setattr(reader, "_BLOCK", 64)
    checked = 0
    for path in sorted((DATA / "hostile").glob("*.csv")):
        try:
            data = reader._load(path)
            text, encoding, notes = decode_text(data, None)
        except (LookupError, InputFileError):
            continue
        text = text.lstrip("\ufeff")
        layout = reader._layout(reader._first_lines(text, HEADER_SCAN_ROWS * 4), None)
        if notes or not reader._by_bytes(encoding, layout):
            continue
        expected = reader._plain_lines(text, layout)
        assert reader._plain_data_lines(data, encoding, layout) == expected, path.name
        checked += 1
    assert checked >= 10


# bytes of a data line: both delimiters, quotes, bare and CRLF CRs, UTF-8 characters whole,
# cut and invalid, a byte-order mark, bytes cp1252 leaves undefined, a UTF-8 line separator
_BYTES = st.lists(
    st.sampled_from([b"a", b"bc", b",", b";", b",,", b'"', b'""', b"\r", b" ", b"\xc3\xa9",
                     b"\xe2\x82\xac", b"\xe2\x82", b"\xff", b"\x81", b"\xef\xbb\xbf",
                     b"\xe2\x80\xa8"]),
    max_size=8,
).map(b"".join)  # fmt: skip
# cells of well-formed lines, so that many bodies are plain: quoted cells holding either
# delimiter or a doubled quote, a cell opening with a byte-order mark
_CELL = st.sampled_from(
    [
        b"",
        b"a",
        b" ",
        b"\xc3\xa9",
        b'"x,y"',
        b'"x;y"',
        b'"a""b"',
        b"\xef\xbb\xbf",
        b'\xef\xbb\xbf"x,y"',
    ]
)


@st.composite
def _bodies(draw):
    """Data lines of `width` cells (some with blank extra cells), mixed with random bytes."""
    width, delimiter = draw(st.integers(1, 4)), draw(st.sampled_from([b",", b";"]))
    row = st.tuples(st.lists(_CELL, min_size=width, max_size=width), st.integers(0, 2))
    rows = [delimiter.join(cells) + delimiter * extra for cells, extra in draw(st.lists(row))]
    noise = draw(st.lists(st.tuples(st.integers(0, len(rows)), _BYTES), max_size=2))
    for at, line in noise:
        rows.insert(at, line)
    return rows, delimiter.decode(), width


@settings(max_examples=400)
@example(([b'\xef\xbb\xbf"x,y"'], ",", 1), b"\n", True, 30, None, "utf-8-sig")  # a mid-file BOM
@given(
    _bodies(), st.sampled_from([b"\n", b"\r\n"]), st.booleans(), st.integers(1, 30),
    st.sampled_from([4, 9, None]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp1251", "latin_1", "mac_roman"]),
)  # fmt: skip
def test_the_byte_plain_check_answers_what_the_text_check_does(
    body, ending, last, block, limit, encoding
):
    """Whatever the bytes, blocks, cell limit and (pyarrow-read) encoding, the check on the
    bytes answers what the check on the text they decode to (as decode_text does) answers."""
    import wsisanalysis.read.csv as reader

    lines, delimiter, width = body
    data = b"\xef\xbb\xbfh\n" + ending.join(lines) + (ending if last else b"")
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    layout = reader._Layout(delimiter, [f"h{i}" for i in range(width)], 1, 1)
    assert reader._by_bytes(encoding, layout)
    with (
        mock.patch.object(reader, "_BLOCK", block),
        mock.patch.object(reader, "FIELD_LIMIT", limit or reader.FIELD_LIMIT),
    ):
        expected = reader._plain_lines(text, layout)
        assert reader._plain_data_lines(data, encoding, layout) == expected


_BLANKS = b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe"


@given(st.lists(st.sampled_from([*_BLANKS, ord("a"), ord('"'), 0x80]), max_size=12).map(bytes))
@example(b"")
@example(b"\xef\xbb\xbf\r\n,,;\n")
def test_a_file_is_empty_exactly_when_only_blanks_and_delimiters_remain(data):
    from wsisanalysis.read.csv import _BLANK

    # the check matches without copying the file; stripping (which copies it) is the reference
    assert (_BLANK.fullmatch(data) is not None) == (not data.strip(_BLANKS))
