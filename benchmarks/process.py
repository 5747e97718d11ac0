"""Whole-process measurements: what a user waits for and what the machine must hold.

A command runs in a fresh process; its wall time covers interpreter start, imports, reading,
cleaning and writing. Its memory is sampled from ``/proc/<pid>/status`` every few
milliseconds: ``VmHWM`` (the process's own high-water mark, which ``exec`` resets, unlike
``ru_maxrss``) gives the peak, ``VmRSS`` the trace. The baseline is a plain
``pandas.read_csv`` process on the same file, run alternately with the command in the same
run, so a busy shared machine slows both.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE_MAX_ROWS = 10_000_000
READ_CSV = "import sys, pandas; pandas.read_csv(sys.argv[1])"  # a plain read, as a user would


def _status(pid: int) -> dict[str, int]:
    fields = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:  # noqa: PTH123 - hot loop
            for line in handle:
                if line.startswith(("VmHWM", "VmRSS")):
                    name, value = line.split(":", 1)
                    fields[name] = int(value.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return fields


def measure(cmd: list[str], *, env: dict[str, str] | None = None, interval: float = 0.005) -> dict:
    """Run `cmd` to completion; return its wall time, peak RSS and an RSS trace (bytes)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak, trace = 0, []
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # the child's own CPU time
        if pid:
            break
        fields = _status(proc.pid)
        if "VmHWM" in fields:  # a zombie's status has no memory lines
            peak = max(peak, fields["VmHWM"])
            trace.append((round(time.perf_counter() - start, 3), fields["VmRSS"]))
        time.sleep(interval)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        msg = f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}"
        raise RuntimeError(msg)
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss": peak, "trace": trace}


def clean_command(csv: Path, out: Path, *, kind: str = "participation", engine: str = "pandas",
                  memory_limit: str | None = None) -> list[str]:  # fmt: skip
    """``wsisanalysis clean`` of `csv` as a user types it."""
    cmd = [sys.executable, "-m", "wsisanalysis", "clean", str(csv), "--kind", kind]
    cmd += ["--out", str(out)] + (["--engine", engine] if engine != "pandas" else [])
    return cmd + (["--memory-limit", memory_limit] if memory_limit else [])


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_whole_process(csv: Path, rows: int, workdir: Path, *, repeat: int = 3,  # noqa: PLR0913
                        kind: str = "participation", engine: str = "pandas",
                        memory_limit: str | None = None) -> dict:  # fmt: skip
    """``wsisanalysis clean`` against a ``pandas.read_csv`` process, alternately, `repeat` times."""
    env = {**os.environ, "WSISANALYSIS_KEY": os.environ.get("WSISANALYSIS_KEY", "benchmark")}
    reads, cleans = [], []
    for i in range(repeat):
        if rows <= BASELINE_MAX_ROWS:  # past that, read_csv alone would need tens of GB
            reads.append(measure([sys.executable, "-c", READ_CSV, str(csv)], env=env))
        out = workdir / f"process_{kind}_{engine}_{rows}_{i}"
        cleans.append(measure(clean_command(csv, out, kind=kind, engine=engine,
                                            memory_limit=memory_limit), env=env))  # fmt: skip
    size = csv.stat().st_size
    reads = reads or [dict.fromkeys(("seconds", "cpu_seconds", "peak_rss"), float("nan"))] * len(cleans)
    read_s, clean_s = _median(reads, "seconds"), _median(cleans, "seconds")
    peak = _median(cleans, "peak_rss")
    slowest = max(cleans, key=lambda r: r["seconds"])
    return {
        "rows": rows,
        "kind": kind,
        "engine": engine,
        "memory_limit": memory_limit,
        "csv_mb": round(size / 1e6, 1),
        "runs": repeat,
        "read_csv_process_s": round(read_s, 2),
        "clean_process_s": round(clean_s, 2),
        "clean_process_s_all": [round(r["seconds"], 2) for r in cleans],
        "ratio": round(clean_s / read_s, 2),
        # CPU seconds (all threads) move less than wall time when others load the machine
        "cpu_ratio": round(_median(cleans, "cpu_seconds") / _median(reads, "cpu_seconds"), 2),
        "ratios_all": [round(c["seconds"] / r["seconds"], 2) for c, r in zip(cleans, reads, strict=True)],
        "peak_rss_mb": round(peak / 1e6, 1),
        "peak_multiple_of_csv": round(peak / size, 2),
        "read_csv_peak_rss_mb": round(_median(reads, "peak_rss") / 1e6, 1),
        "trace": _thin(slowest["trace"]),
        "command": _shown(clean_command(csv, Path("OUT"), kind=kind, engine=engine,
                                        memory_limit=memory_limit)),
    }


def _shown(cmd: list[str]) -> str:
    """The command as a user types it (``wsisanalysis clean ...``)."""
    return "wsisanalysis " + " ".join(cmd[3:])


def _thin(trace: list[tuple[float, int]], points: int = 40) -> list[tuple[float, float]]:
    """At most `points` samples of an RSS trace, in MB."""
    step = max(1, len(trace) // points)
    return [(t, round(rss / 1e6, 1)) for t, rss in trace[::step]]


def render_trace(trace: list[tuple[float, float]], width: int = 50) -> str:
    """A text plot of an RSS trace (one line per sample)."""
    top = max((mb for _, mb in trace), default=1) or 1
    return "\n".join(f"{t:6.2f} s {mb:7.0f} MB {'#' * round(width * mb / top)}" for t, mb in trace)
