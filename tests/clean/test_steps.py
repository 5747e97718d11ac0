from __future__ import annotations

import pandas as pd

from wsisanalysis.clean.provenance import scrub_emails as scrub_text
from wsisanalysis.clean.steps import Cells, may_hold_email, without_tags

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
    assert cells.stripped("event").array is table["event"].array
    assert cells.stripped("date").tolist()[0] == "2025-01-02"
    assert cells.stripped("date").isna().tolist() == [False, True, False]


def test_free_text_without_markup_is_the_column_itself():
    text = pd.Series(["ICANN org", None, "IGF"], dtype="str")
    assert without_tags(text) is text
    tagged = pd.Series(["<b>ICANN</b>  org", None, "  "], dtype="str")
    assert without_tags(tagged).tolist()[0] == "ICANN org"
    assert without_tags(tagged).tolist()[2] == ""
