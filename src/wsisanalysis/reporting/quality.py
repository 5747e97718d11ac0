"""Tables for the data-quality report, built from a cleaning log."""

from __future__ import annotations

import pandas as pd


def summary(log: dict) -> pd.DataFrame:
    """Rows in and where they went (the invariant, as a table)."""
    return pd.DataFrame(
        {
            "stage": ["rows read", "clean", "quarantined", "duplicates merged"],
            "rows": [
                log["rows_in"],
                log["rows_clean"],
                log["rows_quarantined"],
                log["duplicates_merged"],
            ],
        }
    )


def files(log: dict) -> pd.DataFrame:
    """How each file was read: format, encoding, delimiter, header row, rows, date order."""
    rows = []
    for f in log.get("files", []):
        dates = f.get("dates", {})
        order = {True: "day first", False: "month first", None: "–"}[dates.get("dayfirst")]
        rows.append({"file": f["file"], "format": f["format"], "encoding": f.get("encoding") or "–",
                     "delimiter": repr(f["delimiter"]) if f.get("delimiter") else "–", "header row": f["header_row"],
                     "rows": f["rows"], "date order": f"{order} ({dates.get('order_evidence', '–')})",
                     "columns ignored": ", ".join(f.get("columns_ignored", [])) or "–"})  # fmt: skip
    return pd.DataFrame(rows)


def quarantine_reasons(log: dict) -> pd.DataFrame:
    """Quarantined rows per reason code, with what the code means."""
    reasons = log.get("quarantine_reasons", {})
    meaning = log.get("reason_codes", {})
    return pd.DataFrame(
        {
            "reason": list(reasons),
            "rows": list(reasons.values()),
            "meaning": [meaning.get(r, "") for r in reasons],
        }
    )


def fixes(log: dict) -> pd.DataFrame:
    """How each column's values were resolved (by code, name, alias, rule, fuzzy...)."""
    rows = [
        {"column": col, "method": method, "rows": n}
        for col, methods in log.get("fixes", {}).items()
        for method, n in methods.items()
    ]
    return pd.DataFrame(rows, columns=["column", "method", "rows"])


_NOT_A_COUNTRY = {"region", "grouping", "non_answer", "historic", "ambiguous", "not_iso"}


def _advice(item: dict, section: dict[str, str]) -> str:
    if item["column"] == "country_iso2" and item.get("candidates") in _NOT_A_COUNTRY:
        return f"not one country ({item['candidates'].replace('_', ' ')}): stays unknown by design"
    return f'{section.get(item["column"], item["column"])}: {{"{item["label"]}": ...}}'


def unresolved(log: dict, *, limit: int = 40) -> pd.DataFrame:
    """Unresolved labels, most frequent first, with candidates and the mapping line to add.

    Regions, groupings and non-answers in a country column are not to be mapped: the advice
    says so instead of suggesting a mapping line.
    """
    section = {
        "country_iso2": "countries",
        "stakeholder_group": "stakeholder_groups",
        "community": "communities",
        "activity_type": "activity_types",
        "topics": "topics",
    }
    items = sorted(log.get("unresolved", []), key=lambda u: -u["rows"])[:limit]
    return pd.DataFrame(
        [
            {
                "column": u["column"],
                "label": u["label"],
                "rows": u["rows"],
                "best candidates": u.get("candidates") or "–",
                "add to mapping": _advice(u, section),
            }
            for u in items
        ],
        columns=["column", "label", "rows", "best candidates", "add to mapping"],
    )
