"""The benchmark runs end to end on a small size (a smoke test: nothing here is timed)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT


def test_benchmark_runs_on_10k_rows(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "10k", "--no-memory", "--no-report", "--workdir", str(tmp_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    cleaning = results["cleaning"][0]
    assert cleaning["rows"] == 10_000
    assert cleaning["invariant_holds"]
    assert results["countries"][0]["distinct_values"] > 300, "several hundred distinct spellings"
    assert results["aggregation"][0]["cells"] > 0
    assert "rows/s" in proc.stdout


def test_generator_is_messy_and_seeded():
    from benchmarks.generate import messy_participation

    a = messy_participation(2_000)
    b = messy_participation(2_000)
    assert a.equals(b)
    assert a["Country/Territory"].nunique() > 300
    assert a["Stakeholder Category"].nunique() > 20
    assert a["E-mail Address"].str.lower().duplicated().sum() == 100  # 5% duplicate registrations


def test_whole_process_measurement_reports_time_peak_and_command(tmp_path):
    from benchmarks.generate import write_csv
    from benchmarks.process import bench_whole_process

    csv = write_csv(2_000, tmp_path / "engagement.csv", kind="engagement")
    result = bench_whole_process(csv, 2_000, tmp_path, repeat=1, kind="engagement", engine="duckdb")
    assert result["clean_process_s"] > 0 and result["read_csv_process_s"] > 0
    assert result["peak_rss_mb"] > 20, "the child's own high-water mark, sampled while it runs"
    assert result["command"].startswith("wsisanalysis clean ") and "--engine duckdb" in result["command"]
    assert (tmp_path / "process_engagement_duckdb_2000_0" / "engagement.parquet").is_file()
