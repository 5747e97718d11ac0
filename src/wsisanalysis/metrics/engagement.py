"""Engagement over time against the WSIS+20 milestones; activity and reach by topic × region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.counts import weights
from wsisanalysis.reference import wsis_timeline


def activity_timeline(
    frame: pd.DataFrame, *, freq: str = "MS", by: str | None = None
) -> pd.DataFrame:
    """Activities and reach per period (``MS`` month, ``W-MON`` week), every period present.

    Columns: ``period``, optionally `by`, ``activities`` (weighted by ``count``) and ``reach``
    (sum; missing reach counts as 0 and ``reach_known`` says how many activities had one).
    """
    data = frame.dropna(subset=[C.DATE]).assign(
        _w=weights(frame), _reach=lambda d: pd.to_numeric(d[C.REACH], errors="coerce")
    )
    if data.empty:
        return pd.DataFrame(columns=["period", "activities", "reach", "reach_known"])
    periods = pd.date_range(data[C.DATE].min().to_period("M").start_time if freq == "MS" else data[C.DATE].min().normalize(),
                            data[C.DATE].max(), freq=freq)  # fmt: skip
    data["period"] = (
        data[C.DATE].dt.to_period("M").dt.start_time
        if freq == "MS"
        else data[C.DATE].dt.to_period("W-SUN").dt.start_time
    )
    keys = ["period"] + ([by] if by else [])
    grouped = data.groupby(keys, observed=False).agg(
        activities=("_w", "sum"), reach=("_reach", "sum"), reach_known=("_reach", "count")
    )
    if by:
        full = pd.MultiIndex.from_product(
            [data["period"].sort_values().unique(), grouped.index.levels[1]], names=keys
        )
    else:
        full = pd.Index(sorted(set(periods) | set(data["period"])), name="period")
    return (
        grouped.reindex(full, fill_value=0)
        .reset_index()
        .astype({"activities": "int64", "reach_known": "int64"})
    )


def milestone_windows(
    frame: pd.DataFrame, *, days: int = 30, since: str = "2024-01-01", until: str | None = None
) -> pd.DataFrame:
    """Activities and reach before, during and after each precisely dated WSIS milestone.

    ``before`` is the `days` days before the milestone starts, ``during`` its own dates,
    ``after`` the `days` days after it ends. Windows of nearby milestones overlap, so the
    rows do not add up to the total: each answers "what happened around this milestone".
    """
    timeline = wsis_timeline(precise_only=True)
    timeline = timeline[timeline["start"] >= pd.Timestamp(since)]
    if until:
        timeline = timeline[timeline["start"] <= pd.Timestamp(until)]
    data = frame.dropna(subset=[C.DATE]).assign(
        _w=weights(frame), _reach=lambda d: pd.to_numeric(d[C.REACH], errors="coerce").fillna(0)
    )
    dates = data[C.DATE].to_numpy()
    rows = []
    delta = np.timedelta64(days, "D")
    for m in timeline.itertuples():
        start = np.datetime64(m.start)
        end = np.datetime64(m.end) + np.timedelta64(1, "D")
        for phase, lo, hi in (
            ("before", start - delta, start),
            ("during", start, end),
            ("after", end, end + delta),
        ):
            mask = (dates >= lo) & (dates < hi)
            rows.append({"milestone": m.milestone, "start": m.start, "phase": phase,
                         "activities": int(data["_w"].to_numpy()[mask].sum()),
                         "reach": int(data["_reach"].to_numpy()[mask].sum())})  # fmt: skip
    out = pd.DataFrame(rows)
    if not out.empty:
        out["phase"] = pd.Categorical(out["phase"], ["before", "during", "after"])
    return out


def topic_region(frame: pd.DataFrame, *, region: str = C.ICANN_REGION) -> pd.DataFrame:
    """Activities and reach by topic × region, complete over both vocabularies.

    An activity with several topics counts once under each of them.
    """
    data = frame.assign(
        _w=weights(frame), _reach=pd.to_numeric(frame[C.REACH], errors="coerce").fillna(0)
    )
    data = data.assign(topic=data[C.TOPICS].fillna("unknown").str.split(";")).explode("topic")
    topics = [*C.TOPICS_VOCAB, "unknown"]
    regions = (
        [*C.ICANN_REGIONS, "unknown"]
        if region == C.ICANN_REGION
        else [*sorted(data[region].dropna().astype(str).unique()), "unknown"]
    )
    data["topic"] = pd.Categorical(data["topic"], topics)
    data["_region"] = pd.Categorical(
        data[region].astype(object).where(data[region].notna(), "unknown").astype(str), regions
    )
    out = (
        data.groupby(["topic", "_region"], observed=False)
        .agg(activities=("_w", "sum"), reach=("_reach", "sum"))
        .reset_index()
    )
    return out.rename(columns={"_region": region}).astype(
        {"activities": "int64", "reach": "int64"}
    )
