"""Counts, shares, intervals and representation against a baseline (DESIGN §3.2).

Every table is complete over the vocabulary of its dimension (a category with nobody in it is
a row with count 0), weighted by the ``count`` column (a row without it counts 1), and tidy:
one row per category.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import WsisAnalysisError
from wsisanalysis.metrics.baselines import Baseline, normalized_shares
from wsisanalysis.metrics.stats import goodness_of_fit, wilson_interval

UNKNOWN_LABEL = "unknown"
FOUR_FIFTHS = 0.8

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


def took_part(frame: pd.DataFrame) -> pd.Series:
    """Rows that count as participants: every row but registrations that never attended
    (``attended`` false: no-shows, cancelled tickets). Unknown attendance counts.

    >>> took_part(pd.DataFrame({"attended": pd.array([True, False, None], dtype="boolean")})).tolist()
    [True, False, True]
    """
    if C.ATTENDED not in frame:
        return pd.Series(True, index=frame.index)
    return frame[C.ATTENDED].astype("boolean").ne(False).fillna(True).astype(bool)


def participants(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` without the registrations that never attended (see :func:`took_part`)."""
    kept = took_part(frame)
    return frame if bool(kept.all()) else frame[kept]


def weights(frame: pd.DataFrame) -> pd.Series:
    """The weight of each row: its ``count`` (missing counts 1), else 1; 0 for a registration
    that never attended."""
    if C.COUNT in frame:
        weight = pd.to_numeric(frame[C.COUNT], errors="coerce").fillna(1).astype("int64")
    else:
        weight = pd.Series(1, index=frame.index, dtype="int64")
    return weight.where(took_part(frame), 0)


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


def coverage(  # noqa: PLR0913 - listed in tests/test_architecture.py
    frame: pd.DataFrame,
    by: str | Sequence[str],
    baseline: Baseline | None = None,
    *,
    within: str | Sequence[str] | None = None,
    include_unknown: bool = True,
    confidence: float = 0.95,
    name: str = "count",
) -> pd.DataFrame:
    """Counts and shares by one or more dimensions, complete over their vocabularies.

    Parameters
    ----------
    frame
        A clean table (participation or engagement) or any table with a ``count`` column.
    by
        Column name(s) to group by (e.g. ``"icann_region"`` or
        ``["icann_region", "stakeholder_group"]``).
    baseline
        A :class:`~wsisanalysis.metrics.baselines.Baseline` for the single dimension `by`.
    within
        Compute shares within these columns (e.g. the region of a region × group table);
        default: share of the whole table.
    include_unknown
        Keep an explicit ``unknown`` row for missing values. Baseline comparisons always use
        the known categories only.
    confidence
        Level of the Wilson intervals.
    name
        Name of the weighted count column (``participants``, ``activities``...).

    Returns
    -------
    pandas.DataFrame
        Columns: the `by` columns, ``<name>``, ``total`` (the share's denominator), ``share``,
        ``share_low``, ``share_high``; with a baseline also ``baseline``, ``baseline_version``,
        ``baseline_share``, ``known_share`` (share among known categories), ``ratio``,
        ``ratio_low``, ``ratio_high`` and ``under_represented`` (ratio below 0.8, the
        four-fifths rule). A share with no denominator is NaN. ``attrs["test"]`` holds the
        chi-square goodness-of-fit result when a baseline is given.

    Examples
    --------
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
    within = [within] if isinstance(within, str) else list(within or [])
    if not set(within) <= set(by):
        msg = f"`within` columns {within} must also be in `by` {by}."
        raise WsisAnalysisError(msg)
    if C.TOPICS in by:
        frame = explode_topics(frame)
    keys = {col: _as_category(frame, col, include_unknown) for col in by}
    data = pd.DataFrame(keys).assign(_w=weights(frame))
    counts = data.groupby(by, observed=False)["_w"].sum().rename(name).reset_index()
    counts[name] = counts[name].astype("int64")
    totals = (
        counts.groupby(within, observed=False)[name].transform("sum")
        if within
        else pd.Series(counts[name].sum(), index=counts.index)
    )
    counts["total"] = totals.astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["share"] = counts[name] / counts["total"].where(counts["total"] > 0)
    counts["share_low"], counts["share_high"] = wilson_interval(
        counts[name], counts["total"], confidence=confidence
    )
    if baseline is None:
        return counts
    if len(by) != 1:
        msg = "A baseline compares one dimension: pass a single column in `by`."
        raise WsisAnalysisError(msg)
    return _compare(counts, by[0], baseline, name=name, confidence=confidence)


def _compare(
    counts: pd.DataFrame, column: str, baseline: Baseline, *, name: str, confidence: float
) -> pd.DataFrame:
    shares = baseline.shares
    out = counts.copy()
    out["baseline"] = baseline.name
    out["baseline_version"] = baseline.version
    out["baseline_share"] = out[column].astype(str).map(shares).astype(float)
    known = out["baseline_share"].notna()
    known_total = out.loc[known, name].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["known_share"] = np.where(
            known, out[name] / known_total if known_total else np.nan, np.nan
        )
    low, high = wilson_interval(
        out[name].where(known),
        pd.Series(known_total, index=out.index).where(known),
        confidence=confidence,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        base = out["baseline_share"].where(out["baseline_share"] > 0)
        out["ratio"] = out["known_share"] / base
        out["ratio_low"] = low / base
        out["ratio_high"] = high / base
    out["under_represented"] = (
        (out["ratio"] < FOUR_FIFTHS).astype("boolean").mask(out["ratio"].isna())
    )
    test = goodness_of_fit(out.loc[known, name], out.loc[known, "baseline_share"])
    out.attrs["test"] = {
        **test,
        "baseline": baseline.name,
        "categories": out.loc[known, column].astype(str).tolist(),
    }
    return out


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
    """A baseline from an earlier event or snapshot: its weighted shares over `dimension`."""
    table = coverage(frame, dimension, include_unknown=False)
    return Baseline(
        name,
        dimension,
        normalized_shares(table.set_index(dimension)["count"].astype(float).to_dict()),
        version or "previous event",
    )
