"""What the cleaning process gives back to the system as it goes.

Cleaning a large export makes and frees many temporary columns of a few MiB (numpy arrays,
arrow buffers are separate: the CLI has arrow return them at once). glibc serves blocks
over its mmap threshold from their own mappings, returned on free, but raises that threshold
after each such free, up to 32 MiB: from then on every temporary column is carved from the
heap, and the heap keeps what it frees. At 1M rows that was ~100 MB held at the peak
(benchmarks/README.md, issue #14).

The other way round, glibc gives the top of its heap back whenever 128 KiB are free there,
and the next column faults the same pages in again: at 1M rows that was 2.0 of 5.9 s spent
in the kernel. A cleaning process keeps a pad at the top instead (:func:`keep_heap_top`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import sys

#: glibc's ``M_MMAP_THRESHOLD`` parameter of ``mallopt``.
M_MMAP_THRESHOLD = -3
#: Blocks this large or larger get their own mapping (glibc's own starting value, kept fixed).
MMAP_THRESHOLD = 128 * 1024
#: glibc's ``M_TOP_PAD`` parameter of ``mallopt``.
M_TOP_PAD = -2
#: Free memory kept at the top of the heap by :func:`keep_heap_top` (glibc keeps 128 KiB).
HEAP_TOP_PAD = 128 << 20


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at 128 KiB for the rest of the process, so large freed
    blocks go back to the system at once; whether it was set (False off glibc).

    Setting the threshold only stops glibc from raising it: allocation results do not
    change, and blocks under 128 KiB are served as before.
    """
    return _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def keep_heap_top(pad: int = HEAP_TOP_PAD) -> bool:
    """Have glibc keep up to `pad` bytes free at the top of its heap instead of returning
    them; whether it was set (False off glibc, or when the user set ``MALLOC_TOP_PAD_``).

    For a process that cleans one large export and exits: at 1M rows it costs ~35 MB of
    peak and saves ~0.9 s of page faults (benchmarks/README.md). A long-lived process (a
    notebook's kernel) is better off without it.
    """
    if "MALLOC_TOP_PAD_" in os.environ:
        return False
    return _mallopt(M_TOP_PAD, pad)


def _mallopt(parameter: int, value: int) -> bool:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:  # pragma: no cover - a glibc system without a loadable libc
        return False
    return bool(libc.mallopt(parameter, value))
