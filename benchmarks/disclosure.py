"""``python -m benchmarks.disclosure``: how long the disclosure audit takes.

1. The demo report set: the tables the report notebooks publish from the demo's clean data
   (regional coverage for all events and for one event without its host, stakeholder coverage),
   guarded in notebook order into one ledger, as the runner would.
2. A 50 × 8 table with both margins, guarded alone, on seeded skewed counts (many small cells).

Each figure is the wall time of :func:`~wsisanalysis.metrics.disclosure.guard` (suppression,
linear-programming audit and repair, ledger), median of `repeat` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis import metrics
from wsisanalysis.metrics.disclosure import Rules, guard

IGF = "IGF 2025 Open Forum: ICANN and WSIS+20"


def _demo(folder: Path) -> pd.DataFrame:
    from wsisanalysis.clean import clean_files
    from wsisanalysis.demo import write_demo
    from wsisanalysis.reporting.tables import load_clean

    os.environ.setdefault("WSISANALYSIS_KEY", "benchmark-key-not-secret")
    write_demo(folder / "raw")
    clean_files(
        sorted((folder / "raw").glob("DEMO_participation_*")), "participation", folder / "clean"
    )
    return load_clean(folder / "clean")


def _regional(frame: pd.DataFrame, ledger: Path, host: str = "") -> int:
    """The tables of 20-regional-coverage, in notebook order; returns how many."""
    country = Rules(keys={"iso2": "country_iso2"})
    guard(
        metrics.country_counts(frame),
        ["icann_region", "un_regional_group", "iso2"],
        source=frame,
        rules=country,
        ledger=ledger,
    )
    no_host = metrics.exclude_host(frame, host)
    for by, base in (("icann_region", "internet_users"), ("un_regional_group", "un_members")):
        guard(
            metrics.coverage(no_host, by, metrics.reference_baseline(base, by)),
            by,
            source=no_host,
            ledger=ledger,
        )
    guard(
        metrics.development_coverage(frame),
        "flag",
        source=frame,
        rules=Rules(indicator=True),
        ledger=ledger,
    )
    return 4


def _stakeholder(frame: pd.DataFrame, ledger: Path) -> int:
    guard(
        metrics.coverage(frame, "stakeholder_group"),
        "stakeholder_group",
        source=frame,
        ledger=ledger,
    )
    grid = metrics.coverage(
        frame, ["icann_region", "stakeholder_group"], within="icann_region", include_unknown=False
    )
    guard(grid, ["icann_region", "stakeholder_group"], source=frame, ledger=ledger)
    guard(metrics.coverage(frame, "community"), "community", source=frame, ledger=ledger)
    modes = metrics.coverage(frame, ["attendance_mode", "newcomer"], include_unknown=False)
    guard(modes, ["attendance_mode", "newcomer"], source=frame, ledger=ledger)
    return 4


def demo_report_set(frame: pd.DataFrame, folder: Path) -> dict:
    ledger = folder / f"ledger-{time.perf_counter_ns()}.jsonl"
    start = time.perf_counter()
    tables = _regional(frame, ledger)
    tables += _regional(frame[frame["event"] == IGF], ledger, host="NO")
    tables += _stakeholder(frame, ledger)
    return {"tables": tables, "seconds": time.perf_counter() - start}


def wide_table(rows: int = 50, cols: int = 8, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    values = rng.choice(
        [0, 1, 2, 3, 4, 6, 9, 15, 30, 80],
        size=(rows, cols),
        p=[0.1, 0.1, 0.08, 0.07, 0.05, 0.1, 0.1, 0.15, 0.15, 0.1],
    )
    table = pd.DataFrame(
        [(f"r{i}", f"c{j}", int(values[i, j])) for i in range(rows) for j in range(cols)],
        columns=["row", "col", "count"],
    )
    start = time.perf_counter()
    safe = guard(table, ["row", "col"])
    seconds = time.perf_counter() - start
    primary = int(((table["count"] > 0) & (table["count"] < 5)).sum())
    return {
        "cells": rows * cols,
        "primary": primary,
        "hidden": int(safe.hidden_rows.sum()),
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.disclosure", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        frame = _demo(Path(tmp))
        demo = [demo_report_set(frame, Path(tmp)) for _ in range(args.repeat)]
    wide = [wide_table(seed=i) for i in range(args.repeat)]
    print(
        f"demo report set   {demo[0]['tables']} tables, {len(frame):,} rows   "
        f"{statistics.median(d['seconds'] for d in demo):.2f} s (median of {args.repeat})"
    )
    print(
        f"50 x 8 + margins  {wide[0]['cells']} cells, {wide[0]['primary']} small, {wide[0]['hidden']} hidden   "
        f"{statistics.median(w['seconds'] for w in wide):.2f} s (median of {args.repeat} seeds)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
