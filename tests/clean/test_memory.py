from __future__ import annotations

import platform
import sys

import pytest

from wsisanalysis.clean import memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc only",
)
def test_the_mmap_threshold_is_fixed_at_glibcs_starting_value(monkeypatch):
    calls = []

    class Libc:
        def mallopt(self, parameter, value):
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: Libc())
    assert memory.return_large_blocks() is True
    assert calls == [(-3, 128 * 1024)]  # M_MMAP_THRESHOLD


def test_elsewhere_nothing_is_set(monkeypatch):
    monkeypatch.setattr(memory.platform, "libc_ver", lambda: ("musl", "1.2"))
    assert memory.return_large_blocks() is False


def test_clean_files_returns_large_blocks_before_reading(monkeypatch, tmp_path):
    """The CLI's clean (clean_files) sets it: without it, ~40 MB more at 1M rows."""
    from wsisanalysis.clean import pipeline

    calls = []
    monkeypatch.setattr(pipeline, "return_large_blocks", lambda: calls.append(1))
    src = tmp_path / "x.csv"
    src.write_text("email,event\na@x.org,E\n", encoding="utf-8")
    pipeline.clean_files([src], "participation", tmp_path / "out", key="k")
    assert calls == [1]


def test_the_duckdb_engine_returns_large_blocks_too(monkeypatch, tmp_path):
    pytest.importorskip("duckdb")
    from wsisanalysis.clean import duckdb_engine

    calls = []
    monkeypatch.setattr(duckdb_engine, "return_large_blocks", lambda: calls.append(1))
    monkeypatch.setenv("WSISANALYSIS_KEY", "k")
    src = tmp_path / "x.csv"
    src.write_text("email,event\na@x.org,E\n", encoding="utf-8")
    duckdb_engine.clean_files_duckdb([src], "participation", tmp_path / "out")
    assert calls == [1]
