"""Counts, shares, intervals and representation against a baseline (DESIGN §3.2).

Every table is complete over the vocabulary of its dimension (a category with nobody in it is
a row with count 0), weighted by the ``count`` column (a table without one counts each row
once; a missing count is an error, never one person), and tidy: one row per category.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics.baselines import Baseline, normalized_shares
from wsisanalysis.metrics.counts import (
    CENSUS,
    PERCENTAGES,
    SAMPLE,
    STATISTICS,
    data_nature,
    known_total,
    participants,
    percent_weights,
    weights,
)
from wsisanalysis.metrics.representation import compare
from wsisanalysis.metrics.stats import wilson_interval

UNKNOWN_LABEL = "unknown"

#: The full vocabulary of each known dimension, in display order.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    C.ICANN_REGION: C.ICANN_REGIONS,
    C.M49_REGION: C.M49_REGIONS,
    C.UN_REGIONAL_GROUP: C.UN_REGIONAL_GROUPS,
    C.STAKEHOLDER_GROUP: C.STAKEHOLDER_GROUPS,
    C.COMMUNITY: C.COMMUNITIES,
    C.ATTENDANCE_MODE: C.ATTENDANCE_MODES,
    C.NEWCOMER: C.NEWCOMER_VALUES,
    C.GENDER: C.GENDERS,
    C.INCOME_GROUP: C.INCOME_GROUPS,
    C.ACTIVITY_TYPE: C.ACTIVITY_TYPES,
    C.TOPICS: C.TOPICS_VOCAB,
}


def categories_of(frame: pd.DataFrame, column: str) -> list[str]:
    """The categories a complete table lists for `column`.

    A categorical column's own categories (clean tables carry their full vocabulary), else the
    known vocabulary of the dimension, else the values seen.
    """
    if isinstance(frame[column].dtype, pd.CategoricalDtype):
        return [str(c) for c in frame[column].cat.categories if c != UNKNOWN_LABEL]
    if column in VOCABULARIES:
        return [v for v in VOCABULARIES[column] if v != UNKNOWN_LABEL]
    return sorted({str(v) for v in frame[column].dropna().unique()} - {UNKNOWN_LABEL})


def _as_category(frame: pd.DataFrame, column: str, include_unknown: bool) -> pd.Series:
    """The column as a categorical over its full vocabulary (codes reused, no string copies)."""
    if column not in frame:
        msg = f"Cannot compute coverage by {column!r}: the table has no such column. Found: {', '.join(map(str, frame.columns))}."
        raise WsisAnalysisError(msg)
    source = frame[column]
    if pd.api.types.is_bool_dtype(source.dtype):
        source = source.map({True: "true", False: "false"})
    if not isinstance(source.dtype, pd.CategoricalDtype):
        source = source.astype("category")
    source = source.cat.rename_categories([str(c) for c in source.cat.categories])
    cats = categories_of(frame, column)
    extra = sorted(set(source.cat.categories) - set(cats) - {UNKNOWN_LABEL})
    cats = cats + extra + ([UNKNOWN_LABEL] if include_unknown else [])
    values = source.cat.set_categories(cats)  # values outside `cats` (e.g. unknown) become missing
    if include_unknown:
        values = values.fillna(UNKNOWN_LABEL)
    return values.rename(column)


def coverage(
    frame: pd.DataFrame | str | Path,
    by: str | Sequence[str],
    baseline: Baseline | None = None,
    *,
    within: str | Sequence[str] | None = None,
    include_unknown: bool = True,
    engine: str = "pandas",
) -> pd.DataFrame:
    """Counts and shares by one or more dimensions, complete over their vocabularies.

    `frame` is a clean table or any table with a ``count`` column of whole numbers of people
    (a missing, fractional or negative count is an error naming the rows). Its
    ``attrs["nature"]`` — ``sample`` (default), ``census`` or ``percentages``, see
    :mod:`~wsisanalysis.metrics.counts` — decides which statistics apply: intervals and tests
    for samples only. `by` names the column(s) to group by; `baseline` (one dimension only)
    adds the comparison of :func:`~wsisanalysis.metrics.representation.compare`, and a
    baseline that excludes host countries excludes their participants too; `within` computes
    shares within those columns (default: of the whole table); `include_unknown` keeps an
    ``unknown`` row (baseline comparisons use the known categories only). ``engine="duckdb"``
    sums the weights in DuckDB (given a clean table's Parquet path, it reads only `by` + count).

    Returns one row per category: the `by` columns, ``count``, ``total`` (the share's
    denominator), ``share`` (NaN without a denominator), ``share_low``, ``share_high`` (95%
    Wilson interval, NaN unless a sample); ``attrs``: ``nature``, ``statistics`` (which apply,
    in words) and with a baseline ``test``.

    >>> table = pd.DataFrame({"icann_region": ["AF", "EU", "EU", None]})
    >>> coverage(table, "icann_region")[["icann_region", "count", "share"]]
      icann_region  count  share
    0           AF      1   0.25
    1           AP      0   0.00
    2           EU      2   0.50
    3          LAC      0   0.00
    4           NA      0   0.00
    5      unknown      1   0.25
    """
    by = [by] if isinstance(by, str) else list(by)
    if engine != "pandas" or not isinstance(frame, pd.DataFrame):
        from wsisanalysis.metrics.scan import engine_frame

        frame = engine_frame(frame, by, engine)
    within = [within] if isinstance(within, str) else list(within or [])
    if not set(within) <= set(by):
        msg = f"`within` columns {within} must also be in `by` {by}."
        raise WsisAnalysisError(msg)
    if baseline is not None and len(by) != 1:
        msg = "A baseline compares one dimension: pass a single column in `by`."
        raise WsisAnalysisError(msg)
    nature = data_nature(frame)
    if baseline is not None and baseline.excluded:
        frame = _without_hosts(frame, baseline.excluded)
    if C.TOPICS in by:
        frame = explode_topics(frame)
    counts = _shares(_counts(frame, by, within, include_unknown, nature), nature)
    counts.attrs.update(nature=_effective(frame, nature))
    counts.attrs["statistics"] = STATISTICS[counts.attrs["nature"]]
    if baseline is None:
        return counts
    return compare(counts, by[0], baseline)


def _effective(frame: pd.DataFrame, nature: str) -> str:
    """Percentages with a published total are counts of a census."""
    return CENSUS if nature == PERCENTAGES and known_total(frame) else nature


def _without_hosts(frame: pd.DataFrame, hosts: Sequence[str]) -> pd.DataFrame:
    if C.COUNTRY_ISO2 not in frame:
        msg = (
            f"The baseline excludes {', '.join(hosts)} but the table has no {C.COUNTRY_ISO2} column "
            "to exclude its participants by. Use a baseline without `exclude`, or a table by country."
        )
        raise WsisAnalysisError(msg)
    return exclude_host(frame, list(hosts))


def _counts(
    frame: pd.DataFrame, by: list[str], within: list[str], include_unknown: bool, nature: str
) -> pd.DataFrame:
    """Weighted counts per category (complete), their denominator and share."""
    keys = {col: _as_category(frame, col, include_unknown) for col in by}
    w = percent_weights(frame) if nature == PERCENTAGES else weights(frame)
    data = pd.DataFrame(keys).assign(_w=w.to_numpy())
    counts = data.groupby(by, observed=False)["_w"].sum().rename("count").reset_index()
    totals = (
        counts.groupby(within, observed=False)["count"].transform("sum")
        if within
        else pd.Series(counts["count"].sum(), index=counts.index)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["share"] = counts["count"] / totals.where(totals > 0)
    if nature != PERCENTAGES:
        counts["count"] = counts["count"].astype("int64")
        counts.insert(len(by) + 1, "total", totals.astype("int64"))
        return counts
    people = known_total(frame)
    if within or people is None:  # shares only: no number of people to attach them to
        counts["count"] = pd.array([pd.NA] * len(counts), dtype="Int64")
        counts.insert(len(by) + 1, "total", pd.array([pd.NA] * len(counts), dtype="Int64"))
        return counts
    counts["count"] = (counts["share"] * people).round().astype("Int64")
    counts.insert(len(by) + 1, "total", pd.array([people] * len(counts), dtype="Int64"))
    return counts


def _shares(counts: pd.DataFrame, nature: str) -> pd.DataFrame:
    """Add the 95% Wilson interval of each share, for samples only."""
    if nature == SAMPLE:
        counts["share_low"], counts["share_high"] = wilson_interval(
            counts["count"], counts["total"]
        )
    else:
        counts["share_low"] = counts["share_high"] = np.nan
    return counts


def explode_topics(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (activity, topic): an activity listing two topics counts under each.

    >>> explode_topics(pd.DataFrame({"topics": ["ip_addressing;other", "unknown"]}))["topics"].tolist()
    ['ip_addressing', 'other', 'unknown']
    """
    topics = frame[C.TOPICS].astype("str").fillna(UNKNOWN_LABEL).str.split(";")
    return frame.assign(**{C.TOPICS: topics}).explode(C.TOPICS, ignore_index=True)


def rollup_communities(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace each community by its parent in ICANN's structure (RALO -> ALAC, constituency
    and stakeholder group -> GNSO), for coverage at the SO/AC level. Does not modify `frame`.

    >>> rollup_communities(pd.DataFrame({"community": ["AFRALO", "NCUC", "GAC"]}))["community"].tolist()
    ['ALAC', 'GNSO', 'GAC']
    """
    parents = frame[C.COMMUNITY].astype(object).map(lambda c: C.COMMUNITY_PARENT.get(c, c))
    top = [c for c in C.COMMUNITIES if c not in C.COMMUNITY_PARENT]
    return frame.assign(**{C.COMMUNITY: pd.Categorical(parents, categories=top)})


def matrix(
    frame: pd.DataFrame,
    rows: str = C.ICANN_REGION,
    cols: str = C.STAKEHOLDER_GROUP,
    *,
    include_unknown: bool = True,
) -> pd.DataFrame:
    """A complete rows × columns table of weighted counts (every vocabulary pair present).

    >>> t = pd.DataFrame({"icann_region": ["AF"], "stakeholder_group": ["government"]})
    >>> m = matrix(t, include_unknown=False)
    >>> m.shape, int(m.loc["AF", "government"])
    ((5, 8), 1)
    """
    table = coverage(frame, [rows, cols], include_unknown=include_unknown)
    return table.pivot(index=rows, columns=cols, values="count")


def exclude_host(frame: pd.DataFrame, host: str | Sequence[str] | None) -> pd.DataFrame:
    """Return the rows whose country is not the host country (ISO alpha-2; None: all rows)."""
    if not host:
        return frame
    hosts = [host] if isinstance(host, str) else list(host)
    return frame[~frame[C.COUNTRY_ISO2].isin([h.upper() for h in hosts])]


def retention(frame: pd.DataFrame, *, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Cohort table: of the participants first seen at each event, how many came to each later one.

    Columns: ``cohort`` (first event), ``event``, ``participants`` (of the cohort present),
    ``cohort_size`` and ``rate``. Events are ordered by their earliest date unless `order` is
    given. Aggregate rows (no participant id) are ignored.
    """
    people = participants(frame).dropna(subset=[C.PARTICIPANT_ID])[
        [C.PARTICIPANT_ID, C.EVENT, C.DATE]
    ]
    if order is None:
        order = people.groupby(C.EVENT)[C.DATE].min().sort_values().index.tolist()
    rank = {e: i for i, e in enumerate(order)}
    people = people[people[C.EVENT].isin(rank)].assign(_rank=lambda d: d[C.EVENT].map(rank))
    first = people.groupby(C.PARTICIPANT_ID)["_rank"].min().rename("_cohort")
    people = people.join(first, on=C.PARTICIPANT_ID)
    pairs = (
        people.drop_duplicates([C.PARTICIPANT_ID, C.EVENT]).groupby(["_cohort", "_rank"]).size()
    )
    full = pd.MultiIndex.from_tuples(
        [(c, e) for c in range(len(order)) for e in range(c, len(order))],
        names=["_cohort", "_rank"],
    )
    table = pairs.reindex(full, fill_value=0).rename("participants").reset_index()
    size = table[table["_cohort"] == table["_rank"]].set_index("_cohort")["participants"]
    table["cohort_size"] = table["_cohort"].map(size)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["rate"] = table["participants"] / table["cohort_size"].where(
            table["cohort_size"] > 0
        )
    table["cohort"] = table["_cohort"].map(dict(enumerate(order)))
    table["event"] = table["_rank"].map(dict(enumerate(order)))
    return table[["cohort", "event", "participants", "cohort_size", "rate"]]


def previous_baseline(
    frame: pd.DataFrame, *, dimension: str, name: str, version: str = ""
) -> Baseline:
    """A baseline from an earlier event or snapshot: its weighted shares over `dimension`.

    When the earlier table is a sample its size is kept (``sample_size``), so ratio intervals
    against it account for the baseline's own uncertainty (Katz log method)."""
    table = coverage(frame, dimension, include_unknown=False)
    return Baseline(
        name,
        dimension,
        normalized_shares(table.set_index(dimension)["count"].astype(float).to_dict()),
        version or "previous event",
        sample_size=float(table["count"].sum()) if data_nature(frame) == SAMPLE else None,
    )


#: Values that place nobody in a category: ``unknown`` (not recorded or not resolved) and, for
#: ICANN communities, ``none`` (a participant outside every ICANN structure).
NOT_PLACED = {C.COMMUNITY: ("none", UNKNOWN_LABEL)}

