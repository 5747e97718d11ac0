"""Tables derived from published cells only: parent ICANN communities rolled up from their parts.

A parent community (GNSO, ALAC) is the sum of its own row and its constituencies' or RALOs'
rows. The sum is computed from the *published* cells, so it gives nothing back that the
published table does not already show: a parent with a suppressed part is itself suppressed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.coverage import NOT_PLACED, UNKNOWN_LABEL
from wsisanalysis.metrics.disclosure import PublishedTable
from wsisanalysis.metrics.stats import wilson_interval
from wsisanalysis.reporting.tables import require_published

#: The label of a parent's own total row in the breakdown table.
ALL_PARTS = "all"


def _parent(community: object) -> str:
    return C.COMMUNITY_PARENT.get(str(community), str(community))


def publish_rollup(table: PublishedTable, *, by: str = C.COMMUNITY) -> PublishedTable:
    """Parent communities with their parts beneath, from a published community table.

    Returns one row per parent (``part`` = ``"all"``: its own members plus its parts'), then
    one row per part of a parent with parts; ``count`` and ``share`` (of the table's
    ``total``). A parent whose own row or one of whose parts is suppressed is suppressed.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> t = pd.DataFrame({"community": ["GNSO", "NCUC", "RySG", "GAC"], "count": [0, 6, 7, 9],
    ...                   "total": [22] * 4, "share": [0, 6 / 22, 7 / 22, 9 / 22]})
    >>> rolled = publish_rollup(guard(t, "community", rules=None)).table
    >>> rolled[["community", "part", "count"]].head(2).values.tolist()
    [['GNSO', 'all', 13], ['GNSO', 'GNSO', 0]]
    """
    published = require_published(table, "publish_rollup")
    if published.withheld:  # nothing to derive from, and the notice must stay
        return published
    data = published.table
    hidden = published.hidden_cells["count"].to_numpy(dtype=bool) | data["count"].isna().to_numpy()
    frame = pd.DataFrame({"community": data[by].map(_parent).astype(str), "part": data[by].astype(str),
                          "count": data["count"].astype("Float64"), "_hidden": hidden})  # fmt: skip
    total = data["total"].iloc[0] if "total" in data and len(data) else np.nan
    rows = []
    for parent, group in frame.groupby("community", sort=False):
        own = group[group["part"] == parent]
        parts = group[group["part"] != parent]
        suppressed = bool(group["_hidden"].any())
        rows.append({"community": parent, "part": ALL_PARTS,
                     "count": pd.NA if suppressed else group["count"].sum(), "_hidden": suppressed})  # fmt: skip
        if len(parts):
            rows += [
                {**r, "count": pd.NA if r["_hidden"] else r["count"]}
                for r in (*own.to_dict("records"), *parts.to_dict("records"))
            ]
    out = pd.DataFrame(rows)
    out["count"] = out["count"].astype("Float64").round().astype("Int64")
    out["share"] = (
        (out["count"].astype("Float64") / total).astype("float64") if pd.notna(total) else np.nan
    )
    out["share_low"] = out["share_high"] = np.nan  # sums of published counts: no interval
    mask = pd.DataFrame(
        False,
        index=out.index,
        columns=["community", "part", "count", "share", "share_low", "share_high"],
    )
    mask.loc[out["_hidden"].to_numpy(dtype=bool), ["count", "share"]] = True
    flags = tuple(bool(h) for h in out["_hidden"])
    return PublishedTable(out.drop(columns="_hidden"), ("community", "part"), "count", published.threshold,
                          published.legend, flags, published.aggregate, name=f"{published.name} rolled up",
                          _mask=mask)  # fmt: skip


def parents_only(table: PublishedTable) -> PublishedTable:
    """The parent rows (``part == "all"``) of :func:`publish_rollup`'s table, for a chart."""
    published = require_published(table, "parents_only")
    if published.withheld:  # nothing to derive from, and the notice must stay
        return published
    keep = (published.table["part"] == ALL_PARTS).to_numpy()
    frame = published.table[keep].drop(columns="part").reset_index(drop=True)
    mask = published.hidden_cells[keep].drop(columns="part").reset_index(drop=True)
    return PublishedTable(frame, ("community",), "count", published.threshold, published.legend,
                          tuple(np.asarray(published.hidden)[keep].tolist()), published.aggregate,
                          name=published.name, _mask=mask)  # fmt: skip


def _known_total(data: pd.DataFrame, placed: pd.Series) -> float:
    """Participants with a known category, from published cells only (NaN if not derivable)."""
    inside, outside = data.loc[placed, "count"], data.loc[~placed, "count"]
    if inside.notna().all():
        return float(inside.sum())
    total = data["total"].iloc[0] if "total" in data and len(data) else np.nan
    return float(total - outside.sum()) if pd.notna(total) and outside.notna().all() else np.nan


def known_shares(table: PublishedTable, by: str) -> PublishedTable:
    """The page's one share definition: shares of those with a known `by` (``unknown`` and,
    for communities, ``none`` left out of the table and the denominator).

    Derived from the published cells only (the denominator is the sum of published counts,
    or the published total less the published outside rows), so it reveals nothing the
    published table does not; shares, their Wilson intervals (samples only) and ``known_share``
    are recomputed over that denominator. A `by` table with a baseline keeps its ratios,
    which are already of the known categories.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> t = pd.DataFrame({"icann_region": ["AF", "EU", "unknown"], "count": [10, 30, 10],
    ...                   "total": [50] * 3, "share": [0.2, 0.6, 0.2]})
    >>> known_shares(guard(t, "icann_region"), "icann_region").table["share"].tolist()
    [0.25, 0.75]
    """
    published = require_published(table, "known_shares")
    if published.withheld:  # nothing to derive from, and the notice must stay
        return published
    data, mask = published.table, published.hidden_cells
    placed = ~data[by].astype(str).isin(NOT_PLACED.get(by, (UNKNOWN_LABEL,)))
    denominator = _known_total(data, placed)
    out, mask = data[placed].copy(), mask[placed].copy()
    counts = out["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = counts / denominator if denominator > 0 else np.nan
    if "total" in out:
        out["total"] = pd.array(
            [pd.NA if np.isnan(denominator) else int(denominator)] * len(out), dtype="Int64"
        )
    if "share_low" in out and out["share_low"].notna().any():
        low, high = wilson_interval(
            pd.Series(counts).fillna(0), pd.Series([denominator] * len(out))
        )
        out["share_low"] = np.where(np.isnan(counts), np.nan, low)
        out["share_high"] = np.where(np.isnan(counts), np.nan, high)
    if "known_share" in out:
        out["known_share"] = out["share"]
    if np.isnan(denominator):
        mask.loc[
            :, [c for c in ("share", "share_low", "share_high", "known_share") if c in mask]
        ] = True
    flags = tuple(np.asarray(published.hidden, dtype=bool)[placed.to_numpy()].tolist())
    return PublishedTable(out.reset_index(drop=True), published.by, published.count, published.threshold,
                          published.legend, flags, published.aggregate, dict(published.statistics),
                          name=published.name, _mask=mask.reset_index(drop=True))  # fmt: skip


def with_event_dates(table: PublishedTable, frame: pd.DataFrame) -> PublishedTable:
    """`table` (published with an ``event`` column) with ``date``, each event's first day: a
    fact about the event (every page's headline names it), added after the guard, so the
    guard never hides it as if it were a figure about people.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> rows = pd.DataFrame({"event": ["B", "A"], "date": pd.to_datetime(["2025-06-02", "2024-05-01"])})
    >>> t = guard(pd.DataFrame({"event": ["A", "B"], "count": [10, 12]}), "event", rules=None)
    >>> with_event_dates(t, rows).table["date"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-05-01', '2025-06-02']
    """
    from wsisanalysis.metrics.headline import events

    published = require_published(table, "with_event_dates")
    if published.withheld:  # nothing to derive from, and the notice must stay
        return published
    first = events(frame).set_index(C.EVENT)["first"]
    data = published.table.drop(columns="date", errors="ignore")
    data = data.assign(date=data[C.EVENT].astype(str).map(first).to_numpy())
    mask = published.hidden_cells.drop(columns="date", errors="ignore").assign(date=False)
    return PublishedTable(data, published.by, published.count, published.threshold, published.legend,
                          published.hidden, published.aggregate, dict(published.statistics),
                          name=published.name, _mask=mask)  # fmt: skip


def counting(table: PublishedTable, what: str) -> PublishedTable:
    """`table` with its ``count`` and ``share`` columns named for `what` it counts
    (``activities``, ``share_of_activities``), so its headers read "Activities" and "Share of
    activities", not "Participants". The cells and the hidden ones are unchanged.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> t = guard(pd.DataFrame({"activity_type": ["webinar"], "count": [40], "share": [1.0]}), "activity_type")
    >>> list(counting(t, "activities").table.columns)[:3]
    ['activity_type', 'activities', 'share_of_activities']
    """
    published = require_published(table, "counting")
    data, mask = published.table, published.hidden_cells
    if "share" in data and "known_share" in data:  # the same share twice: keep one
        data, mask = data.drop(columns="known_share"), mask.drop(columns="known_share")
    names = {"count": what, "share": f"share_of_{what}", "known_share": f"share_of_{what}"}
    return dataclasses.replace(
        published,
        _frame=data.rename(columns=names),
        _mask=mask.rename(columns=names),
        count=what if published.count == "count" else published.count,
        legend=published.legend.replace(f"{published.threshold} people", f"{published.threshold} {what}"),
    )


def as_months(table: PublishedTable, column: str = "period") -> PublishedTable:
    """`table` with `column` (the first day of each month, as ``activity_timeline(freq="MS")``
    gives it) as months (``period[M]``): a whole month's count reads "March 2024", never as the
    count of its first day ("1 Mar 2024"). The cells and the hidden ones are unchanged.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> t = guard(pd.DataFrame({"period": pd.to_datetime(["2024-03-01"]), "count": [40]}), "period")
    >>> str(as_months(t).table["period"].iloc[0])
    '2024-03'
    """
    published = require_published(table, "as_months")
    if published.withheld:  # nothing to derive from, and the notice must stay
        return published
    data = published.table
    data[column] = pd.to_datetime(data[column]).dt.to_period("M")
    return dataclasses.replace(published, _frame=data)
