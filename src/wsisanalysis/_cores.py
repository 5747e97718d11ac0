"""Pure-Python work split over two cores by a forked child, for loops the GIL keeps on one.

The keyed hash of a million e-mails is a Python loop (``hashlib`` holds the GIL for short
inputs), so threads cannot share it and a process pool would pickle every string twice. A
forked child already holds the values: it computes the second half into shared memory while
the parent computes the first. The result is the same bytes as one serial call; if the child
fails for any reason, the parent computes its half too.

Forking is used only where it is safe and worth it: on Linux (macOS's system frameworks are
not safe to use in a forked child, which is why Python's own default there is to spawn), with
at least two usable cores, for at least :data:`MIN_ITEMS` items. The child touches nothing but the values
and leaves with ``os._exit``: no ``atexit`` handler, buffered output or open file of the parent
runs or is flushed twice.
"""

from __future__ import annotations

import mmap
import os
import signal
import sys
from collections.abc import Callable

#: Below this many items a fork (~5 ms with a large heap) costs more than half the loop saves.
MIN_ITEMS = 200_000

Work = Callable[[int, int], bytes | bytearray]


def usable_cores() -> int:
    """Cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _forks_safely() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def over_two_cores(work: Work, count: int, width: int) -> bytearray:
    """``work(0, count)``, with ``work(half, count)`` run by a forked child when worth it.

    `work(start, stop)` must return exactly `width` bytes per item of ``range(start, stop)``
    and depend on nothing but its arguments, so that the halves can be joined.
    """
    if count < MIN_ITEMS or not _forks_safely() or usable_cores() < 2:
        return bytearray(work(0, count))
    half = count // 2
    shared = mmap.mmap(-1, (count - half) * width)  # anonymous and shared with the child
    try:
        return _joined(work, half, count, shared)
    finally:
        shared.close()


def _joined(work: Work, half: int, count: int, shared: mmap.mmap) -> bytearray:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines run in another process
        _child(work, half, count, shared)
    try:
        out = bytearray(work(0, half))
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        out += shared
    else:  # the child failed: its half is computed here, so the result never depends on it
        out += work(half, count)
    return out


def _child(work: Work, start: int, stop: int, shared: mmap.mmap) -> None:  # pragma: no cover
    code = 1
    try:
        part = work(start, stop)
        if len(part) == len(shared):
            shared[:] = part
            code = 0
    finally:
        os._exit(code)
