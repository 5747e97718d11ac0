"""The command line alone: ``wsisanalysis clean | inspect | report | demo`` (DESIGN §3.5).

It parses arguments, calls the library, prints results and chooses the exit code; the library
returns results and raises errors, and never prints.

Exit codes: 0 success, 1 a wsisanalysis error (message without traceback; ``--debug`` shows
one), 2 a usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wsisanalysis._version import __version__
from wsisanalysis.errors import WsisAnalysisError

if TYPE_CHECKING:
    from wsisanalysis.clean import Inspection

#: --max-quarantined's default, as in :mod:`wsisanalysis.clean.quality` (not imported here:
#: the command line starts without loading pandas).
DEFAULT_MAX_QUARANTINED = 5.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsisanalysis",
        description="Clean participation and engagement exports and publish coverage reports.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_clean(sub)
    _add_inspect(sub)
    _add_report(sub)
    _add_demo(sub)
    return parser


def _add_clean(sub: argparse._SubParsersAction) -> None:
    clean = sub.add_parser(
        "clean", help="clean exports into DIR/<kind>.parquet (+ quarantine and log)"
    )
    clean.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="export files: CSV/TXT/TSV, XLSX/XLS or Parquet"
    )
    clean.add_argument(
        "--kind",
        required=True,
        choices=["participation", "engagement"],
        help="what the exports record",
    )
    clean.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output folder (keep it out of git: it holds the quarantine)",
    )
    clean.add_argument(
        "--mapping", metavar="FILE", help="YAML or TOML file with extra header and label mappings"
    )
    clean.add_argument(
        "--strict",
        action="store_true",
        help="fail when any label cannot be resolved or a warning is raised",
    )
    clean.add_argument(
        "--engine",
        choices=["pandas", "duckdb"],
        default="pandas",
        help="pandas (default: in memory) or duckdb (bounded memory, spills to disk; "
        "needs the duckdb extra)",
    )
    clean.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="DuckDB's memory limit, e.g. 4GB (--engine duckdb only; default 1GB)",
    )
    _add_file_options(clean)
    clean.add_argument(
        "--max-quarantined",
        type=float,
        default=DEFAULT_MAX_QUARANTINED,
        metavar="PCT",
        help="warn when more than PCT%% of an export's rows are quarantined (default: 5)",
    )


def _add_file_options(command: argparse.ArgumentParser) -> None:
    """Options `clean` and `inspect` share: the event, and the order of nn/nn/yyyy dates."""
    command.add_argument(
        "--event",
        metavar="NAME",
        help="event of exports with no event column (default: the name the export gives, "
        "else the file name)",
    )
    order = command.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        help="read nn/nn/yyyy as day/month",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read nn/nn/yyyy as month/day",
    )


def _add_inspect(sub: argparse._SubParsersAction) -> None:
    inspect = sub.add_parser(
        "inspect",
        help="dry run: how each export would be read and cleaned (writes nothing)",
    )
    inspect.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="export files: CSV/TXT/TSV, XLSX/XLS or Parquet"
    )
    inspect.add_argument(
        "--kind",
        default="participation",
        choices=["participation", "engagement"],
        help="what the exports record (default: participation)",
    )
    inspect.add_argument(
        "--mapping", metavar="FILE", help="YAML or TOML file with extra header and label mappings"
    )
    _add_file_options(inspect)


def _add_report(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report", help="run notebooks with papermill and export HTML snapshots"
    )
    report.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help="run this notebook once, with its defaults plus -p (a stem such as "
        "20-regional-coverage, a path, or NOTEBOOK__SLUG for one entry of notebooks/runs.toml)",
    )
    report.add_argument(
        "--all", action="store_true", help="run every entry of notebooks/runs.toml"
    )
    report.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter",
    )
    report.add_argument("--params", metavar="FILE", help="TOML or YAML file of parameters")
    report.add_argument(
        "--out", default=None, metavar="DIR", help="report folder (default: reports/)"
    )
    report.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="runs in parallel (default: number of cores, at most 2)",
    )
    report.add_argument(
        "--runs", default=None, metavar="FILE", help="run list (default: notebooks/runs.toml)"
    )
    report.add_argument(
        "--slug",
        default=None,
        help="name the output NOTEBOOK__SLUG.html (default: from the parameters)",
    )
    report.add_argument(
        "--pdf",
        action="store_true",
        help="also print each page to a PDF beside it (needs chromium and wsisanalysis[pdf])",
    )
    report.add_argument(
        "--keep",
        type=int,
        default=None,
        metavar="N",
        help="keep the newest N dated snapshots of each run (default: keep in runs.toml, else all)",
    )
    report.add_argument(
        "--assets",
        choices=["inline", "shared"],
        default="inline",
        help="inline: plotly.js inside each page with a chart (opens offline, e-mail); "
        "shared: one copy in DIR/assets linked by every page (for a web server)",
    )


def _add_demo(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="write the synthetic messy demo exports")
    demo.add_argument(
        "--out",
        default="data/raw/demo",
        metavar="DIR",
        help="folder for the demo files (default: data/raw/demo)",
    )
    demo.add_argument("--seed", type=int, default=20251216, help="random seed (default: 20251216)")


def _lean_allocator() -> None:
    """Tune the allocators for one large cleaning run (this process is ours to tune).

    Arrow's default allocator (mimalloc) keeps freed blocks for reuse, so every temporary
    column of a cleaning step stays in the peak: 1M rows peaked at 839 MB with it and
    686 MB with jemalloc returning memory immediately (benchmarks/README.md). Only before
    pyarrow is first imported, on Linux (where the wheels carry jemalloc), and never over a
    user's own ARROW_DEFAULT_MEMORY_POOL.

    glibc, which numpy and Python allocate from, keeps a pad at the top of its heap
    (:func:`~wsisanalysis.clean.memory.keep_heap_top`).
    """
    if "pyarrow" in sys.modules or not sys.platform.startswith("linux"):
        return
    if os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc") == "jemalloc":
        import pyarrow as pa

        if pa.default_memory_pool().backend_name == "jemalloc":
            pa.jemalloc_set_decay_ms(0)
    from wsisanalysis.clean.memory import keep_heap_top  # imports pyarrow: after the pool

    keep_heap_top()


def _clean(args: argparse.Namespace) -> int:
    _lean_allocator()
    options: dict[str, Any] = {
        "mapping": args.mapping,
        "dayfirst": args.dayfirst,
        "strict": args.strict,
    }
    if args.engine == "duckdb":
        from wsisanalysis.clean.duckdb_engine import clean_files_duckdb

        log, paths = clean_files_duckdb(
            args.inputs, args.kind, args.out, memory_limit=args.memory_limit, event=args.event,
            max_quarantined=args.max_quarantined, **options,
        )  # fmt: skip
    else:
        from wsisanalysis.clean import clean_files

        result, paths = clean_files(
            args.inputs, args.kind, args.out, event=args.event,
            max_quarantined=args.max_quarantined, **options,
        )  # fmt: skip
        log = result.log
    print(
        f"{args.kind}: {log.rows_in} rows in -> {log.rows_clean} clean, "
        f"{log.rows_quarantined} quarantined, {log.duplicates_merged} duplicates merged"
    )
    for file in log.files:
        if file.shape != "generic" or file.event.get("name"):
            print(
                f"  {file.file}: {file.shape}; event {file.event.get('name')!r} ({file.event.get('source')})"
            )
    for name, counts in log.attendance.items():
        if counts["attended"] or counts["not_attended"]:
            print(
                f"  {name}: {counts['records']} registrations, {counts['attended']} attended, "
                f"{counts['not_attended']} did not (no-shows, cancelled), {counts['unknown']} unknown"
            )
    if log.unresolved:
        print(
            f"{len(log.unresolved)} labels unresolved (listed in {paths['log']}); add them to a --mapping file"
        )
    for name, path in paths.items():
        print(f"  {name}: {path}")
    for warning in log.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _print_inspection(item: Inspection) -> None:
    """One export's dry run, as `wsisanalysis inspect` shows it."""
    print(item.file)
    print(f"  shape: {item.shape}")
    read_as = [
        item.format,
        item.encoding or "",
        f"delimiter {item.delimiter!r}" if item.delimiter else "",
    ]
    print(
        f"  read: {', '.join(p for p in read_as if p)}; header on row {item.header_row}; {item.rows} rows"
    )
    print(
        f"  event: {item.event!r} ({item.event_source})"
        if item.event
        else f"  event: {item.event_source}"
    )
    for name, rows in list(item.events.items())[:5]:
        print(f"    {name!r}: {rows} records")
    d = item.dates
    if d.get("first"):
        order = d.get("order_evidence", "none")
        order = f"; day/month order: {order}" if order != "none" else ""
        print(
            f"  dates: {d['first']} to {d['last']} (from {d['source']}; {d['missing']} missing{order})"
        )
    elif d:
        print(f"  dates: none ({d['missing']} records without a date)")
    print("  columns:")
    width = max((len(c.header) for c in item.columns), default=0)
    for column in item.columns:
        print(f"    {column.header:<{width}} -> {column.column or '-':<18} {column.why}")
    if item.error:
        print(f"  cannot be cleaned as it is: {item.error}")
        return
    o = item.outcome
    print(
        f"  would clean: {o['rows_clean']} clean, {o['rows_quarantined']} quarantined, {o['duplicates_merged']} merged"
    )
    if item.attendance and (item.attendance["attended"] or item.attendance["not_attended"]):
        a = item.attendance
        print(
            f"  attendance: {a['attended']} attended, {a['not_attended']} did not, {a['unknown']} unknown"
        )
    for label in item.unresolved:
        print(f"  unresolved {label['column']}: {label['label']!r} ({label['rows']} rows)")
    for warning in item.warnings:
        print(f"  warning: {warning}")


