"""What the cleaning process gives back to the system as it goes.

Cleaning a large export makes and frees many temporary columns of a few MiB (numpy arrays,
arrow buffers are separate: the CLI has arrow return them at once). glibc serves blocks
over its mmap threshold from their own mappings, returned on free, but raises that threshold
after each such free, up to 32 MiB: from then on every temporary column is carved from the
heap, and the heap keeps what it frees. At 1M rows that was ~100 MB held at the peak
(benchmarks/README.md, issue #14).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys

#: glibc's ``M_MMAP_THRESHOLD`` parameter of ``mallopt``.
M_MMAP_THRESHOLD = -3
#: Blocks this large or larger get their own mapping (glibc's own starting value, kept fixed).
MMAP_THRESHOLD = 128 * 1024


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at 128 KiB for the rest of the process, so large freed
    blocks go back to the system at once; whether it was set (False off glibc).

    Setting the threshold only stops glibc from raising it: allocation results do not
    change, and blocks under 128 KiB are served as before.
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:  # pragma: no cover - a glibc system without a loadable libc
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
