"""RSS per stage of a pandas-path clean, in process, as the CLI runs it (issue #14).

``python -m benchmarks.stages benchmarks/data/participation_1000000.csv /tmp/out``

A thread samples ``VmRSS`` every 2 ms; each pipeline function, parser, rule and column step
is wrapped to print the RSS before it, the highest sampled while it ran, and after it (MB,
the interpreter's own ~145 MB included). The key is ``WSISANALYSIS_KEY`` (set to
"benchmark" when unset), so nothing is written outside the output folder.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

_PIPELINE = ("read_tables", "_prepare", "_clean_one", "_combine", "_quarantine_table",
             "assign_reasons", "record_ids", "tag_free_text", "scrub_emails",
             "add_reference", "as_categories", "_merge_event_spellings", "_attendance")  # fmt: skip


def rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:  # noqa: PTH123
        return next(int(line.split()[1]) // 1024 for line in handle if line.startswith("VmRSS"))


class Tracer:
    """Wraps functions; collects (depth, label, before, highest, after) per call."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, int, int, int]] = []
        self.highest, self.depth = 0, 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.highest = max(self.highest, rss_mb())
            time.sleep(0.002)

    def wrap(self, label: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def traced(*args: Any, **kwargs: Any) -> Any:
            before, outer = rss_mb(), self.highest
            self.highest, self.depth = before, self.depth + 1
            try:
                return func(*args, **kwargs)
            finally:
                self.depth -= 1
                self.rows.append((self.depth, label, before, self.highest, rss_mb()))
                self.highest = max(outer, self.highest)

        return traced


def _traced_spec(tracer: Tracer, spec: Any) -> Any:
    def named(prefix: str, funcs: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(tracer.wrap(f"{prefix} {i} {getattr(f, '__name__', '?')}", f)
                     for i, f in enumerate(funcs))  # fmt: skip

    rules = tuple(dataclasses.replace(r, fails=tracer.wrap(f"rule {r.reason.value}", r.fails))
                  for r in spec.rules)  # fmt: skip
    return dataclasses.replace(spec, parsers=named("parser", spec.parsers),
                               steps=named("step", spec.steps), rules=rules,
                               duplicated=tracer.wrap("dedupe", spec.duplicated))  # fmt: skip


def main(csv: str, out: str, kind: str = "participation") -> None:
    os.environ.setdefault("WSISANALYSIS_KEY", "benchmark")
    from wsisanalysis import cli

    cli._lean_allocator()  # as `wsisanalysis clean` sets it, before pyarrow is imported
    from wsisanalysis.clean import pipeline, result

    tracer = Tracer()
    print(f"after imports: {rss_mb()} MB")
    spec_of = pipeline.kind_spec
    pipeline.kind_spec = lambda name: _traced_spec(tracer, spec_of(name))
    for name in _PIPELINE:
        setattr(pipeline, name, tracer.wrap(name, getattr(pipeline, name)))
    result.CleaningResult.write = tracer.wrap("write", result.CleaningResult.write)
    pipeline.clean_tables = tracer.wrap("clean_tables", pipeline.clean_tables)
    started = time.perf_counter()
    pipeline.clean_files([csv], kind, out)
    print(f"done in {time.perf_counter() - started:.1f} s")
    print(f"{'stage':44s} {'before':>7s} {'highest':>7s} {'after':>7s}  (MB)")
    for depth, label, before, highest, after in tracer.rows:
        print(f"{'  ' * depth + label:44s} {before:7d} {highest:7d} {after:7d}")


if __name__ == "__main__":
    main(*sys.argv[1:])
