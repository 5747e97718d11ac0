"""Properties of reading and writing under hostile text (issue #12), with hypothesis.

* For random CSVs with random quoting faults (a quote that never closes, an unquoted
  delimiter), every physical record is accounted for: rows_in equals the records written,
  and rows_in = clean + quarantined + merged.
* For random cell text, the quarantine CSV read back by Python's csv and by pandas has
  exactly the rows written, and no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
from helpers import assert_accounted
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wsisanalysis.clean import clean_participation
from wsisanalysis.write import write_csv

HEADER = ["Name", "Email", "Country", "Event"]
_TEXT = st.text(
    alphabet=st.sampled_from(list("ab XY,;\"'=+-@\t\r\néü\u200b<>&")), min_size=0, max_size=12
)


@st.composite
def faulty_csv(draw) -> tuple[str, int]:
    """CSV text and the number of data records written (each fault stays one record).

    Two unclosed quotes on consecutive lines are not generated: together they are a valid
    quoted cell spanning both lines, which no reader can tell from a real multi-line cell.
    """
    rows = draw(st.lists(st.lists(_TEXT, min_size=4, max_size=4), min_size=1, max_size=25))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(HEADER)
    previous = "none"
    for i, row in enumerate(rows):
        row = [*row[:1], f"p{i}@example.org", *row[2:]]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(row)
        line = buffer.getvalue()
        fault = draw(st.sampled_from(["none", "none", "open_quote", "extra_field"]))
        if fault == "open_quote" and previous == "open_quote":
            fault = "none"
        if fault == "open_quote" and "\n" not in line.rstrip("\n") and '"' not in line:
            line = '"' + line  # a quote that never closes
        elif fault == "extra_field":
            line = line.rstrip("\n") + ",shifted\n"  # an unquoted delimiter
        out.write(line)
        previous = fault
    return out.getvalue(), len(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faulty_csv())
# a valid quoted cell "\n," whose second line, read alone, looked like a record of its own
@example(case=('Name,Email,Country,Event\n"\n,",p0@example.org,",;",\n', 1))
# a quoted cell "\n,"",;" (an escaped quote in it) spanning two lines: one record
@example(case=('Name,Email,Country,Event\n,p0@example.org,"\n,"",;",\n', 1))
# an unclosed quote, then a record whose quoted cell is well formed: two records
@example(case=('Name,Email,Country,Event\n",p0@example.org,,\n,p1@example.org,",,;",\n', 2))
def test_every_physical_record_is_accounted_for(tmp_path_factory, case):
    text, written = case
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    log = clean_participation(path, key="k").log
    assert log.rows_in == written
    assert_accounted(log)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(min_size=0, max_size=20), min_size=1, max_size=15),
    st.text(min_size=1, max_size=10),
)
def test_quarantine_csv_reads_back_exactly_and_runs_no_formula(tmp_path_factory, cells, header):
    frame = pd.DataFrame({header: cells, "=other": cells[::-1]})
    path = write_csv(frame, tmp_path_factory.mktemp("q") / "quarantine.csv")
    raw = path.read_bytes().decode("utf-8")
    records = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(records) == len(cells) + 1
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(back) == len(cells)
    for record in records:
        for cell in record:
            numeric = cell.lstrip("+-").replace(".", "", 1).isdigit() and cell.isascii()
            assert numeric or not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
