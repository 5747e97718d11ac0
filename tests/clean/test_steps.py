from __future__ import annotations

import pandas as pd

from wsisanalysis.clean.provenance import scrub_emails as scrub_text
from wsisanalysis.clean.steps import Cells, may_hold_email, without_tags


def _data(series: pd.Series) -> int:
    """Where a text column's characters are (the same address: the same data, not a copy)."""
    return series.array.__arrow_array__().chunk(0).buffers()[2].address


DISGUISED = [
    "jane@example.org",
    "Acme (jane%40example.org)",
    "jane&#64;example.org",
    "jane&#x40;example.org",
    "jane&commat;example.org",
    "jane＠example.org",
    "jane﹫example.org",
    "jane [at] example [dot] org",
    "jane (AT) example (DOT) org",
    "jane <at> example.org",
    "jane {At} example.org",
    "jane\n[at]\nexample.org",
]


def test_a_column_the_quick_test_passes_over_has_nothing_to_scrub():
    """The scrub skips columns with no "at" sign of any kind: every disguise it removes must
    be seen by the quick test, or an e-mail would reach the clean table."""
    for value in DISGUISED:
        assert scrub_text(value) != value, value  # the scrub removes it...
        assert may_hold_email(pd.Series(["Org 1", value, None], dtype="str")), value  # ...so look
    assert not may_hold_email(pd.Series(["Org 1", "AT&T", "Data (Lab)", None], dtype="str"))


def test_stripped_cells_share_the_column_when_nothing_is_stripped():
    """Memory: a column with no surrounding white space and no blank cell is not copied."""
    table = pd.DataFrame(
        {
            "event": pd.Series(["ICANN82", None, "IGF"], dtype="str"),
            "date": pd.Series([" 2025-01-02", "", "2025-01-03"], dtype="str"),
        }
    )
    cells = Cells(table, table)
    assert _data(cells.stripped("event")) == _data(table["event"])
    assert cells.stripped("date").tolist()[0] == "2025-01-02"
    assert cells.stripped("date").isna().tolist() == [False, True, False]


def test_free_text_without_markup_is_the_column_itself():
    text = pd.Series(["ICANN org", None, "IGF"], dtype="str")
    assert without_tags(text) is text
    tagged = pd.Series(["<b>ICANN</b>  org", None, "  "], dtype="str")
    assert without_tags(tagged).tolist()[0] == "ICANN org"
    assert without_tags(tagged).tolist()[2] == ""


def _cells() -> tuple[Cells, pd.DataFrame]:
    table = pd.DataFrame(
        {
            "event": pd.Series(["ICANN82", "IGF", " IGF "], dtype="str"),
            "country": pd.Series(["Peru", "Chile", "Ghana"], dtype="str"),
            "email": pd.Series(["a@x.org", "b@x.org", "c@x.org"], dtype="str"),
        }
    )
    return Cells(table, table), table


def test_taking_every_row_moves_the_columns_out_and_leaves_the_callers_frame():
    cells, table = _cells()
    country = _data(table["country"])
    cells.stripped("country")  # nothing to strip: the column as read
    kept = cells.take(pd.Series([True, True, True]), without=("email",))
    assert list(kept.table.columns) == ["event", "country"]
    assert _data(kept.table["country"]) == country
    assert _data(kept.stripped("country")) == country
    assert not len(cells.table.columns) and not len(cells.raw.columns)  # moved out
    assert list(table.columns) == ["event", "country", "email"]  # the caller's frame unchanged


def test_taking_some_rows_gives_what_loc_gives():
    cells, table = _cells()
    cells.stripped("event")  # " IGF " is stripped: its own column
    cells.stripped("country")  # the column as read
    keep = pd.Series([True, False, True])
    kept = cells.take(keep)
    pd.testing.assert_frame_equal(kept.table, table.loc[keep])
    assert _data(kept.stripped("country")) == _data(kept.table["country"])  # one copy, not two
    assert kept.stripped("event").tolist() == ["ICANN82", "IGF"]
    assert kept.index.tolist() == [0, 2]
