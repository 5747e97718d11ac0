"""Sentences that interpret a result for readers, computed from the published table they describe.

Every function accepts only a :class:`~wsisanalysis.metrics.disclosure.PublishedTable` (a plain
DataFrame raises): a sentence uses published cells only, and a statistic computed over
categories (chi-square, evenness, concentration) is left out when one of its cells is hidden.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.concentration import concentration
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, PublishedTable
from wsisanalysis.reporting.tables import Html, require_published


def _p_value(p: float) -> str:
    """``p < 0.001`` rather than ``p = 0`` for tiny values."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _p(text: str) -> Html:
    return Html(f'<p class="wsis-finding">{text}</p>')


def _withheld(what: str) -> str:
    return (
        f" {what} is not shown because a category is suppressed and it would give that count back."
    )


def representation(table: PublishedTable, by: str) -> Html:
    """Which categories are under-represented against the baseline, with the test's caveat."""
    published = require_published(table, "representation")
    data = published.table
    known = data[data["baseline_share"].notna()]
    # published percentages carry shares without counts: they can be assessed all the same
    if known.empty or (
        known["count"].fillna(0).sum() == 0 and known["share"].fillna(0).sum() == 0
    ):
        return _p("No participants with a known category: representation cannot be assessed.")
    under = known[known["under_represented"].astype("boolean").fillna(False).astype(bool)]
    base = html.escape(str(known["baseline"].iloc[0]))
    rule = "rate below four fifths of the highest group's rate, the whole interval included"
    if under.empty:
        text = f"Against {base}, no category is under-represented ({rule})."
    else:
        parts = [
            f"{html.escape(C.display_label(cat))} (ratio {ratio:.2f}, {impact:.2f} of the highest rate"
            + (f", interval {low:.2f}–{high:.2f})" if pd.notna(low) and low != high else ")")
            for cat, ratio, impact, low, high in zip(
                under[by], under["ratio"], under["impact_ratio"], under["impact_low"], under["impact_high"], strict=True
            )
        ]  # fmt: skip
        text = f"Against {base}, under-represented ({rule}): " + "; ".join(parts) + "."
    hidden = bool(published.hidden_cells.loc[known.index].any().any())
    if hidden:
        text += " Suppressed categories are not assessed." + _withheld("The chi-square test")
    test = published.statistics.get("test")
    if isinstance(test, dict) and not hidden and pd.notna(test.get("p_value")):
        text += (
            f" {html.escape(str(test.get('method', 'chi-square goodness of fit'))).capitalize()} over {len(test['categories'])} categories: "
            f"χ² = {test['statistic']:.1f}, df = {test['dof']}, {_p_value(test['p_value'])} ({html.escape(test['note'])})."
        )
    elif isinstance(test, dict) and not hidden:
        text += f" No chi-square test: {html.escape(str(test['note']))}."
    return _p(text)


def largest(table: PublishedTable, by: str, *, what: str = "participants") -> Html:
    """The largest and smallest published categories of a coverage table."""
    published = require_published(table, "largest")
    data = published.table
    is_unknown = data[by].astype(str) == "unknown"
    known = data[~is_unknown & data["count"].notna() & data["share"].notna()]
    if known.empty or known["count"].sum() == 0:
        return _p(f"No {what} to describe.")
    top = known.loc[known["count"].astype(float).idxmax()]
    text = f"The largest group is {html.escape(C.display_label(top[by]))} ({top['share'] * 100:.1f}% of {what})"
    if published.hidden_cells.any().any():
        text += f"; {int(published.hidden_cells.any(axis=1).sum())} groups are suppressed."
    else:
        low = known.loc[known["count"].astype(float).idxmin()]
        text += f"; the smallest is {html.escape(C.display_label(low[by]))} ({low['share'] * 100:.1f}%)."
    unknown = data.loc[is_unknown, "count"]
    if len(unknown) and pd.notna(unknown.iloc[0]) and unknown.iloc[0] > 0:
        text += f" {int(unknown.iloc[0])} {what} could not be placed and are shown as unknown."
    return _p(text)


def countries(table: PublishedTable, by: str = C.ICANN_REGION) -> Html:
    """How many countries of each region took part (a published country-coverage table)."""
    coverage_table = require_published(table, "countries").table
    parts = [
        f"{html.escape(C.display_label(r))}: {p} of {t}"
        for r, p, t in zip(
            coverage_table[by],
            coverage_table["countries_present"],
            coverage_table["countries_total"],
            strict=True,
        )
    ]
    total_p = int(coverage_table["countries_present"].sum())
    total_t = int(coverage_table["countries_total"].sum())
    return _p(
        f"Countries represented: {total_p} of {total_t} ({'; '.join(parts)}). The absent ones are the outreach list below."
    )