def _inspect(args: argparse.Namespace) -> int:
    from wsisanalysis.clean import inspect_files

    found = inspect_files(
        args.inputs, args.kind, mapping=args.mapping, event=args.event, dayfirst=args.dayfirst
    )
    for item in found:
        _print_inspection(item)
    print("(dry run: nothing was written)")
    return 0


def _run_line(m: dict[str, Any], done: int, total: int) -> str:
    """One line per finished run: where its HTML is, or why it failed."""
    detail = f"-> {m['html']}" if m["status"] == "ok" else f"FAILED: {m.get('error', '')}"
    return f"[{done}/{total}] {m['run']}: {m['status']} in {m['duration_s']} s {detail}"


class _Progress:
    """A progress bar on stderr while reports run (a terminal only, after 2 s), with the
    per-run lines printed above it."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(desc="reports", unit="run", delay=2, disable=None, file=sys.stderr,
                        bar_format="{desc}: {n}/{total} runs, {elapsed} elapsed {bar}")  # fmt: skip
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):  # keep the elapsed time moving between runs
            self.bar.refresh()

    def done(self, manifest: dict[str, Any], done: int, total: int) -> None:
        self.bar.total = total
        self.bar.write(_run_line(manifest, done, total), file=sys.stdout)
        self.bar.update()

    def close(self) -> None:
        self._stop.set()
        self.bar.close()


def _report(args: argparse.Namespace) -> int:
    from wsisanalysis.reporting.runner import run_reports

    progress = _Progress()
    try:
        summary = run_reports(
            notebooks=args.notebooks,
            run_all=args.all,
            parameters=args.parameter,
            params_file=args.params,
            out_dir=args.out,
            jobs=args.jobs,
            runs_file=args.runs,
            on_done=progress.done,
            slug=args.slug,
            pdf=args.pdf,
            assets=args.assets,
            keep=args.keep,
        )
    finally:
        progress.close()
    ok = len(summary.manifests) - len(summary.failed)
    print(
        f"{ok} of {len(summary.manifests)} report(s) written in {summary.seconds:.1f} s; index: {summary.index}"
    )
    if summary.failed:
        names = ", ".join(m["run"] for m in summary.failed)
        print(
            f"error: {len(summary.failed)} run(s) failed: {names}. "
            f"Executed notebooks are kept in {summary.out_dir / 'executed'}.",
            file=sys.stderr,
        )
        return 1
    return 0


def _demo(args: argparse.Namespace) -> int:
    from wsisanalysis.demo import write_demo

    paths = write_demo(args.out, seed=args.seed)
    print(f"wrote {len(paths)} synthetic demo exports to {args.out}")
    for path in paths:
        print(f"  {path}")
    return 0


def _check_report_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not args.notebooks and not args.all:
        parser.error("report: name one or more notebooks, or pass --all")
    if args.notebooks and args.all:
        parser.error(
            "report: name notebooks or pass --all (runs every entry of runs.toml), not both"
        )
    if args.slug is not None and (args.all or len(args.notebooks) > 1):
        parser.error("report: --slug names the output of one notebook's run; name exactly one")


def _os_message(exc: OSError) -> str:
    """What went wrong with which path, and what to do."""
    name = exc.filename if exc.filename is not None else "a file"
    what = exc.strerror or type(exc).__name__
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        advice = "Pass a folder for --out (not a file), or remove the file in the way."
    elif isinstance(exc, PermissionError):
        advice = "Check its permissions, or choose another path."
    elif isinstance(exc, FileNotFoundError):
        advice = "Check the path."
    else:
        advice = "Check the path, the free space and the permissions."
    return f"{name}: {what}. {advice}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    if args.command == "report":
        _check_report_args(parser, args)
    if args.command == "clean" and args.memory_limit and args.engine != "duckdb":
        parser.error("clean: --memory-limit applies to --engine duckdb only")
    handler = {"clean": _clean, "inspect": _inspect, "report": _report, "demo": _demo}[
        args.command
    ]
    try:
        return handler(args)
    except WsisAnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder the user named: missing, unwritable, wrong kind
        if args.debug:
            raise
        print(f"error: {_os_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
