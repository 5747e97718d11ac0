"""Benchmark runner: prints a table and writes JSON. Never part of the test suite's timing.

Each measurement runs against a baseline in the same run on the same data, so the ratios mean
something on a shared machine even when absolute seconds drift:

- cleaning: read -> clean -> dedupe -> write Parquet, against a plain ``pandas.read_csv``;
- country normalization: distinct-value matching against per-row ``match_country`` calls;
- aggregation: ``coverage`` by region x stakeholder group x event;
- peak memory: cleaning in a child process, peak RSS above the interpreter's baseline, as a
  multiple of the CSV size;
- report time: one notebook run + HTML export, and ``make report`` as a whole.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.generate import write_csv
from benchmarks.process import bench_whole_process

ROOT = Path(__file__).resolve().parent.parent
NAIVE_MAX_ROWS = 100_000
PYCOUNTRY_ROWS = 3_000


def parse_size(text: str) -> int:
    """``100k`` -> 100000, ``1M`` -> 1000000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def dataset(rows: int, workdir: Path, kind: str = "participation") -> Path:
    """The generated export of `rows` rows, made once and kept in `workdir`."""
    path = workdir / f"{kind}_{rows}.csv"
    if not path.is_file():
        write_csv(rows, path, kind=kind)
    return path


def bench_cleaning(csv: Path, rows: int, workdir: Path) -> dict:
    from wsisanalysis.clean import clean_files

    _, read_s = _timed(pd.read_csv, csv, dtype=str, keep_default_na=False)
    out = workdir / f"clean_{rows}"
    (result, _), clean_s = _timed(clean_files, [csv], "participation", out)
    log = result.log
    return {
        "rows": rows,
        "read_csv_s": round(read_s, 3),
        "clean_s": round(clean_s, 3),
        "rows_per_s": round(rows / clean_s),
        "ratio_to_read_csv": round(clean_s / read_s, 2),
        "invariant_holds": log.rows_in
        == log.rows_clean + log.rows_quarantined + log.duplicates_merged,
        "clean_dir": str(out),
    }


def bench_countries(csv: Path, rows: int) -> dict:
    from wsisanalysis.normalize.countries import _index, match_country, normalize_countries

    values = pd.read_csv(csv, usecols=["Country/Territory"], dtype=str, keep_default_na=False)[
        "Country/Territory"
    ]
    _index()  # build the lookup tables once, outside both timings
    out, ours_s = _timed(normalize_countries, values)
    sample = values.iloc[: min(rows, NAIVE_MAX_ROWS)].tolist()
    naive, naive_s = _timed(lambda: [match_country(v) for v in sample])
    assert [m.iso2 for m in naive] == out["iso2"].iloc[: len(sample)].astype(object).where(
        out["iso2"].iloc[: len(sample)].notna(), None
    ).tolist()
    ours_rate = rows / ours_s
    naive_rate = len(sample) / naive_s
    script_sample = values.iloc[:PYCOUNTRY_ROWS].tolist()
    _, script_s = _timed(lambda: [_pycountry_per_row(v) for v in script_sample])
    script_rate = len(script_sample) / script_s
    return {
        "rows": rows,
        "distinct_values": int(values.nunique()),
        "normalize_s": round(ours_s, 3),
        "rows_per_s": round(ours_rate),
        "naive_rows": len(sample),
        "naive_s": round(naive_s, 3),
        "naive_rows_per_s": round(naive_rate),
        "speedup": round(ours_rate / naive_rate, 1),
        "pycountry_rows": len(script_sample),
        "pycountry_rows_per_s": round(script_rate),
        "speedup_vs_pycountry_per_row": round(ours_rate / script_rate),
    }


def _pycountry_per_row(value: str) -> str | None:
    """What a one-off script does: pycountry lookup per row, fuzzy search when that fails."""
    import pycountry

    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(value)[0].alpha_2
        except LookupError:
            return None


def bench_aggregation(clean_dir: Path, repeat: int = 1) -> dict:
    from wsisanalysis.metrics import coverage

    frame = pd.read_parquet(Path(clean_dir) / "participation.parquet")
    if repeat > 1:
        frame = pd.concat([frame] * repeat, ignore_index=True)
    table, seconds = _timed(coverage, frame, ["icann_region", "stakeholder_group", "event"])
    return {
        "rows": len(frame),
        "cells": len(table),
        "coverage_s": round(seconds, 3),
        "rows_per_s": round(len(frame) / seconds),
    }


_CHILD = """
import json, os, sys, time
os.environ.setdefault("WSISANALYSIS_KEY", "benchmark")
from wsisanalysis.clean import clean_files
from wsisanalysis.metrics import coverage
def rss(field="VmRSS"):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
before = rss()
start = time.perf_counter()
result, paths = clean_files([sys.argv[1]], "participation", sys.argv[2])
clean_s = time.perf_counter() - start
start = time.perf_counter()
table = coverage(result.clean, ["icann_region", "stakeholder_group", "event"])
agg_s = time.perf_counter() - start
peak = rss("VmHWM")  # not ru_maxrss: it keeps the forking parent's RSS across exec
print(json.dumps({"baseline_rss": before, "peak_rss": peak, "clean_s": clean_s, "aggregate_s": agg_s, "rows_clean": result.log.rows_clean}))
"""


