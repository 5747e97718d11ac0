"""Sentences that interpret a result for readers, computed from the published table they describe.

Every function accepts only a :class:`~wsisanalysis.metrics.disclosure.PublishedTable` (a plain
DataFrame raises): a sentence uses published cells only, and a statistic computed over
categories (chi-square, evenness, concentration) is left out when one of its cells is hidden.
"""

from __future__ import annotations

import html

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.concentration import concentration
from wsisanalysis.metrics.disclosure import PublishedTable
from wsisanalysis.reporting.tables import Html, require_published


def _name(value: object) -> str:
    return C.ICANN_REGION_NAMES.get(str(value), str(value).replace("_", " "))


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
    if known.empty or known["count"].fillna(0).sum() == 0:
        return _p("No participants with a known category: representation cannot be assessed.")
    under = known[known["under_represented"].astype("boolean").fillna(False).astype(bool)]
    base = html.escape(str(known["baseline"].iloc[0]))
    if under.empty:
        text = f"No published category falls below four fifths of its share of {base}."
    else:
        parts = [
            f"{html.escape(_name(cat))} (ratio {ratio:.2f}, 95% interval {low:.2f}–{high:.2f})"
            for cat, ratio, low, high in zip(
                under[by], under["ratio"], under["ratio_low"], under["ratio_high"], strict=True
            )
        ]
        text = (f"Against {base}, under-represented (below four fifths of the baseline share): "
                + "; ".join(parts) + ".")  # fmt: skip
    hidden = bool(published.hidden_cells.loc[known.index].any().any())
    if hidden:
        text += " Suppressed categories are not assessed." + _withheld("The chi-square test")
    test = published.statistics.get("test")
    if isinstance(test, dict) and not hidden and pd.notna(test.get("p_value")):
        text += (
            f" Chi-square goodness of fit over {len(test['categories'])} categories: "
            f"χ² = {test['statistic']:.1f}, df = {test['dof']}, {_p_value(test['p_value'])} ({html.escape(test['note'])})."
        )
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
    text = (
        f"The largest group is {html.escape(_name(top[by]))} ({top['share'] * 100:.1f}% of {what})"
    )
    if published.hidden_cells.any().any():
        text += f"; {int(published.hidden_cells.any(axis=1).sum())} groups are suppressed."
    else:
        low = known.loc[known["count"].astype(float).idxmin()]
        text += f"; the smallest is {html.escape(_name(low[by]))} ({low['share'] * 100:.1f}%)."
    unknown = data.loc[is_unknown, "count"]
    if len(unknown) and pd.notna(unknown.iloc[0]) and unknown.iloc[0] > 0:
        text += f" {int(unknown.iloc[0])} {what} could not be placed and are shown as unknown."
    return _p(text)


def countries(table: PublishedTable, by: str = C.ICANN_REGION) -> Html:
    """How many countries of each region took part (a published country-coverage table)."""
    coverage_table = require_published(table, "countries").table
    parts = [
        f"{html.escape(_name(r))}: {p} of {t}"
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
    cats = ", ".join(_name(c) for c in categories) if isinstance(categories, list) else ""
    return _p(
        f"Evenness (Pielou J) is {result['evenness']:.2f} and the normalized HHI {result['hhi_normalized']:.2f} "
        f"over {result['k']} categories ({html.escape(cats)}); 1 would be a perfectly even spread."
    )


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
