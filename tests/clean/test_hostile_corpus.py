"""The hostile-input corpus of issue #12 (tests/data/hostile), checked line by line against
EXPECTED.tsv: quarantined rows with their reason and line, clear errors, and the right values.

Structured expectations (``values: log: k=v``, ``values: line=N: col=v``, ``quarantine:``,
``error:``) are checked generically; expectations stated in words have one checker each in
``WORDED`` below, and a test makes sure no line of EXPECTED.tsv goes unchecked.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from helpers import DATA, assert_accounted

from wsisanalysis.clean import clean_tables
from wsisanalysis.clean.result import CleaningResult
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.normalize.mapping import load_mapping
from wsisanalysis.read import read_tables
from wsisanalysis.reporting.runs import read_params_file

HOSTILE = DATA / "hostile"


def _expectations() -> list[tuple[str, str]]:
    with (HOSTILE / "EXPECTED.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["file"], row["expected"]) for row in rows]


EXPECTED = _expectations()


def _cases(selected: list[tuple[str, str]]) -> list:
    return [
        pytest.param(name, expected, id=f"{name}:{expected[:40]}") for name, expected in selected
    ]


def _uncomment(text: str) -> str:
    """Drop a trailing two-space ``(comment)``."""
    return re.sub(r"  \(.*\)$", "", text)


class Outcome:
    """One corpus file cleaned (or the error it raised), with its written outputs."""

    def __init__(self, name: str, out: Path) -> None:
        self.name = name
        self.error: Exception | None = None
        self.result: CleaningResult | None = None
        self.paths: dict[str, Path] = {}
        path, mapping = HOSTILE / name, None
        if name == "mapping_cp1252.yaml":
            path, mapping = HOSTILE / "mapping_cp1252_data.csv", HOSTILE / name
        try:
            if path.suffix in (".toml",):
                read_params_file(path)
                return
            if path.suffix in (".yaml",):
                load_mapping(path)
                return
            tables = read_tables(path)
            self.result = clean_tables(tables, "participation", key="hostile", mapping=mapping)
            self.paths = self.result.write(out / name)
        except Exception as exc:  # noqa: BLE001 - the expectation decides what was wanted
            self.error = exc

    @property
    def ok(self) -> CleaningResult:
        if self.error is not None:
            raise AssertionError(f"{self.name}: {type(self.error).__name__}: {self.error}")
        assert self.result is not None
        return self.result

    @property
    def clean(self) -> pd.DataFrame:
        return self.ok.clean

    @property
    def quarantine(self) -> pd.DataFrame:
        return self.ok.quarantine

    @property
    def log(self) -> dict:
        return self.ok.log.to_dict()

    def row(self, line: str) -> pd.Series:
        clean = self.clean
        if "!" in line:
            sheet, number = line.split("!")
            hit = clean[
                clean["source"].astype("str").str.endswith(f"[{sheet}]")
                & (clean["source_row"] == int(number))
            ]
        else:
            hit = clean[clean["source_row"] == int(line)]
        assert len(hit) == 1, f"{self.name}: line {line}: {len(hit)} clean rows"
        return hit.iloc[0]

    def texts(self) -> str:
        """Every clean and quarantined cell and the log, as one text (for leak checks)."""
        parts = [self.clean.astype("str").to_csv(), self.quarantine.astype("str").to_csv()]
        parts.append(self.paths["log"].read_text(encoding="utf-8"))
        return "\n".join(parts)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Callable[[str], Outcome]:
    out = tmp_path_factory.mktemp("hostile")
    return cache(lambda name: Outcome(name, out))


def _log_value(log: dict, key: str) -> object:
    value: object = log
    for part in re.findall(r"[^.\[\]]+", key):
        value = value[int(part)] if part.isdigit() else value[part]  # type: ignore[index]
    return value


def _structured(expected: str) -> bool:
    text = _uncomment(expected)
    if text.startswith(("quarantine:", "error:")):
        return True
    if text.startswith("values: log: "):
        return all(
            re.fullmatch(r"[\w.\[\]]+=\S+", p)
            for p in text.removeprefix("values: log: ").split("; ")
        )
    return bool(re.match(r"values: (\S+ )?line=[^:]+: \w+=", text))


def _check_structured(o: Outcome, expected: str) -> None:
    text = _uncomment(expected)
    if text.startswith("error:"):
        words = text.removeprefix("error: words=").split("|")
        assert isinstance(o.error, WsisAnalysisError), f"{o.name}: {o.error!r}"
        for word in words:
            assert word.lower() in str(o.error).lower(), (word, str(o.error))
        return
    if text.startswith("quarantine:"):
        m = re.fullmatch(r"quarantine:(\w+) rows=(\d+) lines=(.+)", text)
        assert m, text
        reason, rows, lines = m.group(1), int(m.group(2)), m.group(3).split(",")
        q = o.quarantine[o.quarantine["reason"] == reason]
        assert len(q) == rows, (o.name, reason, o.quarantine[["source_row", "reason"]])
        got = [
            f"{str(s).rsplit('[', 1)[-1].rstrip(']')}!{r}" if "!" in lines[0] else str(r)
            for s, r in zip(q["source"], q["source_row"], strict=True)
        ]
        assert sorted(got) == sorted(lines), (o.name, reason)
        return
    if text.startswith("values: log: "):
        log = o.log
        for part in text.removeprefix("values: log: ").split("; "):
            key, value = part.split("=", 1)
            assert str(_log_value(log, key)) == value, (o.name, key, _log_value(log, key))
        assert_accounted(log)
        return
    m = re.fullmatch(r"values: (?:\S+ )?line=([^:]+): (.*)", text)
    assert m, text
    row = o.row(m.group(1))
    for part in m.group(2).split("; "):
        col, value = part.split("=", 1)
        got = row[col]
        if isinstance(got, pd.Timestamp):
            got = got.isoformat(sep=" ").removesuffix(" 00:00:00")
        if value == "<NA>":
            assert pd.isna(got), (o.name, m.group(1), col, got)
        else:
            assert str(got) == value, (o.name, m.group(1), col, got)


@pytest.mark.parametrize(("name", "expected"), _cases([e for e in EXPECTED if _structured(e[1])]))
def test_structured_expectation(outcome, name, expected):
    _check_structured(outcome(name), expected)


# --- expectations stated in words ---------------------------------------------------------


def _no_header_words(o: Outcome) -> None:
    for frame in (o.clean, o.quarantine):
        cells = set(frame.astype("str").to_numpy().ravel())
        assert not {"Name", "Email"} & cells


def _no_mojibake(o: Outcome) -> None:
    text = o.clean.astype("str").to_csv() + o.quarantine.astype("str").to_csv()
    assert not re.search("[\ufffdÃÂ]", text)


def _no_replacement(o: Outcome) -> None:
    assert "\ufffd" not in o.clean.astype("str").to_csv()


def _notes_cp1252_line_5(o: Outcome) -> None:
    notes = " ".join(o.log["files"][0]["notes"])
    assert "cp1252" in notes
    assert re.search(r"\b5\b", notes)


def _one_event(o: Outcome) -> None:
    assert o.clean["event"].astype("str").unique().tolist() == ["WSIS+20 High-Level Event"]


def _line_5_merged(o: Outcome) -> None:
    assert 5 not in o.clean["source_row"].tolist()
    assert 2 in o.clean["source_row"].tolist()


def _no_hijack(o: Outcome) -> None:
    text = o.clean.astype("str").to_csv() + o.paths["log"].read_text(encoding="utf-8")
    for word in ("@", "jane.doe", "<b>"):
        assert word not in text
    kept = ["input_source", "input_record_id", "input_source_row"]
    assert [c for c in o.clean.columns if c.startswith("input_")] == kept


def _names_redacted(o: Outcome) -> None:
    unresolved = o.log["unresolved"]
    by_column = {u["column"]: u for u in unresolved}
    assert by_column["country_iso2"]["rows"] == 1
    assert by_column["stakeholder_group"]["rows"] == 1
    text = o.clean.astype("str").to_csv() + o.paths["log"].read_text(encoding="utf-8")
    for word in ("Maria", "Gonzalez", "Kwame", "Asante"):
        assert word not in text


def _no_jane(o: Outcome) -> None:
    text = o.clean.astype("str").to_csv() + o.paths["log"].read_text(encoding="utf-8")
    assert "jane" not in text.lower()


def _emails_removed_5(o: Outcome) -> None:
    assert o.log["fixes"]["privacy"]["emails_removed_from_text"] == 5


def _file_name_scrubbed(o: Outcome) -> None:
    text = (
        o.clean[["source", "record_id"]].astype("str").to_csv()
        + o.paths["log"].read_text(encoding="utf-8")
        + o.quarantine.get("source", pd.Series(dtype="str")).astype("str").to_csv()
    )
    assert "jane.doe" not in text
    assert "@" not in text


def _quarantine_csv_records(o: Outcome) -> None:
    raw = o.paths["quarantine"].read_bytes().decode("utf-8")
    records = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(records) == 3
    assert [r[1] for r in records[1:]] == ["3", "4"]
    # every field holding CR or LF is quoted: no CR/LF outside quotes
    outside = re.sub(r'"(?:[^"]|"")*"', "", raw)
    assert "\r" not in outside
    assert outside.count("\n") == 3


def _quarantine_csv_neutralized(o: Outcome) -> None:
    raw = o.paths["quarantine"].read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(raw, newline="")))
    for record in records:
        for cell in record:
            assert not re.match(r"[=+\-@\t\r]", cell) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell)
    header = records[0]
    assert any(h.startswith("'=HYPERLINK(") for h in header)
    assert {"'+Phone", "'-Remarks", "'@Handle"} <= set(header)


def _bare_cr_note(o: Outcome) -> None:
    notes = " ".join(o.log["files"][0]["notes"])
    assert re.search(r"1 bare CR", notes)
    assert re.search(r"\b3\b", notes)


def _name_columns_duplicated(o: Outcome) -> None:
    duplicated = o.log["files"][0]["columns_duplicated"]
    assert len(duplicated["name"]) == 2999


def _five_delegates(o: Outcome) -> None:
    clean = o.clean.set_index("source_row")
    assert clean.loc[[2, 3, 4, 5, 6], "participant_id"].nunique() == 5
    assert 7 not in clean.index
    assert o.log["fixes"]["participant_id"]["shared_email_split_by_name"] == 6


def _li_wei(o: Outcome) -> None:
    clean = o.clean.set_index("source_row")
    assert clean["participant_id"].nunique() == 5
    assert 5 not in clean.index
    assert {2, 6, 7} <= set(clean.index)


def _unresolved_ab(o: Outcome) -> None:
    unresolved = {u["label"]: u for u in o.log["unresolved"] if u["column"] == "stakeholder_group"}
    for label in ("Academia/Government", "Government/Academia"):
        assert "academia" in unresolved[label]["candidates"]
        assert "government" in unresolved[label]["candidates"]


def _country_unresolved(o: Outcome) -> None:
    unresolved = [u for u in o.log["unresolved"] if u["column"] == "country_iso2"]
    assert sorted(u["label"] for u in unresolved) == sorted(
        ["Lagos", "no", "in", "it", "me", "to"]
    )
    assert all(u["rows"] == 1 for u in unresolved)


def _sheets_named(o: Outcome) -> None:
    sources = set(o.clean["source"].astype("str"))
    assert any(s.endswith("[Day 1]") for s in sources)
    assert any(s.endswith("[Day 2]") for s in sources)
    assert o.clean["record_id"].is_unique


def _legacy_xls(o: Outcome) -> None:
    _sheets_named(o)
    notes = o.log["files"][0]["notes"]
    assert "sheet 'Notes' skipped: no header row naming known columns" in notes
    assert any(n.startswith("legacy .xls: hidden rows") for n in notes)
    assert {f["format"] for f in o.log["files"]} == {"xls"}


def _index_as_email(o: Outcome) -> None:
    assert 4 not in o.clean["source_row"].tolist()
    assert "@" not in o.clean.astype("str").to_csv()


WORDED: dict[tuple[str, str], Callable[[Outcome], None]] = {
    ("multiline_title_above_header.csv", "values: all: no clean or quarantined"): _no_header_words,
    ("utf8_with_one_cp1252_line.csv", "values: all: no U+FFFD"): _no_mojibake,
    ("utf8_with_one_cp1252_line.csv", "values: log: files[0].notes"): _notes_cp1252_line_5,
    ("cp1252_non_ascii_after_256kb.csv", "values: all: no U+FFFD"): _no_replacement,
    ("invisible_chars_in_event.csv", "values: all: event="): _one_event,
    ("invisible_chars_in_event.csv", "values: line=5: not in clean"): _line_5_merged,
    ("provenance_hijack.csv", "values: all: no '@'"): _no_hijack,
    ("names_in_label_columns.csv", "values: log: unresolved has"): _names_redacted,
    ("disguised_emails_in_organisation.csv", "values: all: 'jane'"): _no_jane,
    ("disguised_emails_in_organisation.csv", "values: log: fixes.privacy"): _emails_removed_5,
    ("export_from_jane.doe@example.org.csv", "values: all: 'jane.doe'"): _file_name_scrubbed,
    ("formula_headers_and_bare_cr.csv", "values: quarantine_csv: read back"): _quarantine_csv_records,
    ("formula_headers_and_bare_cr.csv", "values: quarantine_csv: headers"): _quarantine_csv_neutralized,
    ("bare_cr_unquoted.csv", "values: log: files[0].notes"): _bare_cr_note,
    ("3000_name_columns.csv", "values: log: files[0].columns_duplicated"): _name_columns_duplicated,
    ("shared_delegation_email.csv", "values: all: 5 distinct"): _five_delegates,
    ("same_name_no_email.csv", "values: all: 5 distinct"): _li_wei,
    ("stakeholder_labels.csv", "values: log: unresolved lists"): _unresolved_ab,
    ("country_variants.csv", "values: log: unresolved country_iso2"): _country_unresolved,
    ("two_sheets_hidden_formula_merged.xlsx", "values: all: each clean row"): _sheets_named,
    ("legacy_two_sheets.xls", "values: all: each clean row"): _legacy_xls,
    ("email_as_index.parquet", "values: all: the index"): _index_as_email,
}  # fmt: skip


def _worded(name: str, expected: str) -> Callable[[Outcome], None]:
    found = [f for (n, prefix), f in WORDED.items() if n == name and expected.startswith(prefix)]
    assert len(found) == 1, f"no single checker for {name}: {expected}"
    return found[0]


WORDED_CASES = [e for e in EXPECTED if not _structured(e[1])]


def test_every_expectation_has_a_check():
    for name, expected in WORDED_CASES:
        _worded(name, expected)
    assert len(EXPECTED) > 100


@pytest.mark.parametrize(("name", "expected"), _cases(WORDED_CASES))
def test_worded_expectation(outcome, name, expected):
    _worded(name, expected)(outcome(name))


def test_every_corpus_file_has_an_expectation():
    named = {n for n, _ in EXPECTED} | {"mapping_cp1252_data.csv"}
    files = {p.name for p in HOSTILE.iterdir()} - {"EXPECTED.tsv", "README.md", "make_corpus.py"}
    assert files <= named


def test_corpus_is_reproducible(tmp_path):
    """make_corpus.py rewrites every file byte for byte (the corpus is not edited by hand)."""
    copy = tmp_path / "hostile"
    shutil.copytree(HOSTILE, copy)
    done = subprocess.run(
        [sys.executable, str(copy / "make_corpus.py")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    for path in HOSTILE.iterdir():
        assert (copy / path.name).read_bytes() == path.read_bytes(), path.name
