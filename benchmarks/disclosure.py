"""``python -m benchmarks.disclosure``: how long the disclosure audit takes.

1. The demo report set: the tables the report notebooks publish from the demo's clean data
   (regional coverage for all events and for one event without its host, stakeholder coverage),
   guarded in notebook order into one ledger, as the runner would.
2. A 50 × 8 table with both margins, guarded alone, on seeded skewed counts (many small cells).
3. A weekly run (``--weeks N``): the demo report set published as one scheduled run N weeks
   running, the data growing by 5-40 registrations a week, so that every table is compared
   with every earlier week. The baseline is week 1 of the same run (nothing to compare with).

Each figure is the wall time of :func:`~wsisanalysis.metrics.disclosure.guard` (suppression,
linear-programming audit and repair, ledger), median of `repeat` runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis import metrics
from wsisanalysis.metrics.disclosure import Rules, guard
from wsisanalysis.metrics.disclosure.ledger import Run

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


#: The wall time of each guard call of the last report set.
_CALLS: list[float] = []


def _guard(table: pd.DataFrame, by: str | list[str], *, source: pd.DataFrame, ledger: Path,
           rules: Rules | None = None, run: Run | None = None) -> None:  # fmt: skip
    """:func:`guard` as the report notebooks call it (named after `by`, in `run`), timed."""
    name = by if isinstance(by, str) else "/".join(by)
    rules = dataclasses.replace(rules or Rules(), run=run, name=name)
    start = time.perf_counter()
    guard(table, by, source=source, rules=rules, ledger=ledger)
    _CALLS.append(time.perf_counter() - start)


def _regional(frame: pd.DataFrame, ledger: Path, host: str = "", run: Run | None = None) -> int:
    """The tables of 20-regional-coverage, in notebook order; returns how many."""
    country = Rules(keys={"iso2": "country_iso2"})
    _guard(
        metrics.country_counts(frame),
        ["icann_region", "un_regional_group", "iso2"],
        source=frame,
        rules=country,
        ledger=ledger,
        run=run,
    )
    no_host = metrics.exclude_host(frame, host)
    for by, base in (("icann_region", "internet_users"), ("un_regional_group", "un_members")):
        _guard(
            metrics.coverage(no_host, by, metrics.reference_baseline(base, by)),
            by,
            source=no_host,
            ledger=ledger,
            run=run,
        )
    _guard(
        metrics.development_coverage(frame),
        "flag",
        source=frame,
        rules=Rules(indicator=True),
        ledger=ledger,
        run=run,
    )
    return 4


def _stakeholder(frame: pd.DataFrame, ledger: Path, run: Run | None = None) -> int:
    _guard(
        metrics.coverage(frame, "stakeholder_group"),
        "stakeholder_group",
        source=frame,
        ledger=ledger,
        run=run,
    )
    grid = metrics.coverage(
        frame, ["icann_region", "stakeholder_group"], within="icann_region", include_unknown=False
    )
    _guard(grid, ["icann_region", "stakeholder_group"], source=frame, ledger=ledger, run=run)
    _guard(metrics.coverage(frame, "community"), "community", source=frame, ledger=ledger, run=run)
    modes = metrics.coverage(frame, ["attendance_mode", "newcomer"], include_unknown=False)
    _guard(modes, ["attendance_mode", "newcomer"], source=frame, ledger=ledger, run=run)
    return 4


def demo_report_set(frame: pd.DataFrame, folder: Path) -> dict:
    ledger = folder / f"ledger-{time.perf_counter_ns()}.jsonl"
    start = time.perf_counter()
    tables = _regional(frame, ledger)
    tables += _regional(frame[frame["event"] == IGF], ledger, host="NO")
    tables += _stakeholder(frame, ledger)
    return {"tables": tables, "seconds": time.perf_counter() - start}


def weekly_run(frame: pd.DataFrame, folder: Path, weeks: int, seed: int = 0) -> list[dict]:
    """The demo report set as a scheduled run, `weeks` executions on growing data."""
    from wsisanalysis.reporting.tables import load_clean

    rng, ledger, out = np.random.default_rng(seed), folder / "weekly" / "ledger.jsonl", []
    data = frame.reset_index(drop=True)
    for week in range(1, weeks + 1):
        new = data.sample(int(rng.integers(5, 40)), random_state=week).copy()
        new["participant_id"] = [f"p_w{week}_{i:04d}" for i in range(len(new))]
        data = pd.concat([data, new], ignore_index=True)
        (folder / f"week{week}").mkdir(parents=True)
        data.to_parquet(folder / f"week{week}" / "participation.parquet")
        week_frame = load_clean(folder / f"week{week}")
        run = Run("weekly", f"2026-01-{week:02d}T06:00:00+00:00")
        _CALLS.clear()
        _cold()  # each week's pages run in new kernels: nothing kept from the week before
        start = time.perf_counter()
        tables = _regional(week_frame, ledger, run=run) + _stakeholder(week_frame, ledger, run=run)
        out.append({"week": week, "rows": len(week_frame), "tables": tables,
                    "seconds": time.perf_counter() - start, "slowest": max(_CALLS)})  # fmt: skip
    return out


def _cold() -> None:
    """Forget what the guard keeps per process (earlier records, earlier answers)."""
    from wsisanalysis.metrics.disclosure import snapshots

    snapshots._kept_records.cache_clear()
    snapshots._NARROW.clear()


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
    parser.add_argument("--weeks", type=int, default=0, help="also a weekly run of N weeks")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")  # the ledgers' private halves
        frame = _demo(Path(tmp))
        demo = [demo_report_set(frame, Path(tmp)) for _ in range(args.repeat)]
        weekly = weekly_run(frame, Path(tmp), args.weeks) if args.weeks else []
    wide = [wide_table(seed=i) for i in range(args.repeat)]
    print(
        f"demo report set   {demo[0]['tables']} tables, {len(frame):,} rows   "
        f"{statistics.median(d['seconds'] for d in demo):.2f} s (median of {args.repeat})"
    )
    print(
        f"50 x 8 + margins  {wide[0]['cells']} cells, {wide[0]['primary']} small, {wide[0]['hidden']} hidden   "
        f"{statistics.median(w['seconds'] for w in wide):.2f} s (median of {args.repeat} seeds)"
    )
    for w in weekly:
        print(
            f"weekly run, week {w['week']:>2}  {w['tables']} tables, {w['rows']:,} rows   "
            f"{w['seconds']:.2f} s, slowest guard {w['slowest']:.2f} s"
            + (f"   ({w['seconds'] / weekly[0]['seconds']:.1f}x week 1)" if w["week"] > 1 else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
