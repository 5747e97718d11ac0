from __future__ import annotations

import os
import platform
import sys

import pytest

from wsisanalysis.clean import memory


@pytest.fixture
def mallopt_calls(monkeypatch):
    """The (parameter, value) of each ``mallopt`` call, made on a stand-in for libc."""
    calls = []

    class Libc:
        def mallopt(self, parameter, value):
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: Libc())
    return calls


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc only",
)
def test_the_mmap_threshold_is_fixed_at_glibcs_starting_value(mallopt_calls):
    calls = mallopt_calls
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


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc only",
)
def test_the_heap_keeps_a_pad_at_its_top_unless_the_user_set_one(monkeypatch, mallopt_calls):
    calls = mallopt_calls
    monkeypatch.delenv("MALLOC_TOP_PAD_", raising=False)
    assert memory.keep_heap_top() is True
    assert calls == [(-2, 128 << 20)]  # M_TOP_PAD
    monkeypatch.setenv("MALLOC_TOP_PAD_", "0")
    assert memory.keep_heap_top() is False
    assert calls == [(-2, 128 << 20)]


def test_the_cli_keeps_a_heap_pad_for_its_one_cleaning_run():
    """In a fresh process, as a user runs it: the pad is set before anything is read."""
    import subprocess

    probe = (
        "import ctypes; calls = []\n"
        "class Libc:\n"
        "    def mallopt(self, parameter, value): calls.append((parameter, value)); return 1\n"
        "ctypes.CDLL = lambda *args, **kwargs: Libc()\n"
        "from wsisanalysis import cli; cli._lean_allocator(); print(calls)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_TOP_PAD_"}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    ).stdout
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert out.strip() == ("[(-2, 134217728)]" if glibc else "[]")
