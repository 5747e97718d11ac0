"""Sentences that interpret a result for readers, computed from the table they describe."""

from __future__ import annotations

import html

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.reporting.tables import Html


def _p_value(p: float) -> str:
    """``p < 0.001`` rather than ``p = 0`` for tiny values."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _p(text: str) -> Html:
    return Html(f'<p class="wsis-finding">{text}</p>')


def representation(table: pd.DataFrame, by: str) -> Html:
    """Which categories are under-represented against the baseline, with the test's caveat."""
    known = table[table["baseline_share"].notna()]
    if known.empty or known["share"].fillna(0).sum() == 0:
        return _p("No participants with a known category: representation cannot be assessed.")
    under = known[known["under_represented"].fillna(False).astype(bool)]
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
    test = table.attrs.get("test")
    if test and pd.notna(test.get("p_value")):
        text += (
            f" {html.escape(str(test.get('method', 'chi-square goodness of fit'))).capitalize()} over {len(test['categories'])} categories: "
            f"χ² = {test['statistic']:.1f}, df = {test['dof']}, {_p_value(test['p_value'])} ({html.escape(test['note'])})."
        )
    elif test:
        text += f" No chi-square test: {html.escape(str(test['note']))}."
    return _p(text)


def largest(table: pd.DataFrame, by: str, *, what: str = "participants") -> Html:
    """The largest and smallest known categories of a coverage table."""
    known = table[(table[by].astype(str) != "unknown") & table["count"].notna()]
    if known.empty or known["count"].sum() == 0:
        return _p(f"No {what} to describe.")
    top = known.loc[known["count"].idxmax()]
    low = known.loc[known["count"].idxmin()]
    unknown = (
        table.loc[table[by].astype(str) == "unknown", "count"].sum()
        if (table[by].astype(str) == "unknown").any()
        else 0
    )
    text = (
        f"The largest group is {html.escape(C.display_label(top[by]))} ({top['share'] * 100:.1f}% of {what}); "
        f"the smallest is {html.escape(C.display_label(low[by]))} ({low['share'] * 100:.1f}%)."
    )
    if unknown and pd.notna(unknown):
        text += f" {int(unknown)} {what} could not be placed and are shown as unknown."
    return _p(text)


def countries(coverage_table: pd.DataFrame, by: str = C.ICANN_REGION) -> Html:
    """How many countries of each region took part."""
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


def concentration_sentence(result: dict, *, what: str) -> Html:
    """Evenness and concentration, naming the category set they were computed on."""
    if pd.isna(result.get("evenness")):
        return _p(f"Not enough {what} to measure evenness.")
    cats = ", ".join(C.display_label(c) for c in result["categories"])
    text = (
        f"Evenness (Pielou J) is {result['evenness']:.2f} and the normalized HHI {result['hhi_normalized']:.2f} "
        f"over {result['k']} categories ({html.escape(cats)}); 1 would be a perfectly even spread."
    )
    if pd.notna(result.get("gallagher")):
        text += f" Gallagher index against {html.escape(result.get('baseline', 'the baseline'))}: {result['gallagher']:.1f} points."
    return _p(text)


def cleaning(log: dict) -> Html:
    """What cleaning did, in one sentence."""
    text = (
        f"{log['rows_in']:,} rows read: {log['rows_clean']:,} clean, {log['rows_quarantined']:,} quarantined, "
        f"{log['duplicates_merged']:,} duplicates merged — every row accounted for. "
        f"{len(log['unresolved'])} distinct labels could not be resolved."
    )
    return _p(text)