def bench_memory(csv: Path, rows: int, workdir: Path, *, repeat: int = 3) -> dict:
    """Peak RSS of cleaning + aggregation in a fresh child process, median of `repeat` runs."""
    runs = []
    for i in range(repeat):
        out = workdir / f"clean_mem_{rows}_{i}"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(csv), str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    size = csv.stat().st_size
    used = sorted(r["peak_rss"] - r["baseline_rss"] for r in runs)
    median = used[len(used) // 2]
    peak = sorted(r["peak_rss"] for r in runs)[len(runs) // 2]
    return {
        "rows": rows,
        "csv_mb": round(size / 1e6, 1),
        "runs": repeat,
        "peak_rss_mb": round(peak / 1e6, 1),
        "cleaning_peak_above_baseline_mb": round(median / 1e6, 1),
        "multiple_of_csv": round(median / size, 2),
        "multiple_of_csv_max": round(used[-1] / size, 2),
        "clean_s": round(sorted(r["clean_s"] for r in runs)[len(runs) // 2], 2),
        "aggregate_s": round(sorted(r["aggregate_s"] for r in runs)[len(runs) // 2], 2),
    }


def bench_report(data_dir: Path, label: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "wsisanalysis",
            "report",
            "20-regional-coverage",
            "-p",
            "data_dir",
            str(data_dir),
            "--out",
            tmp,
        ]
        _, seconds = _timed(subprocess.run, cmd, cwd=ROOT, capture_output=True, check=True)
        html = next(Path(tmp, "html").glob("*.html"))
        return {
            "data": label,
            "notebook": "20-regional-coverage",
            "run_and_export_s": round(seconds, 2),
            "html_mb": round(html.stat().st_size / 1e6, 2),
        }


def bench_make_report() -> dict:
    _, seconds = _timed(
        subprocess.run, ["make", "report"], cwd=ROOT, capture_output=True, check=True
    )
    sizes = {
        p.name: round(p.stat().st_size / 1e6, 2)
        for p in (ROOT / "reports" / "html").glob("*.html")
    }
    return {
        "make_report_s": round(seconds, 1),
        "html_mb": sizes,
        "largest_html_mb": max(sizes.values()),
    }


def bench_fresh_clone() -> dict:
    """``make report`` in a fresh clone (pip's cache warm): set-up included, as a newcomer runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "wsisanalysis"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        proc, seconds = _timed(subprocess.run, ["make", "report"], cwd=clone, capture_output=True, text=True, check=True)
        venv = clone / ".venv"
        size = sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and not p.is_symlink())
        tools = [t for t in ("pytest", "playwright", "hypothesis", "jupyterlab")
                 if subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "show", "-q", t],
                                   capture_output=True, check=False).returncode == 0]  # fmt: skip
        return {
            "fresh_clone_make_report_s": round(seconds, 1),
            "venv_mb": round(size / 1e6),
            "test_tools_installed": tools,
            "kernel_warnings": proc.stderr.count("without encryption"),
        }


def bench_engines(workdir: Path, sizes: list[int], *, pandas_up_to: int = 10_000_000,
                  memory_limit: str = "1GB", repeat: int = 1) -> list[dict]:  # fmt: skip
    """Whole-process ``clean`` of engagement logs on DuckDB (and pandas where it fits)."""
    out = []
    for rows in sizes:
        csv = dataset(rows, workdir, "engagement")
        engines = ["duckdb", "pandas"] if rows <= pandas_up_to else ["duckdb"]
        for engine in engines:
            out.append(bench_whole_process(
                csv, rows, workdir, repeat=repeat, kind="engagement", engine=engine,
                memory_limit=memory_limit if engine == "duckdb" else None,
            ))  # fmt: skip
    return out


def run(  # noqa: PLR0913 - one switch per optional measurement
    sizes: list[int], *, workdir: Path, memory: bool = True, report: bool = True,
    make_report: bool = False, ten_million: bool = False, hundred_million: bool = False,
) -> dict:  # fmt: skip
    os.environ.setdefault("WSISANALYSIS_KEY", "benchmark")
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "cleaning": [], "countries": [], "aggregation": [], "memory": [], "report": [],
        "process": [], "engines": [],
    }  # fmt: skip
    for rows in sizes:
        csv = dataset(rows, workdir)
        if rows == 1_000_000 and memory:
            # what a user waits for: `wsisanalysis clean` against `pandas.read_csv`, whole processes
            results["process"].append(bench_whole_process(csv, rows, workdir, repeat=3))
            results["engines"] += bench_engines(workdir, [rows])
            # first, before this process has done heavy work: later child runs peaked higher
            # (up to ~12x instead of ~7x; allocator and page-cache effects, see README)
            results["memory"].append(bench_memory(csv, rows, workdir))
        cleaning = bench_cleaning(csv, rows, workdir)
        results["cleaning"].append(cleaning)
        results["countries"].append(bench_countries(csv, rows))
        results["aggregation"].append(bench_aggregation(Path(cleaning["clean_dir"])))
        if rows == 1_000_000:
            results["aggregation"].append(
                bench_aggregation(Path(cleaning["clean_dir"]), repeat=10)
            )
            if report:
                results["report"].append(bench_report(Path(cleaning["clean_dir"]), "1M rows"))
    if ten_million:
        csv = dataset(10_000_000, workdir)
        results["memory"].append(bench_memory(csv, 10_000_000, workdir, repeat=1))
        results["engines"] += bench_engines(workdir, [10_000_000])
    if hundred_million:  # on demand: a ~10 GB file, generated once into the workdir
        results["engines"] += bench_engines(workdir, [100_000_000], memory_limit="4GB")
    if report:
        from wsisanalysis.clean import clean_files
        from wsisanalysis.demo import write_demo

        demo = workdir / "demo"
        write_demo(demo)
        clean_files(
            sorted(demo.glob("DEMO_participation_*")), "participation", workdir / "demo_clean"
        )
        results["report"].insert(0, bench_report(workdir / "demo_clean", "demo"))
    if make_report:
        results["make_report"] = bench_make_report()
        results["fresh_clone"] = bench_fresh_clone()
    return results


def render(results: dict) -> str:
    """A plain-text table of the results."""
    lines = []
    for c in results["cleaning"]:
        lines.append(f"cleaning     {c['rows']:>10,} rows  {c['clean_s']:>7.2f} s  {c['rows_per_s']:>10,} rows/s  "
                     f"{c['ratio_to_read_csv']:>5.1f}x read_csv ({c['read_csv_s']:.2f} s)")  # fmt: skip
    for c in results["countries"]:
        lines.append(f"countries    {c['rows']:>10,} rows  {c['normalize_s']:>7.2f} s  {c['rows_per_s']:>10,} rows/s  "
                     f"{c['speedup']:>5.0f}x per-row matcher ({c['naive_rows_per_s']:,} rows/s), "
                     f"{c['speedup_vs_pycountry_per_row']:,}x per-row pycountry ({c['pycountry_rows_per_s']:,} rows/s); {c['distinct_values']} distinct")  # fmt: skip
    for a in results["aggregation"]:
        lines.append(
            f"aggregation  {a['rows']:>10,} rows  {a['coverage_s']:>7.2f} s  {a['rows_per_s']:>10,} rows/s  ({a['cells']} cells)"
        )
    for m in results["memory"]:
        lines.append(f"memory       {m['rows']:>10,} rows  peak {m['peak_rss_mb']:,.0f} MB, cleaning {m['cleaning_peak_above_baseline_mb']:,.0f} MB "
                     f"= {m['multiple_of_csv']:.2f}x CSV ({m['csv_mb']:,.0f} MB; max of {m['runs']} runs {m['multiple_of_csv_max']:.2f}x); "
            f"clean {m['clean_s']} s, aggregate {m['aggregate_s']} s")  # fmt: skip
    for p in results.get("process", []):
        lines.append(f"process      {p['rows']:>10,} rows  clean {p['clean_process_s']:.2f} s = {p['ratio']:.1f}x a read_csv process "
                     f"({p['read_csv_process_s']:.2f} s; runs {p['ratios_all']}; CPU time {p['cpu_ratio']:.1f}x), peak {p['peak_rss_mb']:,.0f} MB = "
                     f"{p['peak_multiple_of_csv']:.1f}x CSV ({p['csv_mb']:,.0f} MB)")  # fmt: skip
    for e in results.get("engines", []):
        lines.append(f"engine       {e['rows']:>10,} rows  {e['engine']:>6} {e['clean_process_s']:>8.1f} s  peak {e['peak_rss_mb']:,.0f} MB "
                     f"({e['peak_rss_mb'] / 1073.74:.2f} GiB; CSV {e['csv_mb']:,.0f} MB; read_csv {e['read_csv_process_s']:.1f} s)  "
                     f"{e['command']}")  # fmt: skip
    for r in results["report"]:
        lines.append(
            f"report       {r['data']:>15}  {r['run_and_export_s']:>6.2f} s  HTML {r['html_mb']} MB"
        )
    if "make_report" in results:
        m = results["make_report"]
        lines.append(
            f"make report  {m['make_report_s']} s; largest HTML {m['largest_html_mb']} MB"
        )
    if "fresh_clone" in results:
        f = results["fresh_clone"]
        lines.append(f"fresh clone  make report {f['fresh_clone_make_report_s']} s; venv {f['venv_mb']} MB; "
                     f"test tools {f['test_tools_installed'] or 'none'}; kernel warnings {f['kernel_warnings']}")  # fmt: skip
    return "\n".join(lines)
