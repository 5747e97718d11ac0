"""Issue #12: input columns named source / record_id / source_row are kept as ordinary free
text (``input_*``), scrubbed like all free text, never used as provenance, by both engines."""

from __future__ import annotations

import pandas as pd
import pytest

from wsisanalysis.clean import clean_files
from wsisanalysis.clean.duckdb_engine import clean_files_duckdb

_HEADER = "Name,Email,Country,Event,{}\n"
_ROWS = [
    "Ana Lima,ana@example.org,Brazil,WSIS+20,{}\n",
    "Bo Chen,bo@example.org,China,WSIS+20,{}\n",
    "Cy Ode,cy@example.org,Kenya,,{}\n",  # no event: quarantined
]


def _files(tmp_path):
    hijack = tmp_path / "hijack.csv"
    hijack.write_text(
        _HEADER.format(" SOURCE ,Record ID,source_row")
        + _ROWS[0].format("Referred by <i>Jo</i> jo%40example.org,jo@example.org,7")
        + _ROWS[1].format("newsletter,REC-1,8")
    )
    plain = tmp_path / "plain.csv"
    plain.write_text(
        _HEADER.format("source")  # exactly the provenance name: kept in the quarantine too
        + _ROWS[2].format("a friend")
        + "Di Oya,di@example.org,Ghana,WSIS+20,\n"
    )
    return hijack, plain


@pytest.mark.parametrize("reverse", [False, True])
def test_both_engines_keep_the_input_columns_as_scrubbed_text(tmp_path, reverse):
    files = list(_files(tmp_path))[:: -1 if reverse else 1]
    _, paths = clean_files(files, "participation", tmp_path / "pandas")
    _, duck = clean_files_duckdb(files, "participation", tmp_path / "duckdb", chunk_rows=1)
    clean = pd.read_parquet(paths["clean"])
    pd.testing.assert_frame_equal(pd.read_parquet(duck["clean"]), clean)
    assert duck["quarantine"].read_text() == paths["quarantine"].read_text()
    kept = ["input_source", "input_record_id", "input_source_row"]
    assert [c for c in clean.columns if c.startswith("input_")] == kept
    assert all(pd.api.types.is_string_dtype(clean[c]) for c in kept)
    rows = clean.set_index(clean["source"].astype(str) + ":" + clean["source_row"].astype(str))
    assert rows.loc["hijack.csv:2", kept].tolist() == ["Referred by Jo [e-mail removed]",
                                                     "[e-mail removed]", "7"]  # fmt: skip
    assert rows.loc["hijack.csv:3", kept].tolist() == ["newsletter", "REC-1", "8"]
    assert pd.isna(rows.loc["plain.csv:3", "input_source"])  # blank in the input
    assert set(clean["record_id"]) == set(rows.index)  # provenance from the reader only


def test_an_input_column_named_source_is_kept_in_the_quarantine(tmp_path):
    _, plain = _files(tmp_path)
    _, paths = clean_files([plain], "participation", tmp_path / "out")
    quarantine = pd.read_csv(paths["quarantine"], dtype=str)
    assert quarantine[["source", "source_row", "input_source"]].values.tolist() == [
        ["plain.csv", "2", "a friend"]
    ]
