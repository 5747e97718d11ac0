from __future__ import annotations

import csv
import io
import multiprocessing
import time

import pandas as pd
import pytest

from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.write import output_lock, write_atomic, write_csv


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("old")

    def boom(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(path, boom)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_quarantine_csv_quotes_cr_and_lf_and_neutralizes_headers(tmp_path):
    frame = pd.DataFrame({"=cmd": ["a\rb", "=1+1", "x\ny"], "ok": ["\r=SUM(1)", "-2", "@me"]})
    path = write_csv(frame, tmp_path / "q.csv")
    records = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    assert records == [["'=cmd", "ok"], ["a\rb", "'\r=SUM(1)"], ["'=1+1", "-2"], ["x\ny", "'@me"]]
    assert len(pd.read_csv(path, dtype=str)) == 3


def _hold(folder, ready):
    with output_lock(folder):
        ready.set()
        time.sleep(3)


def test_a_second_run_into_a_locked_folder_waits_then_fails_clearly(tmp_path):
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(tmp_path, ready))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(WsisAnalysisError, match="another wsisanalysis run"):  # noqa: SIM117
            with output_lock(tmp_path, wait=0.3):
                pass
    finally:
        holder.kill()
        holder.join()
    with output_lock(tmp_path, wait=1):  # released when the holder was killed (-9)
        pass
