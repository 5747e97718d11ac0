"""Event names that differ only in case, spacing or punctuation are one event.

Names are clustered by key collision on OpenRefine's *fingerprint* (lower-cased, accents and
punctuation removed, words de-duplicated and sorted): "ICANN 82 - Seattle", "icann 82 seattle"
and "Seattle ICANN 82" meet. Each cluster takes its most frequent spelling (the first seen on
a tie); every merge is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsisanalysis._text import fold


def fingerprint(name: str) -> str:
    """OpenRefine's key-collision fingerprint of `name`.

    >>> fingerprint("  WSIS+20 Forum: ICANN Day-0 ") == fingerprint("ICANN day 0 - wsis 20 forum")
    True
    """
    return " ".join(sorted(set(fold(name).split())))


@dataclass(frozen=True)
class EventMerge:
    """Spellings of one event merged into the name kept."""

    event: str
    variants: list[str]
    rows: int


def cluster_events(events: pd.Series) -> tuple[pd.Series, list[EventMerge]]:
    """Replace each event name by its cluster's most frequent spelling; list the merges.

    Works once per distinct name. Does not modify `events`.

    >>> names = pd.Series(["ICANN 82", "icann  82", "ICANN 82", "IGF 2025"])
    >>> merged, merges = cluster_events(names)
    >>> merged.tolist(), [(m.event, m.variants, m.rows) for m in merges]
    (['ICANN 82', 'ICANN 82', 'ICANN 82', 'IGF 2025'], [('ICANN 82', ['icann  82'], 1)])
    """
    codes, uniques = pd.factorize(events, use_na_sentinel=True)
    if len(uniques) < 2:
        return events, []
    names = [str(u) for u in uniques]
    rows = np.bincount(codes[codes >= 0], minlength=len(names))
    target, merges = cluster_names(names, rows)
    if not merges:
        return events, []
    values = np.array([*(names[t] for t in target), None], dtype=object)[codes]
    return pd.Series(values, index=events.index, dtype="str", name=events.name), merges


def cluster_names(names: list[str], rows: np.ndarray) -> tuple[np.ndarray, list[EventMerge]]:
    """For distinct names in order of first appearance, with their row counts: the position
    of the name each one becomes, and the merges (what :func:`cluster_events` does per row).

    >>> target, merges = cluster_names(["ICANN 82", "icann 82"], np.array([1, 2]))
    >>> target.tolist(), [(m.event, m.variants, m.rows) for m in merges]
    ([1, 1], [('icann 82', ['ICANN 82'], 1)])
    """
    clusters: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        clusters.setdefault(fingerprint(name), []).append(i)
    target = np.arange(len(names))
    merges = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        keep = max(members, key=lambda i: (rows[i], -i))
        target[members] = keep
        variants = [names[i] for i in members if i != keep]
        merged_rows = int(sum(rows[i] for i in members if i != keep))
        merges.append(EventMerge(names[keep], variants, merged_rows))
    return target, merges
