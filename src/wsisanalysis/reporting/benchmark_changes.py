"""What changed on the public-benchmarks page since its previous snapshot (issue #15).

That page shows figures ICANN and the IGF published, not the user's data: its figures change
only when the shipped tables change (a new release of wsisanalysis) or when the run covers
another meeting or IGF year. The section says which, from what the previous snapshot recorded:
the meeting and IGF year covered, the regional and stakeholder-group shares (changes in
percentage points, between the same meeting or year only), and the shipped tables' checksums.
The figures are public, so nothing is suppressed; nothing is recomputed from old data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import pandas as pd

from wsisanalysis import metrics
from wsisanalysis import schema as C
from wsisanalysis.metrics import published
from wsisanalysis.metrics.disclosure import published_aggregate
from wsisanalysis.reporting import history
from wsisanalysis.reporting.changes import (
    INPUTS,
    points,
    previous_snapshot,
    recorded,
    section,
    signed,
)
from wsisanalysis.reporting.tables import Html, sha256, snapshot_record

#: Names of the page's headline tables in a snapshot's ``published.jsonl``.
MEETING, IGF = "headline:icann_meeting", "headline:igf"

_COVERED = {MEETING: "ICANN meeting", IGF: "IGF year"}
_LEGEND = ("These figures were published by ICANN and the IGF and are shown unsuppressed. A change "
           "in a share is given in percentage points and only between the same meeting or IGF year; "
           "where the page now covers another one, the change says which it covered before.")  # fmt: skip


def public_tables(meeting: str, igf_year: int) -> dict[str, pd.DataFrame]:
    """The page's headline tables: the meeting's attendance by ICANN region and the IGF year's
    participants by stakeholder group, each naming what it covers (column ``covers``)."""
    icann = metrics.coverage(published.icann_meeting_attendance(meeting), "icann_region",
                             include_unknown=False)  # fmt: skip
    igf = published.igf_coverage(igf_year)
    return {
        MEETING: icann[["icann_region", "count", "total", "share"]].assign(covers=meeting),
        IGF: igf[["stakeholder_group", "count", "total", "share"]].assign(
            covers=f"IGF {igf_year}"
        ),
    }


def shipped_inputs() -> list[dict[str, Any]]:
    """Name, SHA-256 and data rows of each shipped public table (the page's input data)."""
    out = []
    folder = resources.files("wsisanalysis").joinpath("data", "public")
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".csv"):
            with (
                resources.as_file(item) as path,
                path.open(encoding="utf-8", newline="") as handle,
            ):
                rows = sum(1 for _ in csv.reader(handle)) - 1
            out.append({"file": item.name, "sha256": sha256(path), "rows": rows})
    return out


def _scope(rows: list[Mapping[str, Any]]) -> str | None:
    covered = {str(r.get("covers")) for r in rows if r.get("covers")}
    return covered.pop() if len(covered) == 1 else None


def _percent(share: object) -> str:
    return "–" if share is None or pd.isna(share) else f"{float(share) * 100:.1f}%"  # type: ignore[arg-type]


def _figures(
    name: str, key: str, before: Mapping[str, Any], now: Mapping[str, Any]
) -> Iterator[tuple[str, str, str]]:
    """`name`'s figures: what it covers, people counted (where published), shares by `key`."""
    old_rows, new_rows = before.get(name, {}).get("rows", []), now[name]["rows"]
    old_scope, scope = _scope(old_rows), _scope(new_rows) or "?"
    same = old_scope == scope
    yield (
        f"{_COVERED[name]} covered",
        scope,
        "same" if same else f"was {old_scope}" if old_scope else "not recorded before",
    )
    totals = {r.get("total") for r in new_rows} - {None}
    old_totals = {r.get("total") for r in old_rows} - {None}
    if len(totals) == 1:
        total = int(totals.pop())
        change = signed(total - int(old_totals.pop())) if same and len(old_totals) == 1 else "–"
        yield (f"{scope}: people counted", f"{total:,}", change)
    old = {str(r[key]): r.get("share") for r in old_rows}
    for row in new_rows:
        share, earlier = row.get("share"), old.get(str(row[key]))
        known = same and share is not None and earlier is not None
        change = points(float(share) - float(earlier)) if known else "–"  # type: ignore[arg-type]
        yield (f"{scope}: share from {C.display_label(row[key])}", _percent(share), change)


def compare_public(before: Mapping[str, Any], now: Mapping[str, Any]) -> pd.DataFrame:
    """The page's headline figures now and their change since `before` (published tables as
    recorded: name -> ``{"rows": [...]}``), as text ready to show.

    >>> old = {MEETING: {"rows": [{"icann_region": "AF", "total": 900, "share": 0.4, "covers": "ICANN80"}]}}
    >>> new = {MEETING: {"rows": [{"icann_region": "AF", "total": 1004, "share": 0.443, "covers": "ICANN80"}]}}
    >>> compare_public(old, new).values.tolist()
    [['ICANN meeting covered', 'ICANN80', 'same'], ['ICANN80: people counted', '1,004', '+104'], ['ICANN80: share from Africa', '44.3%', '+4.3 points']]
    """
    rows = [row for name, key in ((MEETING, "icann_region"), (IGF, "stakeholder_group")) if name in now
            for row in _figures(name, key, before, now)]  # fmt: skip
    return pd.DataFrame(rows, columns=["figure", "now", "change"])


def public_changes(meeting: str, igf_year: int) -> Html:
    """The public-benchmarks page's "what changed" section (one notebook cell): record the
    page's headline tables and the shipped tables' checksums with the snapshot, and compare
    them with the previous successful snapshot of the same run."""
    sources = {MEETING: f"ICANN meeting blog, {meeting}", IGF: f"IGF {igf_year} statistics page"}
    keys = {MEETING: "icann_region", IGF: "stakeholder_group"}
    saved = {}
    for name, table in public_tables(meeting, igf_year).items():
        saved[name] = recorded(
            snapshot_record(published_aggregate(table, keys[name], sources[name]), name)
        )
    inputs = shipped_inputs()
    history.record_published(INPUTS, inputs, {"count": None})
    return section(previous_snapshot(), inputs, lambda tables: compare_public(tables, saved), _LEGEND,
                   what_data="shipped public data")  # fmt: skip
