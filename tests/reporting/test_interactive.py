"""The sortable, searchable tables: what is written into the page (behaviour: test_browser)."""

from __future__ import annotations

from wsisanalysis.reporting import interactive


def test_download_names_come_from_captions():
    assert interactive.file_name("ICANN regions") == "icann-regions"
    assert interactive.file_name("<script>") == "script"
    assert interactive.file_name("") == "table"


def test_the_script_never_writes_markup_and_neutralises_formulas():
    script = interactive.SCRIPT
    assert "innerHTML" not in script and "eval(" not in script and "http" not in script
    assert "'\\''+t" in script.replace('"', "'") or 't="\'"+t' in script
    assert len(interactive.SCRIPT) + len(interactive.STYLE) < 5_000, (
        "a few kilobytes, not a library"
    )


def test_the_wrapper_escapes_the_caption():
    markup = interactive.interactive_table("<table></table>", '"><script>x</script>')
    assert "<script>x" not in markup
