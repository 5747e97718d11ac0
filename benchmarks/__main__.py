"""``python -m benchmarks``: run the benchmarks, print a table, write JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.run import parse_size, render, run

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--sizes", default="100k,1M", help="comma-separated row counts (default: 100k,1M)"
    )
    parser.add_argument(
        "--workdir",
        default=str(ROOT / "benchmarks" / "data"),
        help="where generated data goes (git-ignored)",
    )
    parser.add_argument(
        "--out",
        default=str(ROOT / "benchmarks" / "results" / "latest.json"),
        help="JSON results file",
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak-memory child process"
    )
    parser.add_argument("--no-report", action="store_true", help="skip the report timings")
    parser.add_argument(
        "--make-report", action="store_true", help="also time `make report` as a whole, here and in a fresh clone (set-up included)"
    )
    parser.add_argument(
        "--ten-million",
        action="store_true",
        help="also clean and aggregate 10M rows (peak memory), and 10M engagement rows on DuckDB",
    )
    parser.add_argument(
        "--hundred-million",
        action="store_true",
        help="also clean 100M engagement rows on DuckDB (a ~10 GB file, generated once; slow)",
    )
    args = parser.parse_args(argv)
    results = run(
        [parse_size(s) for s in args.sizes.split(",") if s],
        workdir=Path(args.workdir),
        memory=not args.no_memory,
        report=not args.no_report,
        make_report=args.make_report,
        ten_million=args.ten_million,
        hundred_million=args.hundred_million,
    )
    print(render(results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