def concentration_sentence(table: PublishedTable, by: str, *, what: str) -> Html:
    """Evenness and concentration over the published categories, naming the category set.

    Not computed when a category is hidden: evenness over the published cells and the total
    would give the hidden ones back.
    """
    published = require_published(table, "concentration_sentence")
    data = published.table
    known = data[data[by].astype(str) != "unknown"]
    if published.hidden_cells.loc[known.index].any().any():
        return _p(f"Evenness of {what} across groups:" + _withheld("It"))
    result = concentration(known, by)
    if pd.isna(result.get("evenness")):
        return _p(f"Not enough {what} to measure evenness.")
    categories = result["categories"]
    cats = (
        ", ".join(C.display_label(c) for c in categories) if isinstance(categories, list) else ""
    )
    text = (
        f"Evenness (Pielou J) is {result['evenness']:.2f} and the normalized HHI {result['hhi_normalized']:.2f} "
        f"over {result['k']} categories ({html.escape(cats)}); 1 would be a perfectly even spread."
    )
    if pd.notna(result.get("gallagher")):
        text += f" Gallagher index against {html.escape(str(result.get('baseline', 'the baseline')))}: {result['gallagher']:.1f} points."
    return _p(text)


def cleaning(table: PublishedTable) -> Html:
    """What cleaning did, in one sentence, from the published summary table (stage, rows)."""
    rows = require_published(table, "cleaning").table.set_index("stage")["rows"]

    def n(stage: str) -> str:
        value = rows.get(stage)
        return "suppressed" if value is None or pd.isna(value) else f"{int(value):,}"

    return _p(
        f"{n('rows read')} rows read: {n('clean')} clean, {n('quarantined')} quarantined, "
        f"{n('duplicates merged')} duplicates merged — every row accounted for."
    )


#: A dimension in words, for sentences ("participants with a known ICANN region").
DIMENSION_WORDS = {
    C.ICANN_REGION: "ICANN region",
    C.UN_REGIONAL_GROUP: "UN regional group",
    C.STAKEHOLDER_GROUP: "stakeholder group",
    C.COMMUNITY: "ICANN community",
    C.ACTIVITY_TYPE: "activity type",
}


def _number(value: Any) -> str:
    return f"a {HIDDEN_LABEL} number of" if value is None or pd.isna(value) else f"{int(value):,}"


def share_definition(known: PublishedTable, everyone: PublishedTable, by: str, *,
                     what: str = "participants") -> Html:  # fmt: skip
    """The one share definition of a section, in words: shares are of those placed in a
    category of `by` (`known`, the table the chart and table show); the others (``unknown``
    and, for communities, ``none``) are counted in `everyone` and named here, never drawn.
    """
    placed = require_published(known, "share_definition").table
    rest = require_published(everyone, "share_definition").table
    total = placed["total"].iloc[0] if len(placed) and "total" in placed else None
    dimension = DIMENSION_WORDS.get(by, by.replace("_", " "))
    parts = []
    for label, words in (
        ("none", f"in no {dimension}"),
        ("unknown", f"without a recorded {dimension}"),
    ):
        row = rest[rest[by].astype(str) == label]
        if len(row) and not (pd.notna(row["count"].iloc[0]) and row["count"].iloc[0] == 0):
            parts.append(f"{_number(row['count'].iloc[0])} {what} {words}")
    count = "" if total is None or pd.isna(total) else f"{int(total):,} "
    text = f"Shares are of the {count}{what} with a known {dimension}"
    text += (
        ("; " + " and ".join(parts) + " are counted separately and not in the shares.")
        if parts
        else "; every one has one."
    )
    return _p(html.escape(text))


def nothing_to_draw(table: PublishedTable, y: str, *, what: str) -> Html | None:
    """A sentence in place of a chart of `y` when the guard hides every value of it (an empty
    frame of axes tells a reader nothing); None when there is something to draw.

    >>> from wsisanalysis.metrics.disclosure import guard
    >>> t = guard(pd.DataFrame({"event": ["A"], "count": [10], "ratio": [1.2]}), "event", rules=None)
    >>> nothing_to_draw(t, "ratio", what="ratios") is None
    True
    """
    published = require_published(table, "nothing_to_draw")
    values = published.table[y].astype("Float64").mask(published.hidden_cells[y].to_numpy())
    if values.notna().any():
        return None
    return _p(
        f"No chart of the {html.escape(what)}: every one is {HIDDEN_LABEL}, because it would give "
        "back a count the disclosure guard hides. The table below lists them."
    )
